#include "frontend/mel_banks.h"

#include <cmath>
#include <iostream>
#include <sstream>

#include "base/error.h"

namespace attend::frontend {

namespace po = boost::program_options;

void MelBanksOptions::Register(po::options_description* desc) {
  desc->add_options()("num-mel-bins", po::value(&num_bins)->default_value(num_bins),
                      "number of triangular mel filters")(
      "low-freq", po::value(&low_freq)->default_value(low_freq),
      "low edge of the mel filters (Hz)")(
      "high-freq", po::value(&high_freq)->default_value(high_freq),
      "high edge of the mel filters (Hz); <= 0 is an offset from Nyquist")(
      "vtln-low", po::value(&vtln_low)->default_value(vtln_low),
      "low inflection point of VTLN warping (Hz)")(
      "vtln-high", po::value(&vtln_high)->default_value(vtln_high),
      "high inflection point of VTLN warping (Hz); <= 0 is an offset from Nyquist")(
      "debug-mel", po::bool_switch(&debug_mel), "print the mel filters to stderr");
}

void MelBanksOptions::Validate(float sample_rate_hz) const {
  const float nyquist = 0.5f * sample_rate_hz;
  const float high = high_freq > 0 ? high_freq : nyquist + high_freq;
  ATTEND_CHECK(num_bins >= 3, "--num-mel-bins must be at least 3, got ", num_bins);
  ATTEND_CHECK(low_freq >= 0 && low_freq < nyquist, "--low-freq must be in [0, ", nyquist,
               ") Hz at --sample-frequency ", sample_rate_hz, ", got ", low_freq);
  ATTEND_CHECK(high > low_freq && high <= nyquist, "--high-freq ", high_freq, " gives ", high,
               " Hz, which must be in (--low-freq ", low_freq, ", Nyquist ", nyquist, "]");
}

std::string MelBanksOptions::ToString() const {
  std::ostringstream out;
  out << "num-mel-bins=" << num_bins << " low-freq=" << low_freq << " high-freq=" << high_freq
      << " vtln-low=" << vtln_low << " vtln-high=" << vtln_high;
  return out.str();
}

float VtlnWarpFreq(float vtln_low_cutoff, float vtln_high_cutoff, float low_freq, float high_freq,
                   float vtln_warp_factor, float freq) {
  if (freq < low_freq || freq > high_freq) return freq;
  const float l = vtln_low_cutoff * std::max(1.0f, vtln_warp_factor);
  const float h = vtln_high_cutoff * std::min(1.0f, vtln_warp_factor);
  const float scale = 1.0f / vtln_warp_factor;
  ATTEND_CHECK(l > low_freq && h < high_freq, "--vtln-low ", vtln_low_cutoff, " and --vtln-high ",
               vtln_high_cutoff, " with --vtln-warp ", vtln_warp_factor,
               " must lie inside the mel range (", low_freq, ", ", high_freq, ") Hz");
  const float fl = scale * l, fh = scale * h;
  const float scale_left = (fl - low_freq) / (l - low_freq);
  const float scale_right = (high_freq - fh) / (high_freq - h);
  if (freq < l) return low_freq + scale_left * (freq - low_freq);
  if (freq < h) return scale * freq;
  return high_freq + scale_right * (freq - high_freq);
}

MelBanks::MelBanks(const MelBanksOptions& opts, const FrameOptions& frame_opts, float vtln_warp) {
  const float sample_freq = frame_opts.samp_freq;
  opts.Validate(sample_freq);
  const int32_t padded = frame_opts.PaddedWindowSize();
  const int32_t num_fft_bins = padded / 2;  // the Nyquist bin gets no weight, as in Kaldi
  const float nyquist = 0.5f * sample_freq;
  const float low_freq = opts.low_freq;
  const float high_freq = opts.high_freq > 0 ? opts.high_freq : nyquist + opts.high_freq;
  // The edges are computed in double (as torchaudio does; Kaldi uses float,
  // which puts errors of ~1e-5 relative into the weights of the upper filters
  // through the rounding of MelScale(high_freq)); the per-bin arithmetic is
  // float, in torchaudio's order, so the weights match its to about one ulp.
  const float fft_bin_width = sample_freq / padded;
  const double mel_low = 1127.0 * std::log(1.0 + low_freq / 700.0);
  const double mel_high = 1127.0 * std::log(1.0 + high_freq / 700.0);
  const double mel_delta = (mel_high - mel_low) / (opts.num_bins + 1);
  const float vtln_low = opts.vtln_low;
  const float vtln_high = opts.vtln_high < 0 ? opts.vtln_high + nyquist : opts.vtln_high;
  auto edge = [&](int32_t k) {
    const float mel = static_cast<float>(static_cast<float>(k) * static_cast<float>(mel_delta)) +
                      static_cast<float>(mel_low);
    if (vtln_warp == 1.0f) return mel;
    return MelScale(
        VtlnWarpFreq(vtln_low, vtln_high, low_freq, high_freq, vtln_warp, InverseMelScale(mel)));
  };

  std::vector<float> bin_mel(num_fft_bins);
  for (int32_t i = 0; i < num_fft_bins; ++i) {
    bin_mel[i] = MelScale(fft_bin_width * static_cast<float>(i));
  }
  offset_.push_back(0);
  for (int32_t b = 0; b < opts.num_bins; ++b) {
    const float left = edge(b), center = edge(b + 1), right = edge(b + 2);
    int32_t first = -1, last = -1;
    for (int32_t i = 0; i < num_fft_bins; ++i) {
      const float mel = bin_mel[i];
      if (mel > left && mel < right) {
        if (first == -1) first = i;
        last = i;
      }
    }
    ATTEND_CHECK(first != -1, "mel filter ", b, " of --num-mel-bins ", opts.num_bins,
                 " covers no FFT bin (FFT length ", padded, " at ", sample_freq,
                 " Hz); use fewer bins or a longer --frame-length");
    first_index_.push_back(first);
    for (int32_t i = first; i <= last; ++i) {
      const float mel = bin_mel[i];
      weights_.push_back(mel <= center ? (mel - left) / (center - left)
                                       : (right - mel) / (right - center));
    }
    offset_.push_back(static_cast<int32_t>(weights_.size()));
  }
  if (opts.debug_mel) {
    for (int32_t b = 0; b < NumBins(); ++b) {
      std::cerr << "mel bin " << b << ": first FFT bin " << first_index_[b] << ", weights";
      for (float w : Weights(b)) std::cerr << " " << w;
      std::cerr << "\n";
    }
  }
}

std::vector<float> MelBanks::Weights(int32_t b) const {
  return std::vector<float>(weights_.begin() + offset_[b], weights_.begin() + offset_[b + 1]);
}

void MelBanks::Compute(const float* power_spectrum, float* mel_energies) const {
  const int32_t num_bins = NumBins();
  const float* weights = weights_.data();
  for (int32_t b = 0; b < num_bins; ++b) {
    const float* w = weights + offset_[b];
    const float* p = power_spectrum + first_index_[b];
    const int32_t n = offset_[b + 1] - offset_[b];
    double sum = 0.0;
    for (int32_t i = 0; i < n; ++i) sum += static_cast<double>(w[i]) * p[i];
    mel_energies[b] = static_cast<float>(sum);
  }
}

}  // namespace attend::frontend
