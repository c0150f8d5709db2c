// The Stream behind include/attend/stream.h, and the one segmentation path
// of every recognition: audio → fixed blocks → streaming fbank → endpointer
// (utterance boundaries) → CMVN → encoder → CTC head → beam search →
// timestamps. Whole recordings (Recognizer::RecognizeFile and friends) are
// streams fed as fast as they can be read. Memory is bounded by one
// utterance's features, whatever the length of the audio.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/decoding_setup.h"
#include "api/endpoint.h"
#include "attend/stream.h"
#include "decoder/beam_search.h"
#include "frontend/online_fbank.h"
#include "frontend/resampler.h"
#include "nn/tensor.h"

namespace attend {

class StreamImpl : public Stream {
 public:
  explicit StreamImpl(std::shared_ptr<const DecodingSetup> setup);

  void AcceptWaveform(const float* samples, int64_t count, int sample_rate_hz) override;
  void Finish() override;
  bool IsEndpoint() const override { return !results_.empty(); }
  Segment Result() override;
  std::string PartialText() override;
  double Duration() const override;
  double SecondsPerFrame() const override;
  void Reset() override;

  // One block of audio at the model's rate and int16 scale, as
  // frontend::AudioReader reads it: the features it completes, then the
  // utterances that end. (AcceptWaveform cuts its input into such blocks.)
  void AcceptBlock(const std::vector<float>& samples);
  // Ends the input and takes every result as one transcript.
  Transcript FinishTranscript();
  // A recording given as features [frames, dim] row-major (before CMVN):
  // resets, segments and decodes them, and returns the transcript.
  Transcript RecognizeFeatures(const float* features, int64_t frames, int64_t dim);

 private:
  // The input block in block_ (resampled when the input's rate is not the
  // model's) to AcceptBlock; empties block_.
  void FeedInputBlock();
  // Moves the frames the filterbank has ready to open_, and to the endpointer.
  void PopFrames();
  // Applies the endpointer's boundaries until it waits for more audio.
  void DecodeEndedUtterances(bool final);
  void DecodeUtterance(int64_t frames);
  // The words' calibrated confidences (when the setup has a calibration) and
  // their features (when asked for); features: one per word of alt.
  void SetWordConfidences(const std::vector<decoder::WordFeatures>& features,
                          Alternative* alt) const;
  // Removes open_'s first `frames` rows (decoded or pause).
  void DropFrames(int64_t frames);
  frontend::Matrix OpenRows(int64_t frames) const;
  // The encoder and the CTC head over `feats` (before CMVN): encoded_,
  // ctc_log_probs_ and out_lengths_ hold the result.
  void Encode(frontend::Matrix feats);
  double FrameShiftSeconds() const;

  std::shared_ptr<const DecodingSetup> setup_;
  const model::AsrModel& network_;
  const DecodeOptions& options_;
  frontend::OnlineFbank fbank_;
  Endpointer endpointer_;
  // One search for every utterance: it keeps its buffers (and the decoder's
  // state) between them.
  decoder::BeamSearch search_;

  // The recording so far.
  int input_rate_hz_ = 0;                         // AcceptWaveform's; 0 before any
  std::optional<frontend::Resampler> resampler_;  // for input at another rate
  std::vector<float> block_;                      // input not yet fed (int16 scale), < one block
  std::vector<float> resampled_;                  // one block resampled
  frontend::Matrix open_;                         // features not yet decoded
  int64_t open_start_frame_ = 0;                  // open_'s first frame in the recording
  int64_t samples_ = 0;
  bool finished_ = false;
  std::deque<Segment> results_;
  // PartialText's last answer and the open frames it covered.
  std::string partial_;
  int64_t partial_frames_ = -1, partial_start_ = -1;

  // Encoder and CTC state, reused across utterances.
  nn::Tensor input_, encoded_, ctc_log_probs_;
  std::vector<int64_t> out_lengths_;
  acoustic::Encoder::Context encoder_ctx_;
  nn::Linear::State ctc_plans_;
};

}  // namespace attend
