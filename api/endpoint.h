// The endpointer: EndpointOptions' rules applied to the open audio of one
// stream (its feature frames not yet decoded), in frames. It keeps the
// loudness statistics of the stream (frontend::PauseSplitter) and asks the
// caller for CTC posteriors only when rule 3 or the end of input needs the
// model's pauses. It owns no audio: the stream buffers the frames, decodes
// the utterances the endpointer delimits and drops the frames it is done with.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "attend/endpoint.h"
#include "frontend/matrix.h"
#include "frontend/pause_split.h"

namespace attend {

// A boundary in the open audio: an utterance ends at frame `end`, and the
// next starts at `next` (the frames between are pause, not decoded). An
// `end` of 0 ends no utterance (a leading pause is dropped).
struct EndpointCut {
  int64_t end = 0, next = 0;
};

// Greedy-CTC view of the first frames of the open audio: log-posteriors
// [frames, vocab] row-major at the encoder's frame rate.
struct CtcView {
  const float* log_probs = nullptr;
  int64_t frames = 0;
  int vocab = 0;
};

class Endpointer {
 public:
  // frame_shift_seconds: the features' frame shift; reduction: feature frames
  // per encoder frame; blank and space: the CTC blank and the word separator
  // (-1 when the vocabulary has none). Validates the options.
  Endpointer(const EndpointOptions& options, double frame_shift_seconds, int64_t reduction,
             int blank, int space);

  // Starts a new stream.
  void Reset();
  // Adds the open audio's rows from `first_new` on to the loudness statistics
  // (each frame once, in order).
  void Accept(const frontend::Matrix& open, int64_t first_new);

  // Encodes the open audio's first `window` frames and returns their CTC view.
  using CtcFn = std::function<CtcView(int64_t window)>;
  // The boundaries to apply now to the open audio `open`, in order (empty:
  // wait for more audio). `final`: no more audio will come. `after_utterance`:
  // an earlier utterance of the stream ended (a lone short recording is
  // decoded whole, like the utterances the model learned from). The last cut
  // of the final call ends at open.rows().
  std::vector<EndpointCut> Decide(const frontend::Matrix& open, bool final, bool after_utterance,
                                  const CtcFn& ctc) const;
  // Rule 1: true when `features` hold no sound (only pause or digital
  // silence), so the utterance is dropped.
  bool IsPauseOnly(const frontend::Matrix& features) const;

  int64_t max_frames() const { return max_frames_; }

 private:
  // Rule 3 and the end of input: the cuts the CTC head's pauses make in the
  // first `window` frames; with `must_cut`, at least one.
  std::vector<EndpointCut> ModelCuts(const frontend::Matrix& open, int64_t window, bool must_cut,
                                     const CtcFn& ctc) const;

  EndpointOptions options_;
  int64_t reduction_;
  int blank_, space_;
  int64_t max_frames_ = 0;     // rule 3
  int64_t search_frames_ = 0;  // rule 3's search range
  int64_t min_pause_ = 0;      // rule 2; 0 = off
  int64_t keep_ = 0;
  std::optional<frontend::PauseSplitter> pauses_;  // none with rules 1 and 2 off
};

}  // namespace attend
