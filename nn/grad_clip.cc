#include "nn/grad_clip.h"

#include <cmath>

namespace attend::nn {

// The loops read each gradient through one data pointer and size: the
// gradient's element accessors do more per call than a raw loop can afford.
double GradNorm(const std::vector<Parameter*>& params) {
  double sum = 0;
  for (Parameter* p : params) {
    const float* g = p->grad.data();
    const int64_t n = p->grad.size();
    for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(g[i]) * g[i];
  }
  return std::sqrt(sum);
}

double ClipGradNorm(const std::vector<Parameter*>& params, double max_norm) {
  const double norm = GradNorm(params);
  if (max_norm <= 0 || !std::isfinite(norm) || norm <= max_norm) return norm;
  const float scale = static_cast<float>(max_norm / (norm + 1e-6));
  for (Parameter* p : params) {
    float* g = p->grad.data();
    const int64_t n = p->grad.size();
    for (int64_t i = 0; i < n; ++i) g[i] *= scale;
  }
  return norm;
}

}  // namespace attend::nn
