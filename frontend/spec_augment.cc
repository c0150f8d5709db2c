#include "frontend/spec_augment.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <vector>

#include "base/error.h"

namespace attend::frontend {

namespace po = boost::program_options;

void SpecAugmentOptions::Register(po::options_description* desc) {
  desc->add_options()("specaug-freq-masks",
                      po::value(&num_freq_masks)->default_value(num_freq_masks),
                      "SpecAugment: frequency masks per utterance")(
      "specaug-freq-width", po::value(&max_freq_width)->default_value(max_freq_width),
      "SpecAugment: widest frequency mask (bins)")(
      "specaug-time-masks", po::value(&num_time_masks)->default_value(num_time_masks),
      "SpecAugment: time masks per utterance")(
      "specaug-time-width", po::value(&max_time_width)->default_value(max_time_width),
      "SpecAugment: widest time mask (frames)")(
      "specaug-time-ratio", po::value(&max_time_ratio)->default_value(max_time_ratio),
      "SpecAugment: largest fraction of an utterance one time mask covers")(
      "specaug-time-warp", po::value(&time_warp_window)->default_value(time_warp_window),
      "SpecAugment: time-warp window W (frames); 0 = off")(
      "specaug-mask-value", po::value(&mask_value)->default_value(mask_value),
      "SpecAugment: value written into masked cells");
}

void SpecAugmentOptions::Validate() const {
  ATTEND_CHECK(num_freq_masks >= 0, "--specaug-freq-masks must be >= 0, got ", num_freq_masks);
  ATTEND_CHECK(max_freq_width >= 0, "--specaug-freq-width must be >= 0, got ", max_freq_width);
  ATTEND_CHECK(num_time_masks >= 0, "--specaug-time-masks must be >= 0, got ", num_time_masks);
  ATTEND_CHECK(max_time_width >= 0, "--specaug-time-width must be >= 0, got ", max_time_width);
  ATTEND_CHECK(max_time_ratio >= 0 && max_time_ratio <= 1,
               "--specaug-time-ratio must be in [0, 1], got ", max_time_ratio);
  ATTEND_CHECK(time_warp_window >= 0, "--specaug-time-warp must be >= 0, got ", time_warp_window);
}

std::string SpecAugmentOptions::ToString() const {
  std::ostringstream out;
  out << "freq-masks=" << num_freq_masks << "x" << max_freq_width
      << " time-masks=" << num_time_masks << "x" << max_time_width << " (ratio " << max_time_ratio
      << ") time-warp=" << time_warp_window << " mask-value=" << mask_value;
  return out.str();
}

void TimeWarp(int64_t center, int64_t shift, Matrix* features) {
  const int64_t t = features->rows(), dim = features->cols();
  const int64_t dest = center + shift;
  ATTEND_CHECK(center > 0 && center < t && dest > 0 && dest < t, "TimeWarp: center ", center,
               " + shift ", shift, " outside (0, ", t, ")");
  if (shift == 0) return;
  const Matrix src = *features;
  // Output frame i < dest reads source position i * center / dest; output
  // frame i >= dest reads center + (i - dest) * (t - 1 - center) / (t - 1 - dest).
  for (int64_t i = 0; i < t; ++i) {
    double pos;
    if (i < dest) {
      pos = static_cast<double>(i) * center / dest;
    } else {
      pos = t - 1 == dest
                ? center
                : center + static_cast<double>(i - dest) * (t - 1 - center) / (t - 1 - dest);
    }
    const int64_t lo = std::min<int64_t>(static_cast<int64_t>(std::floor(pos)), t - 1);
    const int64_t hi = std::min<int64_t>(lo + 1, t - 1);
    const float frac = static_cast<float>(pos - lo);
    float* out = features->Row(i);
    const float* a = src.Row(lo);
    const float* b = src.Row(hi);
    for (int64_t d = 0; d < dim; ++d) out[d] = a[d] + frac * (b[d] - a[d]);
  }
}

void SpecAugment(const SpecAugmentOptions& opts, Rng* rng, Matrix* features) {
  opts.Validate();
  const int64_t t = features->rows(), dim = features->cols();
  if (t == 0) return;
  const int64_t w = opts.time_warp_window;
  if (w > 0 && t >= 2 * w + 2) {
    const int64_t center = rng->UniformInt(w, t - w - 1);
    const int64_t shift = rng->UniformInt(-w + 1, w - 1);
    if (center + shift > 0 && center + shift < t) TimeWarp(center, shift, features);
  }
  for (int32_t m = 0; m < opts.num_freq_masks; ++m) {
    const int64_t width = rng->UniformInt(0, std::min<int64_t>(opts.max_freq_width, dim));
    const int64_t start = rng->UniformInt(0, dim - width);
    for (int64_t r = 0; r < t; ++r) {
      std::fill(features->Row(r) + start, features->Row(r) + start + width, opts.mask_value);
    }
  }
  const int64_t max_time = std::min<int64_t>(
      opts.max_time_width, static_cast<int64_t>(std::floor(opts.max_time_ratio * t)));
  for (int32_t m = 0; m < opts.num_time_masks; ++m) {
    const int64_t width = rng->UniformInt(0, std::max<int64_t>(max_time, 0));
    const int64_t start = rng->UniformInt(0, t - width);
    for (int64_t r = start; r < start + width; ++r) {
      std::fill(features->Row(r), features->Row(r) + dim, opts.mask_value);
    }
  }
}

}  // namespace attend::frontend
