#include "decoder/ctc_pauses.h"

#include <algorithm>

#include "base/error.h"

namespace attend::decoder {

std::vector<FrameRange> CtcPauses(const float* log_probs, int64_t frames, int vocab, int blank,
                                  int space, int64_t min_frames) {
  ATTEND_CHECK(vocab > 0 && blank >= 0 && blank < vocab && space < vocab && min_frames >= 1,
               "bad CTC pause query: vocab ", vocab, ", blank ", blank, ", space ", space,
               ", min_frames ", min_frames);
  std::vector<FrameRange> pauses;
  int64_t run_start = 0;
  for (int64_t t = 0; t <= frames; ++t) {
    bool letter = t == frames;  // the end closes the last run
    if (!letter) {
      const float* row = log_probs + t * vocab;
      const int best = static_cast<int>(std::max_element(row, row + vocab) - row);
      letter = best != blank && best != space;
    }
    if (!letter) continue;
    if (t - run_start >= min_frames) pauses.push_back({run_start, t});
    run_start = t + 1;
  }
  return pauses;
}

}  // namespace attend::decoder
