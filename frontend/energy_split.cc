#include "frontend/energy_split.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "base/error.h"

namespace attend::frontend {

double FrameEnergyDb(const float* frame, int64_t dim) {
  double sum = 0;
  for (int64_t c = 0; c < dim; ++c) sum += frame[c];
  // log-mel is the natural log of power: 10 log10(e) dB per unit.
  return dim > 0 ? sum / static_cast<double>(dim) * 10.0 / std::log(10.0) : 0.0;
}

std::vector<double> SmoothedFrameEnergyDb(const Matrix& features, int64_t window) {
  const int64_t rows = features.rows();
  std::vector<double> energy(rows), smoothed(rows);
  for (int64_t r = 0; r < rows; ++r) energy[r] = FrameEnergyDb(features.Row(r), features.cols());
  const int64_t half = std::max<int64_t>(window, 1) / 2;
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t a = std::max<int64_t>(0, r - half), b = std::min<int64_t>(rows, r + half + 1);
    double sum = 0;
    for (int64_t i = a; i < b; ++i) sum += energy[i];
    smoothed[r] = sum / static_cast<double>(b - a);
  }
  return smoothed;
}

int64_t ChooseSplitFrame(const Matrix& features, int64_t max_frames, int64_t search_frames,
                         int64_t window) {
  const int64_t rows = features.rows();
  ATTEND_CHECK(max_frames >= 1, "maximum segment length must be at least one frame");
  if (rows <= max_frames) return rows;
  const int64_t lo = std::clamp<int64_t>(max_frames - search_frames, 1, max_frames);
  const std::vector<double> energy = SmoothedFrameEnergyDb(features, window);
  int64_t best = max_frames;
  double best_energy = std::numeric_limits<double>::infinity();
  for (int64_t f = max_frames; f >= lo; --f) {
    if (energy[f] < best_energy) {
      best_energy = energy[f];
      best = f;
    }
  }
  return best;
}

}  // namespace attend::frontend
