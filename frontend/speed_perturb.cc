#include "frontend/speed_perturb.h"

#include "base/error.h"
#include "frontend/resampler.h"

namespace attend::frontend {

std::vector<float> SpeedPerturb(std::span<const float> wave, float factor, float rate_hz) {
  ATTEND_CHECK(factor > 0.5f && factor <= 2.0f,
               "speed perturbation factor must be in (0.5, 2], got ", factor);
  if (factor == 1.0f) return std::vector<float>(wave.begin(), wave.end());
  return Resampler::Resample(wave, static_cast<double>(rate_hz) * factor, rate_hz);
}

}  // namespace attend::frontend
