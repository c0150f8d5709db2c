#include "frontend/feature_window.h"

#include <cfloat>
#include <cmath>
#include <numbers>
#include <sstream>

#include "base/error.h"

namespace attend::frontend {

namespace po = boost::program_options;

void FrameOptions::Register(po::options_description* desc) {
  desc->add_options()(
      "sample-frequency", po::value(&samp_freq)->default_value(samp_freq),
      "sample rate of the waveform features are computed from (Hz); input at another rate is "
      "resampled to it")("frame-shift", po::value(&frame_shift_ms)->default_value(frame_shift_ms),
                         "frame shift (ms)")(
      "frame-length", po::value(&frame_length_ms)->default_value(frame_length_ms),
      "frame length (ms)")("dither", po::value(&dither)->default_value(dither),
                           "stddev of Gaussian dither noise per sample, int16 scale (0 = off)")(
      "dither-seed", po::value(&dither_seed)->default_value(dither_seed),
      "seed of the dither noise")("preemphasis-coefficient",
                                  po::value(&preemph_coeff)->default_value(preemph_coeff),
                                  "pre-emphasis coefficient (0 = off)")(
      "remove-dc-offset", po::value(&remove_dc_offset)->default_value(remove_dc_offset),
      "subtract each frame's mean before processing")(
      "window-type", po::value(&window_type)->default_value(window_type),
      "window: hamming|hanning|povey|rectangular|sine|blackman")(
      "round-to-power-of-two",
      po::value(&round_to_power_of_two)->default_value(round_to_power_of_two),
      "pad each frame to a power-of-two FFT length")(
      "blackman-coeff", po::value(&blackman_coeff)->default_value(blackman_coeff),
      "constant of the generalized Blackman window")(
      "snip-edges", po::value(&snip_edges)->default_value(snip_edges),
      "true: only frames that fit completely in the signal; false: one frame per shift, "
      "edges reflected");
}

void FrameOptions::Validate() const {
  ATTEND_CHECK(samp_freq > 0 && std::isfinite(samp_freq),
               "--sample-frequency must be positive, got ", samp_freq);
  ATTEND_CHECK(frame_shift_ms > 0, "--frame-shift must be positive, got ", frame_shift_ms);
  ATTEND_CHECK(frame_length_ms > 0, "--frame-length must be positive, got ", frame_length_ms);
  ATTEND_CHECK(WindowShift() >= 1, "--frame-shift ", frame_shift_ms,
               " ms is less than one sample at ", samp_freq, " Hz");
  ATTEND_CHECK(WindowSize() >= 2, "--frame-length ", frame_length_ms,
               " ms is less than two samples at ", samp_freq, " Hz");
  ATTEND_CHECK(WindowSize() <= (1 << 24), "--frame-length ", frame_length_ms, " ms is too long");
  ATTEND_CHECK(dither >= 0 && std::isfinite(dither), "--dither must be >= 0, got ", dither);
  ATTEND_CHECK(preemph_coeff >= 0 && preemph_coeff <= 1,
               "--preemphasis-coefficient must be in [0, 1], got ", preemph_coeff);
  ATTEND_CHECK(window_type == "hamming" || window_type == "hanning" || window_type == "povey" ||
                   window_type == "rectangular" || window_type == "sine" ||
                   window_type == "blackman",
               "--window-type must be hamming, hanning, povey, rectangular, sine or blackman, "
               "got '",
               window_type, "'");
}

std::string FrameOptions::ToString() const {
  std::ostringstream out;
  out << "sample-frequency=" << samp_freq << " frame-shift=" << frame_shift_ms
      << " frame-length=" << frame_length_ms << " dither=" << dither
      << " dither-seed=" << dither_seed << " preemphasis-coefficient=" << preemph_coeff
      << " remove-dc-offset=" << remove_dc_offset << " window-type=" << window_type
      << " round-to-power-of-two=" << round_to_power_of_two << " blackman-coeff=" << blackman_coeff
      << " snip-edges=" << snip_edges;
  return out.str();
}

int32_t FrameOptions::PaddedWindowSize() const {
  int32_t size = WindowSize();
  if (!round_to_power_of_two) return size;
  int32_t padded = 1;
  while (padded < size) padded <<= 1;
  return padded;
}

int64_t NumFrames(int64_t num_samples, const FrameOptions& opts, bool flush) {
  const int64_t shift = opts.WindowShift(), size = opts.WindowSize();
  if (opts.snip_edges) {
    if (num_samples < size) return 0;
    return 1 + (num_samples - size) / shift;
  }
  // Frames centred on multiples of the shift: round(num_samples / shift).
  int64_t num_frames = (num_samples + shift / 2) / shift;
  if (flush) return num_frames;
  // Without flushing, a frame is final only if its window ends within the
  // samples seen (the end reflection depends on where the signal ends).
  int64_t end_sample_of_last_frame = FirstSampleOfFrame(num_frames - 1, opts) + size;
  while (num_frames > 0 && end_sample_of_last_frame > num_samples) {
    --num_frames;
    end_sample_of_last_frame -= shift;
  }
  return num_frames;
}

int64_t FirstSampleOfFrame(int64_t frame, const FrameOptions& opts) {
  const int64_t shift = opts.WindowShift(), size = opts.WindowSize();
  if (opts.snip_edges) return frame * shift;
  return frame * shift + shift / 2 - size / 2;
}

FeatureWindowFunction::FeatureWindowFunction(const FrameOptions& opts) {
  const int32_t n = opts.WindowSize();
  window_.resize(n);
  const double a = 2.0 * std::numbers::pi / (n - 1);
  for (int32_t i = 0; i < n; ++i) {
    const double x = i;
    double w = 1.0;
    if (opts.window_type == "hanning") {
      w = 0.5 - 0.5 * std::cos(a * x);
    } else if (opts.window_type == "sine") {
      w = std::sin(0.5 * a * x);
    } else if (opts.window_type == "hamming") {
      w = 0.54 - 0.46 * std::cos(a * x);
    } else if (opts.window_type == "povey") {
      w = std::pow(0.5 - 0.5 * std::cos(a * x), 0.85);
    } else if (opts.window_type == "blackman") {
      w = opts.blackman_coeff - 0.5 * std::cos(a * x) +
          (0.5 - opts.blackman_coeff) * std::cos(2 * a * x);
    }
    window_[i] = static_cast<float>(w);
  }
}

void ProcessWindow(const FrameOptions& opts, const FeatureWindowFunction& window, Rng* rng,
                   float* frame, float* log_energy_pre_window) {
  const int32_t n = opts.WindowSize();
  const int32_t padded = opts.PaddedWindowSize();
  if (opts.dither != 0.0f) {
    for (int32_t i = 0; i < n; ++i) frame[i] += rng->Normal(0.0f, opts.dither);
  }
  if (opts.remove_dc_offset) {
    // Four double partial sums: vectorizable and more accurate than one float
    // chain (the mean is then rounded to float once).
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int32_t i = 0;
    for (; i + 4 <= n; i += 4) {
      s0 += frame[i];
      s1 += frame[i + 1];
      s2 += frame[i + 2];
      s3 += frame[i + 3];
    }
    for (; i < n; ++i) s0 += frame[i];
    const float mean = static_cast<float>((s0 + s1 + s2 + s3) / n);
    for (int32_t j = 0; j < n; ++j) frame[j] -= mean;
  }
  if (log_energy_pre_window != nullptr) {
    double e0 = 0, e1 = 0;
    int32_t i = 0;
    for (; i + 2 <= n; i += 2) {
      e0 += static_cast<double>(frame[i]) * frame[i];
      e1 += static_cast<double>(frame[i + 1]) * frame[i + 1];
    }
    for (; i < n; ++i) e0 += static_cast<double>(frame[i]) * frame[i];
    *log_energy_pre_window = std::log(std::max(static_cast<float>(e0 + e1), FLT_EPSILON));
  }
  // Pre-emphasis (x[i] -= c * x[i-1], x[-1] = x[0]) fused with the window,
  // in one forward pass that keeps the previous raw sample in a register.
  const float c = opts.preemph_coeff;
  const float* w = window.window().data();
  float prev = frame[0];
  for (int32_t i = 0; i < n; ++i) {
    const float cur = frame[i];
    frame[i] = (cur - c * prev) * w[i];
    prev = cur;
  }
  for (int32_t i = n; i < padded; ++i) frame[i] = 0.0f;
}

void ExtractWindowSamples(int64_t sample_offset, std::span<const float> wave, int64_t frame,
                          const FrameOptions& opts, float* window_out) {
  const int64_t size = opts.WindowSize();
  const int64_t start = FirstSampleOfFrame(frame, opts);
  const int64_t num_samples = sample_offset + static_cast<int64_t>(wave.size());
  const int64_t wave_start = start - sample_offset;
  ATTEND_ASSERT(sample_offset == 0 || start >= sample_offset, "frame ", frame,
                " needs samples already discarded");
  if (start >= 0 && start + size <= num_samples) {
    const float* src = wave.data() + wave_start;
    for (int64_t i = 0; i < size; ++i) window_out[i] = src[i];
    return;
  }
  // Reflect indices outside [0, num_samples) (only with snip_edges false).
  for (int64_t i = 0; i < size; ++i) {
    int64_t s = start + i;
    while (s < 0 || s >= num_samples) {
      if (s < 0) s = -s - 1;
      if (s >= num_samples) s = 2 * num_samples - 1 - s;
    }
    window_out[i] = wave[s - sample_offset];
  }
}

}  // namespace attend::frontend
