#include "decoder/attention_stats.h"

#include <algorithm>
#include <boost/program_options.hpp>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "base/config_text.h"
#include "base/error.h"

namespace attend::decoder {

namespace po = boost::program_options;

void AttentionStatsOptions::Register(po::options_description* desc) {
  desc->add_options()(
      "coverage-min-weight",
      po::value(&coverage_min_weight)
          ->default_value(coverage_min_weight, ShownDefault(coverage_min_weight)),
      "a frame is covered when its weight summed over all steps is at least this times 1/frames")(
      "stall-steps", po::value(&stall_steps)->default_value(stall_steps),
      "a stall is this many consecutive steps or more with the same peak frame")(
      "jump-back-frames", po::value(&jump_back_frames)->default_value(jump_back_frames),
      "a jump back is a step whose peak moves back by more than this many frames")(
      "tail-fraction",
      po::value(&tail_fraction)->default_value(tail_fraction, ShownDefault(tail_fraction)),
      "the tail: this share of the frames at the end, in (0, 1)")(
      "tail-min-weight",
      po::value(&tail_min_weight)->default_value(tail_min_weight, ShownDefault(tail_min_weight)),
      "the tail is unattended when it gets less than this share of the total weight, in [0, 1]");
}

void AttentionStatsOptions::Validate() const {
  ATTEND_CHECK(coverage_min_weight >= 0, "--coverage-min-weight must be >= 0, got ",
               coverage_min_weight);
  ATTEND_CHECK(stall_steps >= 2, "--stall-steps must be >= 2, got ", stall_steps);
  ATTEND_CHECK(jump_back_frames >= 0, "--jump-back-frames must be >= 0, got ", jump_back_frames);
  ATTEND_CHECK(tail_fraction > 0 && tail_fraction < 1, "--tail-fraction must be in (0, 1), got ",
               tail_fraction);
  ATTEND_CHECK(tail_min_weight >= 0 && tail_min_weight <= 1,
               "--tail-min-weight must be in [0, 1], got ", tail_min_weight);
}

std::string AttentionStatsOptions::ToString() const {
  std::ostringstream out;
  out << "coverage-min-weight=" << coverage_min_weight << " stall-steps=" << stall_steps
      << " jump-back-frames=" << jump_back_frames << " tail-fraction=" << tail_fraction
      << " tail-min-weight=" << tail_min_weight;
  return out.str();
}

std::vector<int64_t> AttentionPeaks(const AttentionMatrix& a) {
  std::vector<int64_t> peaks(a.rows, 0);
  if (a.frames == 0) return peaks;
  for (int64_t i = 0; i < a.rows; ++i)
    peaks[i] = std::max_element(a.Row(i), a.Row(i) + a.frames) - a.Row(i);
  return peaks;
}

double Sharpness(const AttentionMatrix& a) {
  if (a.rows == 0 || a.frames == 0) return 0;
  double sum = 0;
  for (int64_t i = 0; i < a.rows; ++i) sum += *std::max_element(a.Row(i), a.Row(i) + a.frames);
  return sum / static_cast<double>(a.rows);
}

double MeanEntropy(const AttentionMatrix& a) {
  if (a.rows == 0) return 0;
  double sum = 0;
  for (int64_t i = 0; i < a.rows; ++i)
    for (int64_t t = 0; t < a.frames; ++t) {
      const double w = a.Row(i)[t];
      if (w > 0) sum -= w * std::log(w);
    }
  return sum / static_cast<double>(a.rows);
}

double Monotonicity(const std::vector<int64_t>& peaks) {
  if (peaks.size() < 2) return 1;
  int64_t forward = 0;
  for (size_t i = 1; i < peaks.size(); ++i) forward += peaks[i] >= peaks[i - 1];
  return static_cast<double>(forward) / static_cast<double>(peaks.size() - 1);
}

double Coverage(const AttentionMatrix& a, const AttentionStatsOptions& options) {
  if (a.frames == 0) return 0;
  const double min_weight = options.coverage_min_weight / static_cast<double>(a.frames);
  int64_t covered = 0;
  for (int64_t t = 0; t < a.frames; ++t) {
    double sum = 0;
    for (int64_t i = 0; i < a.rows; ++i) sum += a.Row(i)[t];
    covered += sum >= min_weight;
  }
  return static_cast<double>(covered) / static_cast<double>(a.frames);
}

int64_t CountStalls(const std::vector<int64_t>& peaks, const AttentionStatsOptions& options) {
  int64_t stalls = 0, run = 0;
  for (size_t i = 0; i < peaks.size(); ++i) {
    run = i > 0 && peaks[i] == peaks[i - 1] ? run + 1 : 1;
    stalls += run == options.stall_steps;  // each run counts once, when it gets long enough
  }
  return stalls;
}

int64_t CountJumpsBack(const std::vector<int64_t>& peaks, const AttentionStatsOptions& options) {
  int64_t jumps = 0;
  for (size_t i = 1; i < peaks.size(); ++i)
    jumps += peaks[i - 1] - peaks[i] > options.jump_back_frames;
  return jumps;
}

double TailWeight(const AttentionMatrix& a, const AttentionStatsOptions& options) {
  if (a.frames == 0) return 0;
  // The slack keeps a product such as 0.1f × 10 (just above 1 in double)
  // from rounding up to one frame more.
  const double exact = static_cast<double>(options.tail_fraction) * static_cast<double>(a.frames);
  const int64_t tail =
      std::clamp<int64_t>(static_cast<int64_t>(std::ceil(exact - 1e-6)), 1, a.frames);
  double total = 0, in_tail = 0;
  for (int64_t i = 0; i < a.rows; ++i)
    for (int64_t t = 0; t < a.frames; ++t) {
      total += a.Row(i)[t];
      if (t >= a.frames - tail) in_tail += a.Row(i)[t];
    }
  return total > 0 ? in_tail / total : 0;
}

double MeanPeakDistance(const std::vector<int64_t>& peaks, const std::vector<int64_t>& reference) {
  const size_t n = std::min(peaks.size(), reference.size());
  if (n == 0) return -1;
  double sum = 0;
  for (size_t i = 0; i < n; ++i) sum += static_cast<double>(std::llabs(peaks[i] - reference[i]));
  return sum / static_cast<double>(n);
}

AttentionStats ComputeAttentionStats(const AttentionMatrix& a,
                                     const std::vector<int64_t>& ctc_frames,
                                     const AttentionStatsOptions& options) {
  const std::vector<int64_t> peaks = AttentionPeaks(a);
  AttentionStats s;
  s.rows = a.rows;
  s.frames = a.frames;
  s.sharpness = Sharpness(a);
  s.entropy = MeanEntropy(a);
  s.monotonicity = Monotonicity(peaks);
  s.coverage = Coverage(a, options);
  s.tail_weight = TailWeight(a, options);
  s.ctc_distance = MeanPeakDistance(peaks, ctc_frames);
  s.stalls = CountStalls(peaks, options);
  s.jumps_back = CountJumpsBack(peaks, options);
  s.unattended_tail = s.tail_weight < options.tail_min_weight;
  return s;
}

AttentionStatsSummary Summarize(const std::vector<AttentionStats>& stats) {
  AttentionStatsSummary sum;
  double ctc_distance = 0;
  for (const AttentionStats& s : stats) {
    ++sum.utterances;
    sum.sharpness += s.sharpness;
    sum.entropy += s.entropy;
    sum.monotonicity += s.monotonicity;
    sum.coverage += s.coverage;
    if (s.ctc_distance >= 0) {
      ctc_distance += s.ctc_distance;
      ++sum.ctc_aligned;
    }
    sum.stalls += s.stalls;
    sum.jumps_back += s.jumps_back;
    sum.unattended_tails += s.unattended_tail;
  }
  if (sum.utterances > 0) {
    const auto n = static_cast<double>(sum.utterances);
    sum.sharpness /= n;
    sum.entropy /= n;
    sum.monotonicity /= n;
    sum.coverage /= n;
  }
  if (sum.ctc_aligned > 0) sum.ctc_distance = ctc_distance / static_cast<double>(sum.ctc_aligned);
  return sum;
}

}  // namespace attend::decoder
