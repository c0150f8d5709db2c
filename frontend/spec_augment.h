// SpecAugment (Park et al. 2019) for training: time warping, frequency masks
// and time masks on a frames x bins feature matrix, drawn from a seeded
// attend::Rng so a run is reproducible.
#pragma once

#include <cstdint>
#include <string>

#include <boost/program_options/options_description.hpp>

#include "base/random.h"
#include "frontend/matrix.h"

namespace attend::frontend {

struct SpecAugmentOptions {
  int32_t num_freq_masks = 2;    // --specaug-freq-masks: frequency masks per utterance
  int32_t max_freq_width = 27;   // --specaug-freq-width: widest frequency mask (bins), F
  int32_t num_time_masks = 2;    // --specaug-time-masks: time masks per utterance
  int32_t max_time_width = 40;   // --specaug-time-width: widest time mask (frames), T
  float max_time_ratio = 0.2f;   // --specaug-time-ratio: a time mask covers at most this
                                 //   fraction of the utterance, p
  int32_t time_warp_window = 5;  // --specaug-time-warp: W (frames); 0 = no time warp
  float mask_value = 0.0f;       // --specaug-mask-value: value of masked cells (0 = the
                                 //   mean after CMVN)

  void Register(boost::program_options::options_description* desc);
  void Validate() const;
  std::string ToString() const;
};

// Applies time warp, then the frequency masks, then the time masks, to
// `features` in place. Masks are clipped to the matrix; a matrix too short to
// warp (fewer than 2W+2 frames) is not warped.
void SpecAugment(const SpecAugmentOptions& opts, Rng* rng, Matrix* features);

// Time warp alone: the frame at `center` moves to `center + shift`; the
// frames before and after are stretched linearly (interpolating between
// neighbouring frames) so the length stays the same.
void TimeWarp(int64_t center, int64_t shift, Matrix* features);

}  // namespace attend::frontend
