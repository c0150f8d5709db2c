// Triangular mel filters, as Kaldi's mel-computations.h: MelBanksOptions and
// MelBanks, which maps a power spectrum to mel energies. The filters are
// stored sparsely (each is nonzero over a contiguous run of FFT bins), so
// applying all of them costs about two multiply-adds per FFT bin.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <boost/program_options/options_description.hpp>

#include "frontend/feature_window.h"

namespace attend::frontend {

struct MelBanksOptions {
  int32_t num_bins = 23;      // --num-mel-bins: triangular filters (attend's FbankOptions sets 80)
  float low_freq = 20.0f;     // --low-freq: Hz, lower edge of the first filter
  float high_freq = 0.0f;     // --high-freq: Hz, upper edge of the last; <= 0 is an offset
                              //   from Nyquist (0 = Nyquist)
  float vtln_low = 100.0f;    // --vtln-low: Hz, lower inflection point of VTLN warping
  float vtln_high = -500.0f;  // --vtln-high: Hz, upper inflection point; <= 0 is an offset
                              //   from Nyquist
  bool debug_mel = false;     // --debug-mel: print the filters to stderr when built

  void Register(boost::program_options::options_description* desc);
  // Throws attend::Error naming the flag. `sample_rate_hz` fixes Nyquist.
  void Validate(float sample_rate_hz) const;
  std::string ToString() const;
};

class MelBanks {
 public:
  // Filters for frames described by `frame_opts` (its sample rate and padded
  // FFT length), with VTLN warp factor `vtln_warp` (1 = none). Throws
  // attend::Error if a filter covers no FFT bin (too many bins for the FFT).
  MelBanks(const MelBanksOptions& opts, const FrameOptions& frame_opts, float vtln_warp);

  static float MelScale(float freq_hz) { return 1127.0f * logf(1.0f + freq_hz / 700.0f); }
  static float InverseMelScale(float mel) { return 700.0f * (expf(mel / 1127.0f) - 1.0f); }

  int32_t NumBins() const { return static_cast<int32_t>(first_index_.size()); }

  // mel_energies[b] = sum over FFT bins k of weight_b(k) * power_spectrum[k];
  // `power_spectrum` holds PaddedWindowSize()/2 + 1 values.
  void Compute(const float* power_spectrum, float* mel_energies) const;

  // Filter b's first FFT bin and its weights (for tests and --debug-mel).
  int32_t FirstIndex(int32_t b) const { return first_index_[b]; }
  std::vector<float> Weights(int32_t b) const;

 private:
  std::vector<int32_t> first_index_;  // per filter: first FFT bin with nonzero weight
  std::vector<int32_t> offset_;       // per filter: start of its weights in weights_; + end
  std::vector<float> weights_;        // all filters' weights, concatenated
};

// Kaldi's piecewise-linear VTLN frequency warping (for --vtln-warp != 1).
float VtlnWarpFreq(float vtln_low_cutoff, float vtln_high_cutoff, float low_freq, float high_freq,
                   float vtln_warp_factor, float freq);

}  // namespace attend::frontend
