#include "frontend/pause_split.h"

#include <gtest/gtest.h>

#include <cmath>

#include "base/error.h"
#include "tests/frontend/loudness_frames.h"

namespace attend::frontend {
namespace {

using testutil::Frames;
using testutil::kNoise;
using testutil::kSilence;
using testutil::kSpeech;

PauseSplitter Seen(const Matrix& m) {
  PauseSplitter p(/*min_pause=*/100, /*keep=*/20);
  p.Accumulate(m, 0);
  return p;
}

TEST(PauseSplit, AfterSpeechAPauseOfMinPauseFramesEndsTheSegmentKeepFramesIn) {
  const Matrix m = Frames(800, kNoise, {{0, 300, kSpeech}});
  const int64_t cut = Seen(m).FindCut(m);
  EXPECT_GE(cut, 315);  // 300 + keep, give or take the 10-frame smoothing
  EXPECT_LE(cut, 326);
}

TEST(PauseSplit, ALeadingPauseBecomesItsOwnSegmentEndingKeepFramesBeforeSpeech) {
  const Matrix m = Frames(700, kNoise, {{400, 700, kSpeech}});
  const PauseSplitter p = Seen(m);
  const int64_t cut = p.FindCut(m);
  EXPECT_GE(cut, 374);  // 400 - keep, give or take the smoothing
  EXPECT_LE(cut, 385);
  Matrix pause(cut, 4), speech(300, 4);
  std::copy_n(m.data(), cut * 4, pause.data());
  std::copy_n(m.data() + 400 * 4, 300 * 4, speech.data());
  EXPECT_TRUE(p.AllQuiet(pause));
  EXPECT_FALSE(p.AllQuiet(speech));
}

TEST(PauseSplit, AShortPauseOrOneStillGrowingWithoutSpeechAfterIsNoCut) {
  const Matrix shorter = Frames(800, kSpeech, {{300, 380, kNoise}, {600, 800, kNoise}});
  EXPECT_EQ(Seen(shorter).FindCut(Frames(500, kSpeech, {{300, 380, kNoise}})), 0);
  const Matrix leading = Frames(300, kNoise, {});  // only a pause so far
  PauseSplitter p = Seen(Frames(800, kNoise, {{0, 300, kSpeech}}));
  EXPECT_EQ(p.FindCut(leading), 0);
}

TEST(PauseSplit, NoisySpeechHasNoPausesButDigitalSilenceIsQuiet) {
  // Speech 10 dB over the noise: its quietest frames could be speech.
  const float noisy = kSpeech - 10.0f / 4.343f;
  const Matrix m = Frames(800, noisy, {{0, 300, kSpeech}});
  const PauseSplitter p = Seen(m);
  EXPECT_EQ(p.FindCut(m), 0);
  EXPECT_FALSE(p.AllQuiet(m));
  EXPECT_TRUE(p.AllQuiet(Frames(50, kSilence, {})));
  // A recording of digital silence alone is all quiet.
  const Matrix zeros = Frames(300, kSilence, {});
  EXPECT_TRUE(Seen(zeros).AllQuiet(zeros));
}

TEST(PauseSplit, BadSettingsAreErrors) {
  EXPECT_THROW(PauseSplitter(0, 0), Error);
  EXPECT_THROW(PauseSplitter(10, 5), Error);  // keeps more than the pause
}

}  // namespace
}  // namespace attend::frontend
