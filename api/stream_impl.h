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
  // Sets t->text: the best alternatives of its segments joined by spaces.
  static void JoinText(Transcript* t);
  // A recording given as features [frames, dim] row-major (before CMVN):
  // resets, segments and decodes them, and returns the transcript.
  Transcript RecognizeFeatures(const float* features, int64_t frames, int64_t dim);

  // Batches across recordings (api/batch_recognition.h). With deferred
  // decoding, an utterance that ends is kept as features instead of being
  // encoded and searched: TakePending() hands them over, in order.
  struct PendingUtterance {
    frontend::Matrix feats;   // [frames, dim], before CMVN
    int64_t start_frame = 0;  // in the recording
  };
  // One utterance's encoder output, as a batch of one would give it:
  // encoded [T', 1, D] and ctc_log_probs [T', 1, V] tnc, T' the padded
  // length a batch of one has; `length` valid frames.
  struct EncodedUtterance {
    nn::Tensor encoded, ctc_log_probs;
    int64_t length = 0;
  };
  void set_defer_decoding(bool defer) { defer_decoding_ = defer; }
  std::vector<PendingUtterance> TakePending();
  // Encodes utterances as one batch [T, N, dim] (padded to the longest; the
  // padding is masked) and splits the output per utterance.
  void EncodeBatch(const std::vector<const frontend::Matrix*>& feats,
                   std::vector<EncodedUtterance>* out);
  // The beam search and result assembly of one encoded utterance of
  // `frames` feature frames starting at `start_frame`.
  Segment SearchUtterance(const EncodedUtterance& utt, int64_t start_frame, int64_t frames);

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
  Segment Search(const nn::Tensor& encoded, const std::vector<int64_t>& lengths,
                 const nn::Tensor& ctc_log_probs, int64_t start_frame, int64_t frames);

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
  bool defer_decoding_ = false;
  std::vector<PendingUtterance> pending_;
  std::deque<Segment> results_;
  // PartialText's last answer and the open frames it covered.
  std::string partial_;
  int64_t partial_frames_ = -1, partial_start_ = -1;

  // Encoder and CTC state, reused across utterances.
  nn::Tensor input_, encoded_, ctc_log_probs_;
  std::vector<int64_t> out_lengths_, batch_lengths_;
  acoustic::Encoder::Context encoder_ctx_;
  nn::Linear::State ctc_plans_;
};

}  // namespace attend
