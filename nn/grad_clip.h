// Gradient-norm clipping, as torch.nn.utils.clip_grad_norm_: scales every
// gradient by max_norm / (norm + 1e-6) when the global L2 norm exceeds max_norm.
#pragma once

#include <vector>

#include "nn/parameter.h"

namespace attend::nn {

// The global L2 norm of all gradients (accumulated in double).
double GradNorm(const std::vector<Parameter*>& params);

// Clips in place and returns the norm before clipping; max_norm <= 0 only
// measures. A non-finite norm is returned without touching the gradients (the
// caller decides whether to skip the step).
double ClipGradNorm(const std::vector<Parameter*>& params, double max_norm);

}  // namespace attend::nn
