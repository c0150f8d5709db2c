#include "frontend/pause_split.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "base/error.h"
#include "frontend/energy_split.h"

namespace attend::frontend {
namespace {

// Energies in dB from kLowestDb in kBinDb steps; frames below kDigitalSilenceDb
// are digital silence.
constexpr double kLowestDb = -20.0, kBinDb = 0.5;
constexpr int64_t kBins = 400;  // up to 180 dB
constexpr double kDigitalSilenceDb = 0.0;
constexpr double kMinAboveFloorDb = 6.0;
constexpr double kMinContrastDb = 20.0;
constexpr double kFloorPercentile = 0.10, kSpeechPercentile = 0.95;

}  // namespace

PauseSplitter::PauseSplitter(int64_t min_pause, int64_t keep, int64_t min_leading_pause)
    : min_pause_(min_pause),
      keep_(keep),
      min_leading_pause_(min_leading_pause < 0 ? min_pause : min_leading_pause),
      histogram_(kBins, 0) {
  ATTEND_CHECK(min_pause >= 1 && keep >= 0 && 2 * keep < min_pause, "a pause of ", min_pause,
               " frames cannot keep ", keep, " on each side");
  ATTEND_CHECK(min_leading_pause_ == 0 || 2 * keep < min_leading_pause_, "a leading pause of ",
               min_leading_pause_, " frames cannot keep ", keep, " on each side");
}

void PauseSplitter::Reset() {
  std::fill(histogram_.begin(), histogram_.end(), 0);
  counted_ = 0;
}

void PauseSplitter::Accumulate(const Matrix& features, int64_t first_row) {
  for (int64_t r = std::max<int64_t>(first_row, 0); r < features.rows(); ++r) {
    const double db = FrameEnergyDb(features.Row(r), features.cols());
    if (db < kDigitalSilenceDb) continue;
    const auto bin = static_cast<int64_t>((db - kLowestDb) / kBinDb);
    ++histogram_[std::clamp<int64_t>(bin, 0, kBins - 1)];
    ++counted_;
  }
}

double PauseSplitter::PauseLevel() const {
  if (counted_ == 0) return std::numeric_limits<double>::infinity();  // all digital silence
  auto percentile = [&](double p) {
    const auto rank = static_cast<int64_t>(p * static_cast<double>(counted_ - 1));
    int64_t seen = 0;
    for (int64_t b = 0; b < kBins; ++b) {
      seen += histogram_[b];
      if (seen > rank) return kLowestDb + (static_cast<double>(b) + 0.5) * kBinDb;
    }
    return kLowestDb + kBins * kBinDb;
  };
  const double floor = percentile(kFloorPercentile), speech = percentile(kSpeechPercentile);
  // Noisy speech has no pauses to find: only digital silence is quiet.
  if (speech - floor < kMinContrastDb) return kDigitalSilenceDb;
  return floor + std::max(kMinAboveFloorDb, 0.25 * (speech - floor));
}

std::vector<bool> PauseSplitter::QuietFrames(const Matrix& features) const {
  const double level = PauseLevel();
  const std::vector<double> energy = SmoothedFrameEnergyDb(features);
  std::vector<bool> quiet(energy.size());
  for (size_t r = 0; r < energy.size(); ++r) quiet[r] = energy[r] < level;
  return quiet;
}

bool PauseSplitter::AllQuiet(const Matrix& features) const {
  const std::vector<bool> quiet = QuietFrames(features);
  return std::all_of(quiet.begin(), quiet.end(), [](bool q) { return q; });
}

int64_t PauseSplitter::FindCut(const Matrix& features) const {
  const std::vector<bool> quiet = QuietFrames(features);
  const auto rows = static_cast<int64_t>(quiet.size());
  int64_t r = 0;
  while (r < rows && quiet[r]) ++r;
  // A leading pause long enough to stand alone, and the sound after it.
  if (min_leading_pause_ > 0 && r >= min_leading_pause_ && r < rows) return r - keep_;
  // After sound: the first quiet run of min_pause frames.
  bool sound = false;
  int64_t run = 0;
  for (; r < rows; ++r) {
    if (!quiet[r]) {
      sound = true;
      run = 0;
    } else if (sound && ++run == min_pause_) {
      return r - min_pause_ + 1 + keep_;
    }
  }
  return 0;
}

}  // namespace attend::frontend
