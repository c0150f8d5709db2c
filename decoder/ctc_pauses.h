// Where the model hears no speech: stretches of CTC output in which greedy
// decoding writes no letter (every frame's most likely token is the blank or
// the word separator). A trained model's blank is peaky: inside speech a
// letter wins a frame every few frames, so a long letterless stretch is a pause
// between words or sentences, or noise the model has learned to ignore. It
// finds pauses where loudness cannot: in noisy recordings, whose pauses are as
// loud as their speech.
#pragma once

#include <cstdint>
#include <vector>

namespace attend::decoder {

struct FrameRange {
  int64_t start = 0;  // first frame
  int64_t end = 0;    // one past the last
  int64_t size() const { return end - start; }
};

// The letterless stretches of log_probs ([frames, vocab] row-major, one
// sequence) at least `min_frames` long, in order. `space` is the word
// separator's id (-1 if the vocabulary has none).
std::vector<FrameRange> CtcPauses(const float* log_probs, int64_t frames, int vocab, int blank,
                                  int space, int64_t min_frames);

}  // namespace attend::decoder
