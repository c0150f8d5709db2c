// Speed perturbation (Ko et al. 2015, Kaldi's/ESPnet's 0.9/1.0/1.1): plays
// the waveform `factor` times faster, changing tempo and pitch together, as
// `sox speed` does: the samples are resampled with libsoxr from
// rate*factor to rate, so the result has about size/factor samples.
#pragma once

#include <span>
#include <vector>

namespace attend::frontend {

// Throws attend::Error for a factor outside (0.5, 2].
std::vector<float> SpeedPerturb(std::span<const float> wave, float factor, float rate_hz);

}  // namespace attend::frontend
