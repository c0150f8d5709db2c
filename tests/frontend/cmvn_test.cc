#include "frontend/cmvn.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "base/error.h"
#include "base/random.h"
#include "frontend/kaldi_archive.h"
#include "tests/test_support.h"

namespace attend::frontend {
namespace {

Matrix RandomFeatures(int rows, int cols, uint64_t seed) {
  Rng rng(seed);
  Matrix m(rows, cols);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) m(r, c) = rng.Normal(c * 1.5f, 0.5f + c);
  return m;
}

TEST(Cmvn, StatsAreKaldisLayout) {
  Matrix m(2, 2);
  m(0, 0) = 1;
  m(0, 1) = 2;
  m(1, 0) = 3;
  m(1, 1) = -4;
  CmvnStats s;
  s.Accumulate(m);
  ASSERT_EQ(s.matrix().rows(), 2);
  ASSERT_EQ(s.matrix().cols(), 3);
  EXPECT_EQ(s.matrix()(0, 0), 4);  // sum
  EXPECT_EQ(s.matrix()(0, 1), -2);
  EXPECT_EQ(s.matrix()(0, 2), 2);   // count
  EXPECT_EQ(s.matrix()(1, 0), 10);  // sum of squares
  EXPECT_EQ(s.matrix()(1, 1), 20);
  EXPECT_EQ(s.matrix()(1, 2), 0);
}

TEST(Cmvn, GlobalNormalizationGivesZeroMeanUnitVariance) {
  CmvnStats stats;
  Matrix a = RandomFeatures(300, 5, 1), b = RandomFeatures(200, 5, 2);
  stats.Accumulate(a);
  stats.Accumulate(b);
  EXPECT_EQ(stats.Count(), 500);
  CmvnOptions opts;
  opts.norm_vars = true;
  Cmvn cmvn(stats, opts);
  cmvn.Apply(&a);
  cmvn.Apply(&b);
  for (int c = 0; c < 5; ++c) {
    double sum = 0, sumsq = 0;
    for (const Matrix* m : {&a, &b})
      for (int r = 0; r < m->rows(); ++r) {
        sum += (*m)(r, c);
        sumsq += (*m)(r, c) * (*m)(r, c);
      }
    EXPECT_NEAR(sum / 500, 0.0, 1e-5);
    EXPECT_NEAR(sumsq / 500, 1.0, 1e-4);
  }
  Matrix wrong(3, 4);
  EXPECT_THROW(cmvn.Apply(&wrong), Error);
}

TEST(Cmvn, PerUtteranceMeanOnly) {
  Matrix a = RandomFeatures(100, 3, 5);
  const Matrix original = a;
  ApplyPerUtteranceCmvn(CmvnOptions(), &a);
  for (int c = 0; c < 3; ++c) {
    double sum = 0;
    for (int r = 0; r < 100; ++r) sum += a(r, c);
    EXPECT_NEAR(sum / 100, 0.0, 1e-5);
    // Mean only: differences between frames are unchanged.
    EXPECT_NEAR(a(7, c) - a(3, c), original(7, c) - original(3, c), 1e-4);
  }
}

TEST(Cmvn, StatsFileRoundTripsInKaldiFormat) {
  testing::TempDir dir;
  CmvnStats stats;
  stats.Accumulate(RandomFeatures(50, 4, 3));
  for (bool binary : {true, false}) {
    stats.Write(dir.File("cmvn"), binary);
    CmvnStats back = CmvnStats::Read(dir.File("cmvn"));
    EXPECT_EQ(back.matrix(), stats.matrix()) << binary;
  }
  std::ofstream(dir.File("bad")) << "[ 1 2 3 ]\n";
  EXPECT_THROW(CmvnStats::Read(dir.File("bad")), Error);
  EXPECT_THROW(Cmvn(CmvnStats(4), CmvnOptions()), Error);  // no frames
}

}  // namespace
}  // namespace attend::frontend
