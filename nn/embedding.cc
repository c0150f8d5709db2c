#include "nn/embedding.h"

#include <cstring>

#include "base/error.h"

namespace attend::nn {

Embedding::Embedding(const std::string& name, int64_t vocab_size, int64_t dim)
    : vocab_size_(vocab_size), dim_(dim), weight_(name + ".weight", {vocab_size, dim}) {
  ATTEND_CHECK(vocab_size > 0 && dim > 0, "embedding ", name, ": dimensions must be positive, got ",
               vocab_size, "x", dim);
}

void Embedding::Init(Rng* rng) {
  for (int64_t i = 0; i < weight_.value.size(); ++i) weight_.value[i] = rng->Normal(0.0f, 1.0f);
  weight_.MarkUpdated();
}

void Embedding::Forward(const std::vector<int>& ids, Tensor* y) const {
  const int64_t rows = static_cast<int64_t>(ids.size());
  y->Resize({rows, dim_});
  for (int64_t r = 0; r < rows; ++r) {
    ATTEND_CHECK(ids[r] >= 0 && ids[r] < vocab_size_, weight_.name, ": token id ", ids[r],
                 " out of range [0, ", vocab_size_, ")");
    std::memcpy(y->data() + r * dim_, weight_.value.data() + ids[r] * dim_, dim_ * sizeof(float));
  }
}

void Embedding::Backward(const std::vector<int>& ids, const Tensor& dy) {
  const int64_t rows = static_cast<int64_t>(ids.size());
  ATTEND_CHECK(dy.size() == rows * dim_, weight_.name, ": gradient has shape ",
               ShapeToString(dy.shape()), ", expected [", rows, ", ", dim_, "]");
  for (int64_t r = 0; r < rows; ++r) {
    ATTEND_CHECK(ids[r] >= 0 && ids[r] < vocab_size_, weight_.name, ": token id ", ids[r],
                 " out of range [0, ", vocab_size_, ")");
    float* g = weight_.grad.data() + ids[r] * dim_;
    const float* d = dy.data() + r * dim_;
    for (int64_t i = 0; i < dim_; ++i) g[i] += d[i];
  }
}

}  // namespace attend::nn
