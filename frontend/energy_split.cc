#include "frontend/energy_split.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "base/error.h"

namespace attend::frontend {

int64_t ChooseSplitFrame(const Matrix& features, int64_t max_frames, int64_t search_frames,
                         int64_t window) {
  const int64_t rows = features.rows();
  ATTEND_CHECK(max_frames >= 1, "maximum segment length must be at least one frame");
  if (rows <= max_frames) return rows;
  const int64_t lo = std::clamp<int64_t>(max_frames - search_frames, 1, max_frames);
  // Mean log-mel energy of each frame, then a moving average over `window`.
  std::vector<double> energy(rows);
  for (int64_t r = 0; r < rows; ++r) {
    double sum = 0;
    for (int64_t c = 0; c < features.cols(); ++c) sum += features(r, c);
    energy[r] = features.cols() > 0 ? sum / static_cast<double>(features.cols()) : 0.0;
  }
  const int64_t half = std::max<int64_t>(window, 1) / 2;
  int64_t best = max_frames;
  double best_energy = std::numeric_limits<double>::infinity();
  for (int64_t f = max_frames; f >= lo; --f) {
    const int64_t a = std::max<int64_t>(0, f - half), b = std::min<int64_t>(rows, f + half + 1);
    double sum = 0;
    for (int64_t r = a; r < b; ++r) sum += energy[r];
    const double mean = sum / static_cast<double>(b - a);
    if (mean < best_energy) {
      best_energy = mean;
      best = f;
    }
  }
  return best;
}

}  // namespace attend::frontend
