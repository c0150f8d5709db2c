#include "nn/log_softmax.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "base/error.h"

namespace attend::nn {

void LogSoftmax(const Tensor& x, Tensor* y) {
  ATTEND_CHECK(x.rank() >= 1, "log-softmax of a scalar");
  const int64_t cols = x.shape().back(), rows = cols > 0 ? x.size() / cols : 0;
  if (y != &x) y->Resize(x.shape());
  for (int64_t r = 0; r < rows; ++r) {
    const float* in = x.data() + r * cols;
    float* out = y->data() + r * cols;
    float max = -std::numeric_limits<float>::infinity();
    for (int64_t c = 0; c < cols; ++c) max = std::max(max, in[c]);
    double sum = 0;
    for (int64_t c = 0; c < cols; ++c) sum += std::exp(static_cast<double>(in[c] - max));
    // (x − max) − log Σ, as PyTorch: forming max + log Σ first would round it
    // to the ulp of max (1e-3 at logits of 1e4) before the subtraction.
    const float log_sum = static_cast<float>(std::log(sum));
    for (int64_t c = 0; c < cols; ++c) out[c] = (in[c] - max) - log_sum;
  }
}

void LogSoftmaxBackward(const Tensor& y, const Tensor& dy, Tensor* dx) {
  ATTEND_CHECK(y.shape() == dy.shape(), "log-softmax backward: gradient shape ",
               ShapeToString(dy.shape()), " differs from output shape ", ShapeToString(y.shape()));
  const int64_t cols = y.shape().back(), rows = cols > 0 ? y.size() / cols : 0;
  if (dx != &dy) dx->Resize(y.shape());
  for (int64_t r = 0; r < rows; ++r) {
    const float* yr = y.data() + r * cols;
    const float* g = dy.data() + r * cols;
    float* out = dx->data() + r * cols;
    double sum = 0;
    for (int64_t c = 0; c < cols; ++c) sum += g[c];
    for (int64_t c = 0; c < cols; ++c) out[c] = g[c] - std::exp(yr[c]) * static_cast<float>(sum);
  }
}

}  // namespace attend::nn
