#include "decoder/attention_stats.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "base/error.h"

namespace attend::decoder {
namespace {

// Rows that put all their weight on one frame each: row i on peaks[i].
std::vector<float> OneHot(const std::vector<int64_t>& peaks, int64_t frames) {
  std::vector<float> w(peaks.size() * frames, 0.0f);
  for (size_t i = 0; i < peaks.size(); ++i) w[i * frames + peaks[i]] = 1.0f;
  return w;
}

AttentionMatrix View(const std::vector<float>& w, int64_t rows) {
  return {w.data(), rows, static_cast<int64_t>(w.size()) / rows};
}

TEST(AttentionStats, PerfectDiagonal) {
  const std::vector<float> w = OneHot({0, 1, 2, 3, 4, 5, 6, 7}, 8);
  const AttentionMatrix a = View(w, 8);
  const AttentionStats s = ComputeAttentionStats(a, {0, 1, 2, 3, 4, 5, 6, 7}, {});
  EXPECT_DOUBLE_EQ(s.sharpness, 1.0);
  EXPECT_DOUBLE_EQ(s.entropy, 0.0);
  EXPECT_DOUBLE_EQ(s.monotonicity, 1.0);
  EXPECT_DOUBLE_EQ(s.coverage, 1.0);
  EXPECT_DOUBLE_EQ(s.ctc_distance, 0.0);
  EXPECT_DOUBLE_EQ(s.tail_weight, 1.0 / 8);  // the last ceil(0.8) = 1 frame
  EXPECT_EQ(s.stalls, 0);
  EXPECT_EQ(s.jumps_back, 0);
  EXPECT_FALSE(s.unattended_tail);
  // An alignment one frame later throughout is one frame away on average.
  EXPECT_DOUBLE_EQ(MeanPeakDistance(AttentionPeaks(a), {1, 2, 3, 4, 5, 6, 7, 8}), 1.0);
}

TEST(AttentionStats, Uniform) {
  const int64_t rows = 4, frames = 10;
  const std::vector<float> w(rows * frames, 1.0f / frames);
  const AttentionStats s = ComputeAttentionStats(View(w, rows), {}, {});
  EXPECT_NEAR(s.sharpness, 0.1, 1e-6);
  EXPECT_NEAR(s.entropy, std::log(10.0), 1e-5);
  EXPECT_DOUBLE_EQ(s.coverage, 1.0);
  EXPECT_NEAR(s.tail_weight, 0.1, 1e-6);
  EXPECT_FALSE(s.unattended_tail);
  EXPECT_DOUBLE_EQ(s.ctc_distance, -1.0);  // no alignment given
  // Ties resolve to the first frame: every peak is frame 0, one stall of 4.
  EXPECT_DOUBLE_EQ(s.monotonicity, 1.0);
  EXPECT_EQ(s.stalls, 1);
}

TEST(AttentionStats, JumpBack) {
  // 4 -> 3 moves back one frame (not a jump at the default 2); 6 -> 1 jumps.
  const std::vector<int64_t> peaks = {0, 2, 4, 3, 6, 1, 7};
  const std::vector<float> w = OneHot(peaks, 8);
  const AttentionStats s = ComputeAttentionStats(View(w, 7), {}, {});
  EXPECT_DOUBLE_EQ(s.monotonicity, 4.0 / 6);
  EXPECT_EQ(s.jumps_back, 1);
  AttentionStatsOptions strict;
  strict.jump_back_frames = 0;
  EXPECT_EQ(CountJumpsBack(peaks, strict), 2);
  EXPECT_EQ(s.stalls, 0);
}

TEST(AttentionStats, Stall) {
  // A run of four on frame 1 and a run of three on frame 3: two stalls.
  const std::vector<int64_t> peaks = {0, 1, 1, 1, 1, 2, 3, 3, 3, 5};
  const std::vector<float> w = OneHot(peaks, 6);
  const AttentionStats s = ComputeAttentionStats(View(w, 10), {}, {});
  EXPECT_EQ(s.stalls, 2);
  EXPECT_DOUBLE_EQ(s.monotonicity, 1.0);
  EXPECT_EQ(s.jumps_back, 0);
  EXPECT_DOUBLE_EQ(s.coverage, 5.0 / 6);  // frame 4 gets nothing
  AttentionStatsOptions longer;
  longer.stall_steps = 4;
  EXPECT_EQ(CountStalls(peaks, longer), 1);
  longer.stall_steps = 5;
  EXPECT_EQ(CountStalls(peaks, longer), 0);
}

TEST(AttentionStats, UnattendedTail) {
  // Five steps over the first five of ten frames: the end is never attended.
  const std::vector<float> w = OneHot({0, 1, 2, 3, 4}, 10);
  const AttentionStats s = ComputeAttentionStats(View(w, 5), {}, {});
  EXPECT_DOUBLE_EQ(s.tail_weight, 0.0);
  EXPECT_TRUE(s.unattended_tail);
  EXPECT_DOUBLE_EQ(s.coverage, 0.5);
  EXPECT_DOUBLE_EQ(s.sharpness, 1.0);
  // A tail of 60 % of the frames reaches frame 4.
  AttentionStatsOptions wide;
  wide.tail_fraction = 0.6f;
  EXPECT_DOUBLE_EQ(TailWeight(View(w, 5), wide), 0.2);
}

TEST(AttentionStats, SoftRowEntropyAndCoverageThreshold) {
  // One row [0.5, 0.5, 0, 0]: entropy log 2, sharpness 0.5; with a threshold
  // of 0.5/4 per frame half the frames are covered.
  const std::vector<float> w = {0.5f, 0.5f, 0.0f, 0.0f};
  const AttentionMatrix a = View(w, 1);
  EXPECT_NEAR(MeanEntropy(a), std::log(2.0), 1e-6);
  EXPECT_DOUBLE_EQ(Sharpness(a), 0.5);
  EXPECT_DOUBLE_EQ(Coverage(a, {}), 0.5);
  AttentionStatsOptions high;
  high.coverage_min_weight = 2.5f;  // 0.625 per frame
  EXPECT_DOUBLE_EQ(Coverage(a, high), 0.0);
  EXPECT_DOUBLE_EQ(Monotonicity(AttentionPeaks(a)), 1.0);
}

TEST(AttentionStats, Summarize) {
  AttentionStats a, b;
  a.sharpness = 1.0, a.monotonicity = 1.0, a.ctc_distance = 2.0, a.stalls = 1;
  b.sharpness = 0.5, b.monotonicity = 0.5, b.ctc_distance = -1, b.jumps_back = 2;
  b.unattended_tail = true;
  const AttentionStatsSummary s = Summarize({a, b});
  EXPECT_EQ(s.utterances, 2);
  EXPECT_DOUBLE_EQ(s.sharpness, 0.75);
  EXPECT_DOUBLE_EQ(s.monotonicity, 0.75);
  EXPECT_DOUBLE_EQ(s.ctc_distance, 2.0);  // only the aligned utterance
  EXPECT_EQ(s.ctc_aligned, 1);
  EXPECT_EQ(s.stalls, 1);
  EXPECT_EQ(s.jumps_back, 2);
  EXPECT_EQ(s.unattended_tails, 1);
  EXPECT_DOUBLE_EQ(Summarize({}).ctc_distance, -1.0);
}

TEST(AttentionStatsOptions, ValidateNamesTheFlag) {
  AttentionStatsOptions o;
  EXPECT_NO_THROW(o.Validate());
  o.tail_fraction = 1.0f;
  EXPECT_THROW(o.Validate(), Error);
  o = {};
  o.stall_steps = 1;
  try {
    o.Validate();
    FAIL() << "no throw";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--stall-steps"), std::string::npos);
  }
}

}  // namespace
}  // namespace attend::decoder
