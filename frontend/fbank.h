// Log-mel filterbank features, as Kaldi's feature-fbank.h and
// torchaudio.compliance.kaldi.fbank: FbankOptions (composed of FrameOptions
// and MelBanksOptions, Kaldi's option names) and Fbank, which turns a whole
// waveform (int16 scale) into a frames x bins matrix. OnlineFbank
// (online_fbank.h) computes the same frames from a stream of chunks; both go
// through Fbank::ComputeFrame, so they agree bit for bit.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <boost/program_options/options_description.hpp>

#include "base/random.h"
#include "frontend/feature_window.h"
#include "frontend/matrix.h"
#include "frontend/mel_banks.h"

namespace attend::frontend {

struct FbankOptions {
  FrameOptions frame;
  MelBanksOptions mel;
  bool use_energy = false;    // --use-energy: add log energy as an extra first coefficient
  float energy_floor = 0.0f;  // --energy-floor: floor on the energy (absolute, not log); 0 = none
  bool raw_energy = true;     // --raw-energy: energy before pre-emphasis and window
  bool htk_compat = false;    // --htk-compat: energy last instead of first
  bool use_log_fbank = true;  // --use-log-fbank: log of the mel energies (else linear)
  bool use_power = true;      // --use-power: power spectrum (else magnitude)
  float vtln_warp = 1.0f;     // --vtln-warp: VTLN warp factor (1 = none)

  FbankOptions() { mel.num_bins = 80; }

  // Registers every option under its Kaldi name (frame and mel options too).
  void Register(boost::program_options::options_description* desc);
  void Validate() const;
  std::string ToString() const;
};

// `opts` with its VTLN warp multiplied by `warp` (VTLP in training, a user's
// --vtln-warp in decoding). Throws attend::Error starting with `what` (the
// option to blame) when the warp is not positive or leaves a mel filter
// without an FFT bin.
FbankOptions WithVtlnWarp(FbankOptions opts, float warp, const std::string& what);

class Fbank {
 public:
  // Validates `opts` (throws attend::Error naming the flag) and precomputes the
  // window, the mel filters and the FFT plan.
  explicit Fbank(const FbankOptions& opts);
  ~Fbank();
  Fbank(const Fbank&) = delete;
  Fbank& operator=(const Fbank&) = delete;

  const FbankOptions& options() const { return opts_; }
  // Coefficients per frame: num_bins (+1 with use_energy).
  int32_t Dim() const { return opts_.mel.num_bins + (opts_.use_energy ? 1 : 0); }

  // Features of a whole waveform (samples at int16 scale, at
  // opts.frame.samp_freq): NumFrames(wave.size()) x Dim().
  Matrix Compute(std::span<const float> wave);
  // The same into `out`, whose buffer is reused when large enough (no
  // allocation or first-touch page faults when called again for audio of the
  // same or shorter length).
  void Compute(std::span<const float> wave, Matrix* out);

  // One frame: `frame` holds PaddedWindowSize() floats whose first
  // WindowSize() are the frame's samples; it is overwritten (scratch).
  // Writes Dim() values to `out`. Allocates nothing.
  void ComputeFrame(float* frame, float* out);

  // A buffer of PaddedWindowSize() floats for ComputeFrame.
  std::vector<float>& frame_buffer() { return frame_; }

 private:
  FbankOptions opts_;
  FeatureWindowFunction window_;
  MelBanks mel_banks_;
  Rng rng_;
  void* fft_ = nullptr;          // kiss_fftr_cfg
  std::vector<float> frame_;     // PaddedWindowSize()
  std::vector<float> spectrum_;  // (PaddedWindowSize()/2 + 1) complex, interleaved
  std::vector<float> power_;     // PaddedWindowSize()/2 + 1
  float log_energy_floor_ = 0.0f;
};

}  // namespace attend::frontend
