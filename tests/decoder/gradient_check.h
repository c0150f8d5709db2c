// Finite-difference gradient checks shared by the decoder tests.
#pragma once

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>

#include "base/random.h"
#include "nn/tensor.h"

namespace attend::decoder::testing {

inline nn::Tensor RandomTensor(const nn::Shape& shape, Rng* rng, float scale = 1.0f) {
  nn::Tensor t(shape);
  for (int64_t i = 0; i < t.size(); ++i) t[i] = rng->Uniform(-scale, scale);
  return t;
}

// Relative error ‖g_fd − g‖ / max(‖g_fd‖, ‖g‖, floor) over (up to `max_checks`
// evenly spaced) coordinates of x, with central differences of step eps. The
// loss is recomputed from scratch for every probe; the norm-wise measure keeps
// float rounding in tiny coordinates from dominating.
inline double GradientError(const std::function<double()>& loss, float* x, const float* analytic,
                            int64_t n, double eps = 1e-2, int64_t max_checks = 60,
                            double floor = 1e-4) {
  double diff2 = 0, fd2 = 0, an2 = 0;
  const int64_t stride = std::max<int64_t>(1, n / max_checks);
  for (int64_t i = 0; i < n; i += stride) {
    const float saved = x[i];
    x[i] = static_cast<float>(saved + eps);
    const double plus = loss();
    x[i] = static_cast<float>(saved - eps);
    const double minus = loss();
    x[i] = saved;
    const double fd = (plus - minus) / (2 * eps);
    diff2 += (fd - analytic[i]) * (fd - analytic[i]);
    fd2 += fd * fd;
    an2 += static_cast<double>(analytic[i]) * analytic[i];
  }
  return std::sqrt(diff2) / std::max({std::sqrt(fd2), std::sqrt(an2), floor});
}

}  // namespace attend::decoder::testing
