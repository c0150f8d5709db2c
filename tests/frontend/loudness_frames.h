// Test helper: feature matrices with a chosen loudness envelope, for the
// pause and endpoint rules (frontend/pause_split.h, api/endpoint.h).
#pragma once

#include <cmath>
#include <cstdint>
#include <initializer_list>

#include "frontend/matrix.h"

namespace attend::frontend::testutil {

// Log-mel levels (natural log of power): "speech" 14 (61 dB) with a ±1
// ripple, "noise" 9 (39 dB), digital silence ln(FLT_EPSILON) (-69 dB).
constexpr float kSpeech = 14.0f, kNoise = 9.0f, kSilence = -15.9f;

// `rows` frames, all at `level` but for the runs given as {start, end, level}.
struct Run {
  int64_t start, end;
  float level;
};
inline Matrix Frames(int64_t rows, float level, std::initializer_list<Run> runs) {
  Matrix m(rows, 4);
  for (int64_t r = 0; r < rows; ++r) {
    float v = level;
    for (const Run& run : runs)
      if (r >= run.start && r < run.end) v = run.level;
    if (v == kSpeech) v += std::sin(static_cast<float>(r));  // syllables
    for (int64_t c = 0; c < 4; ++c) m(r, c) = v;
  }
  return m;
}

}  // namespace attend::frontend::testutil
