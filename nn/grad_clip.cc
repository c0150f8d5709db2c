#include "nn/grad_clip.h"

#include <cmath>

namespace attend::nn {

double GradNorm(const std::vector<Parameter*>& params) {
  double sum = 0;
  for (const Parameter* p : params)
    for (int64_t i = 0; i < p->grad.size(); ++i)
      sum += static_cast<double>(p->grad[i]) * p->grad[i];
  return std::sqrt(sum);
}

double ClipGradNorm(const std::vector<Parameter*>& params, double max_norm) {
  const double norm = GradNorm(params);
  if (max_norm <= 0 || !std::isfinite(norm) || norm <= max_norm) return norm;
  const float scale = static_cast<float>(max_norm / (norm + 1e-6));
  for (Parameter* p : params)
    for (int64_t i = 0; i < p->grad.size(); ++i) p->grad[i] *= scale;
  return norm;
}

}  // namespace attend::nn
