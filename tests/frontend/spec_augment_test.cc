#include "frontend/spec_augment.h"

#include <gtest/gtest.h>

#include "base/error.h"
#include "frontend/speed_perturb.h"
#include "tests/frontend/audio_test_util.h"

namespace attend::frontend {
namespace {

Matrix Ramp(int rows, int cols) {
  Matrix m(rows, cols);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) m(r, c) = 1.0f + r + 1000.0f * c;
  return m;
}

TEST(SpecAugment, SameSeedSameResultDifferentSeedDifferent) {
  SpecAugmentOptions opts;
  Matrix a = Ramp(200, 80), b = Ramp(200, 80), c = Ramp(200, 80);
  Rng r1(5, "specaug"), r2(5, "specaug"), r3(6, "specaug");
  SpecAugment(opts, &r1, &a);
  SpecAugment(opts, &r2, &b);
  SpecAugment(opts, &r3, &c);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST(SpecAugment, MasksRespectCountsAndWidths) {
  SpecAugmentOptions opts;
  opts.time_warp_window = 0;
  opts.num_freq_masks = 1;
  opts.max_freq_width = 10;
  opts.num_time_masks = 1;
  opts.max_time_width = 20;
  opts.max_time_ratio = 1.0f;
  opts.mask_value = -99.0f;
  for (uint64_t seed = 0; seed < 50; ++seed) {
    Matrix m = Ramp(100, 40);
    Rng rng(seed);
    SpecAugment(opts, &rng, &m);
    int masked_cols = 0, masked_rows = 0;
    for (int c = 0; c < 40; ++c) {
      bool all = true;
      for (int r = 0; r < 100; ++r) all = all && m(r, c) == -99.0f;
      masked_cols += all;
    }
    for (int r = 0; r < 100; ++r) {
      bool all = true;
      for (int c = 0; c < 40; ++c) all = all && m(r, c) == -99.0f;
      masked_rows += all;
    }
    EXPECT_LE(masked_cols, 10);
    EXPECT_LE(masked_rows, 20);
    // Every unmasked cell is untouched.
    for (int r = 0; r < 100; ++r)
      for (int c = 0; c < 40; ++c)
        if (m(r, c) != -99.0f) {
          EXPECT_EQ(m(r, c), 1.0f + r + 1000.0f * c);
        }
  }
  opts.max_time_ratio = 0.05f;  // at most 5 of 100 frames
  Matrix m = Ramp(100, 40);
  opts.num_freq_masks = 0;
  opts.num_time_masks = 3;
  Rng rng(1);
  SpecAugment(opts, &rng, &m);
  int masked = 0;
  for (int r = 0; r < 100; ++r) masked += m(r, 0) == -99.0f;
  EXPECT_LE(masked, 15);
}

TEST(SpecAugment, TimeWarpKeepsLengthAndEndsAndMovesTheCenter) {
  Matrix m = Ramp(50, 2);
  TimeWarp(20, 5, &m);  // frame 20 moves to 25
  EXPECT_EQ(m.rows(), 50);
  EXPECT_FLOAT_EQ(m(0, 0), 1.0f);
  EXPECT_FLOAT_EQ(m(25, 0), 21.0f);
  EXPECT_FLOAT_EQ(m(49, 0), 50.0f);
  for (int r = 1; r < 50; ++r) EXPECT_GT(m(r, 0), m(r - 1, 0));  // still monotonic
  Matrix same = Ramp(50, 2);
  TimeWarp(20, 0, &same);
  EXPECT_EQ(same, Ramp(50, 2));
  EXPECT_THROW(TimeWarp(0, 5, &same), Error);
}

TEST(SpeedPerturb, ChangesLengthAndPitchByTheFactor) {
  const std::vector<float> x = testutil::Sine(1000, 16000, 16000);
  for (float factor : {0.9f, 1.1f}) {
    std::vector<float> y = SpeedPerturb(x, factor, 16000);
    EXPECT_NEAR(static_cast<double>(y.size()), 16000 / factor, 2.0);
    // Zero crossings: the 1 kHz tone becomes 1000*factor Hz.
    int crossings = 0;
    for (size_t i = 2001; i + 2000 < y.size(); ++i) crossings += (y[i - 1] < 0) != (y[i] < 0);
    const double seconds = (y.size() - 4001.0) / 16000;
    EXPECT_NEAR(crossings / seconds / 2, 1000 * factor, 5);
  }
  EXPECT_EQ(SpeedPerturb(x, 1.0f, 16000), x);
  EXPECT_THROW(SpeedPerturb(x, 3.0f, 16000), Error);
}

}  // namespace
}  // namespace attend::frontend
