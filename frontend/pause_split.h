// Where a recording pauses: long audio holding several utterances is cut at
// its pauses, so each segment is one stretch of speech, as in training. An
// attention decoder fed seconds of silence between two sentences loses its
// place and repeats itself; a segment that is silence alone is not decoded.
//
// A frame's loudness is its mean log-mel energy (dB), smoothed over 10 frames
// (SmoothedFrameEnergyDb, as ChooseSplitFrame measures it).
// A frame is quiet when it is near the recording's noise floor (the 10th
// percentile of the frames so far): within a quarter of the way up to its
// speech level (the 95th percentile), and at least 6 dB. Only a recording
// whose speech stands 20 dB above its floor has pauses to find: in noisy
// speech the quietest frames are often speech, so there only digital silence
// (below one int16 step, kept out of the percentiles) is quiet.
#pragma once

#include <cstdint>
#include <vector>

#include "frontend/matrix.h"

namespace attend::frontend {

class PauseSplitter {
 public:
  // `min_pause` frames of quiet end a segment; `keep` frames of the pause stay
  // on either side of the speech (its trailing and leading edges). A leading
  // pause stands alone from `min_leading_pause` frames on (< 0: min_pause;
  // 0: never).
  PauseSplitter(int64_t min_pause, int64_t keep, int64_t min_leading_pause = -1);

  // Adds frames to the recording's statistics (each frame once, in order).
  void Accumulate(const Matrix& features, int64_t first_row);

  // The frame of `features` (rows = the frames not yet decoded) at which to
  // end the next segment, or 0 if no pause settles it yet:
  //  - after sound, a quiet run of min_pause frames: cut `keep` frames into it;
  //  - a quiet run of at least min_leading_pause frames at the start, then sound:
  //    cut `keep` frames before the sound (the pause becomes its own segment).
  int64_t FindCut(const Matrix& features) const;

  // True when no frame of `features` is above the pause level: a segment that
  // is only pause (or only digital silence), not worth decoding.
  bool AllQuiet(const Matrix& features) const;

  void Reset();

 private:
  std::vector<bool> QuietFrames(const Matrix& features) const;
  double PauseLevel() const;

  int64_t min_pause_, keep_, min_leading_pause_;
  std::vector<int64_t> histogram_;  // frames per 0.5-dB bin of (unsmoothed) energy
  int64_t counted_ = 0;
};

}  // namespace attend::frontend
