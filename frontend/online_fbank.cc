#include "frontend/online_fbank.h"

#include <algorithm>

#include "base/error.h"

namespace attend::frontend {

OnlineFbank::OnlineFbank(const FbankOptions& opts) : fbank_(opts), pending_(0, fbank_.Dim()) {}

void OnlineFbank::AcceptWaveform(std::span<const float> samples) {
  ATTEND_CHECK(!input_finished_, "OnlineFbank: AcceptWaveform after InputFinished");
  if (samples.empty()) return;
  waveform_.insert(waveform_.end(), samples.begin(), samples.end());
  ComputeReadyFrames();
}

void OnlineFbank::InputFinished() {
  input_finished_ = true;
  ComputeReadyFrames();
}

void OnlineFbank::ComputeReadyFrames() {
  const FrameOptions& frame_opts = fbank_.options().frame;
  const int64_t num_samples = waveform_offset_ + static_cast<int64_t>(waveform_.size());
  const int64_t num_frames = NumFrames(num_samples, frame_opts, input_finished_);
  float* frame = fbank_.frame_buffer().data();
  std::vector<float> row(fbank_.Dim());
  for (int64_t f = frames_done_; f < num_frames; ++f) {
    ExtractWindowSamples(waveform_offset_, waveform_, f, frame_opts, frame);
    fbank_.ComputeFrame(frame, row.data());
    pending_.AppendRow(row.data());
  }
  frames_done_ = std::max(frames_done_, num_frames);
  // Drop the samples no later frame needs (those before its first sample; at
  // the start with snip_edges false that is negative, and nothing is dropped).
  const int64_t keep_from = FirstSampleOfFrame(frames_done_, frame_opts);
  const int64_t drop =
      std::min<int64_t>(keep_from - waveform_offset_, static_cast<int64_t>(waveform_.size()));
  if (drop > 0) {
    waveform_.erase(waveform_.begin(), waveform_.begin() + drop);
    waveform_offset_ += drop;
  }
}

int64_t OnlineFbank::PopFrames(Matrix* out) {
  const int64_t n = pending_.rows();
  if (out->rows() == 0 && out->cols() != Dim()) out->Resize(0, Dim());
  ATTEND_CHECK(out->cols() == Dim(), "OnlineFbank::PopFrames: output has ", out->cols(),
               " columns, expected ", Dim());
  out->ReserveRows(out->rows() + n);
  for (int64_t r = 0; r < n; ++r) out->AppendRow(pending_.Row(r));
  pending_.Resize(0, Dim());
  return n;
}

void OnlineFbank::Reset() {
  waveform_.clear();
  waveform_offset_ = 0;
  frames_done_ = 0;
  input_finished_ = false;
  pending_.Resize(0, Dim());
}

}  // namespace attend::frontend
