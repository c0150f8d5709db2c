// Where to cut long audio: a simple energy VAD over log-mel frames. Long
// recordings are decoded in segments of at most a maximum length; each cut
// goes at the quietest point (lowest mean log-mel energy, smoothed over a
// short window) within a search window before the maximum, so cuts fall in
// pauses rather than inside words.
#pragma once

#include <cstdint>
#include <vector>

#include "frontend/matrix.h"

namespace attend::frontend {

// Returns the frame at which to cut `features` (rows = frames): a frame in
// [max_frames - search_frames, max_frames] (clamped to [1, rows]) where the
// mean log-mel energy averaged over `window` frames centred on it is lowest;
// ties go to the latest frame. When rows <= max_frames, returns rows.
int64_t ChooseSplitFrame(const Matrix& features, int64_t max_frames, int64_t search_frames,
                         int64_t window = 10);

// Mean log-mel energy of each frame in dB (10 log10 of the power), averaged
// over `window` frames centred on it (clipped at the ends).
double FrameEnergyDb(const float* frame, int64_t dim);
std::vector<double> SmoothedFrameEnergyDb(const Matrix& features, int64_t window = 10);

}  // namespace attend::frontend
