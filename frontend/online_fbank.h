// Streaming filterbank, as Kaldi's OnlineFbank (online-feature.h): fed chunks
// of any size, it emits exactly the frames Fbank::Compute gives for the whole
// waveform, bit for bit (both compute each frame with Fbank::ComputeFrame on
// the same samples). Memory stays bounded: only the samples the next frame
// needs are kept, and emitted frames are handed over by PopFrames.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "frontend/fbank.h"
#include "frontend/matrix.h"

namespace attend::frontend {

class OnlineFbank {
 public:
  explicit OnlineFbank(const FbankOptions& opts);

  int32_t Dim() const { return fbank_.Dim(); }

  // Appends samples (int16 scale, at opts.frame.samp_freq) and computes every
  // frame that is now final. Throws attend::Error after InputFinished().
  void AcceptWaveform(std::span<const float> samples);
  // Declares the end of the input: computes the last frames (with
  // snip_edges false, those reflected at the end).
  void InputFinished();
  bool IsLastFrameReady() const { return input_finished_; }

  // Frames computed so far (popped or not).
  int64_t NumFramesReady() const { return frames_done_; }
  // Appends the frames computed since the last call to `out` (whose cols must
  // be Dim(), or which must be empty) and forgets them; returns how many.
  int64_t PopFrames(Matrix* out);

  // Starts a new utterance with the same options (the dither sequence continues).
  void Reset();

 private:
  void ComputeReadyFrames();

  Fbank fbank_;
  std::vector<float> waveform_;  // samples from absolute index waveform_offset_ on
  int64_t waveform_offset_ = 0;
  int64_t frames_done_ = 0;
  bool input_finished_ = false;
  Matrix pending_;  // computed, not yet popped
};

}  // namespace attend::frontend
