// Framing and windowing, as Kaldi's feature-window.h: how a waveform is cut
// into frames (FrameOptions, NumFrames, FirstSampleOfFrame), the window
// function, and the per-frame processing before the FFT (dither, DC removal,
// raw energy, pre-emphasis, window). Samples are at int16 scale (±32768), as
// Kaldi reads them.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <boost/program_options/options_description.hpp>

#include "base/random.h"

namespace attend::frontend {

struct FrameOptions {
  float samp_freq = 16000.0f;     // --sample-frequency: Hz of the waveform the frames come from
  float frame_shift_ms = 10.0f;   // --frame-shift: ms between frame starts
  float frame_length_ms = 25.0f;  // --frame-length: ms per frame
  float dither = 0.0f;            // --dither: stddev of Gaussian noise added per sample
                                  //   (int16 scale); 0 = none (inference). Kaldi's default is 1.
  uint64_t dither_seed = 0;       // --dither-seed: seed of the dither noise (attend::Rng)
  float preemph_coeff = 0.97f;    // --preemphasis-coefficient: 0 = none
  bool remove_dc_offset = true;   // --remove-dc-offset: subtract each frame's mean
  std::string window_type = "povey";  // --window-type: hamming|hanning|povey|rectangular|
                                      //   sine|blackman
  bool round_to_power_of_two = true;  // --round-to-power-of-two: FFT size = next power of 2
  float blackman_coeff = 0.42f;       // --blackman-coeff: the generalized Blackman constant
  bool snip_edges = true;             // --snip-edges: true = only frames that fit in the signal;
                                      //   false = frames centred every shift, edges reflected

  void Register(boost::program_options::options_description* desc);
  // Throws attend::Error naming the flag and the bad value.
  void Validate() const;
  std::string ToString() const;

  // Samples per shift and per frame (Kaldi truncates, e.g. 25 ms at 44.1 kHz = 1102).
  int32_t WindowShift() const { return static_cast<int32_t>(samp_freq * 0.001f * frame_shift_ms); }
  int32_t WindowSize() const { return static_cast<int32_t>(samp_freq * 0.001f * frame_length_ms); }
  // The FFT length: WindowSize() rounded up to a power of two when asked.
  int32_t PaddedWindowSize() const;
};

// The number of frames a signal of `num_samples` yields. With `flush` false
// (streaming, more input may come) and snip_edges false, only the frames that
// are final whatever follows are counted.
int64_t NumFrames(int64_t num_samples, const FrameOptions& opts, bool flush = true);

// The index of the first sample of `frame` (negative at the start when
// snip_edges is false).
int64_t FirstSampleOfFrame(int64_t frame, const FrameOptions& opts);

// The window function of WindowSize() samples, computed once in double.
class FeatureWindowFunction {
 public:
  explicit FeatureWindowFunction(const FrameOptions& opts);
  const std::vector<float>& window() const { return window_; }

 private:
  std::vector<float> window_;
};

// Processes one frame in place: dither, DC removal, pre-emphasis and window
// over the first WindowSize() samples of `frame`, then zero padding up to
// PaddedWindowSize(); `frame` must hold PaddedWindowSize() floats. When
// `log_energy_pre_window` is not null it receives log(sum of squares) after DC
// removal and before pre-emphasis (Kaldi's raw energy), floored at
// FLT_EPSILON as torchaudio does (Kaldi floors at FLT_MIN, giving -87.3 instead
// of -15.9 for digital silence; the same floor as the mel energies is saner).
// `rng` is used only when dither != 0.
void ProcessWindow(const FrameOptions& opts, const FeatureWindowFunction& window, Rng* rng,
                   float* frame, float* log_energy_pre_window);

// Copies frame `frame`'s WindowSize() samples into `window_out` from `wave`,
// which holds the samples from absolute index `sample_offset` on. Indices
// outside the signal are reflected (snip_edges false); the signal's end is
// taken to be the end of `wave`, so frames touching it must wait until the
// input is complete. Kaldi's ExtractWindow without the processing.
void ExtractWindowSamples(int64_t sample_offset, std::span<const float> wave, int64_t frame,
                          const FrameOptions& opts, float* window_out);

}  // namespace attend::frontend
