#include "decoder/label_smoothing_loss.h"

#include <cmath>

#include "base/error.h"

namespace attend::decoder {

double LabelSmoothedCrossEntropy(const nn::Tensor& log_probs,
                                 const std::vector<std::vector<int>>& outputs, float smoothing,
                                 const std::vector<double>* weights, std::vector<double>* sums,
                                 nn::Tensor* dlogits) {
  ATTEND_CHECK(log_probs.rank() == 3, "cross-entropy: log-probs have shape ",
               nn::ShapeToString(log_probs.shape()), ", expected [S, N, V]");
  const int64_t S = log_probs.dim(0), N = log_probs.dim(1), V = log_probs.dim(2);
  ATTEND_CHECK(static_cast<int64_t>(outputs.size()) == N &&
                   (weights == nullptr || static_cast<int64_t>(weights->size()) == N),
               "cross-entropy: ", outputs.size(), " output sequences for a batch of ", N);
  ATTEND_CHECK(smoothing >= 0 && smoothing < 1, "--label-smoothing must be in [0, 1), got ",
               smoothing);
  sums->assign(N, 0.0);
  if (dlogits != nullptr) {
    dlogits->Resize({S, N, V});
    dlogits->SetZero();
  }
  const double off = smoothing / static_cast<double>(V), on = 1.0 - smoothing + off;
  double total = 0;
  for (int64_t n = 0; n < N; ++n) {
    const auto& y = outputs[n];
    ATTEND_CHECK(static_cast<int64_t>(y.size()) <= S, "cross-entropy: utterance ", n, " has ",
                 y.size(), " outputs for ", S, " steps");
    const double w = weights == nullptr ? 1.0 : (*weights)[n];
    for (int64_t s = 0; s < static_cast<int64_t>(y.size()); ++s) {
      ATTEND_CHECK(y[s] >= 0 && y[s] < V, "cross-entropy: utterance ", n, ": token ", y[s],
                   " outside [0, ", V, ")");
      const float* lp = log_probs.data() + (s * N + n) * V;
      double sum_lp = 0;
      for (int64_t v = 0; v < V; ++v) sum_lp += lp[v];
      const double ce = -(1.0 - smoothing) * lp[y[s]] - off * sum_lp;
      (*sums)[n] += ce;
      if (dlogits != nullptr) {
        // d/dlogits of −Σ q log softmax = softmax − q.
        float* g = dlogits->data() + (s * N + n) * V;
        for (int64_t v = 0; v < V; ++v)
          g[v] = static_cast<float>(
              w * (std::exp(static_cast<double>(lp[v])) - (v == y[s] ? on : off)));
      }
    }
    total += (*sums)[n];
  }
  return total;
}

}  // namespace attend::decoder
