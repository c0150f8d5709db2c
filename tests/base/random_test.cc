#include "base/random.h"

#include <gtest/gtest.h>

#include <cmath>

namespace attend {
namespace {

TEST(Rng, SameSeedAndPurposeGiveTheSameSequence) {
  Rng a(42, "init"), b(42, "init"), c(42, "dropout");
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    float x = a.Uniform(0, 1);
    EXPECT_EQ(x, b.Uniform(0, 1));
    differs |= x != c.Uniform(0, 1);
  }
  EXPECT_TRUE(differs);
}

TEST(Rng, DistributionsHaveTheirMoments) {
  Rng rng(7, "moments");
  const int n = 200000;
  double sum = 0, sq = 0, usum = 0;
  int64_t lo = 0, hi = 0;
  for (int i = 0; i < n; ++i) {
    float z = rng.Normal(1.0f, 2.0f);
    sum += z;
    sq += (z - 1.0) * (z - 1.0);
    float u = rng.Uniform(-1.0f, 3.0f);
    ASSERT_GE(u, -1.0f);
    ASSERT_LT(u, 3.0f);
    usum += u;
    int64_t k = rng.UniformInt(5, 6);
    ASSERT_TRUE(k == 5 || k == 6);
    (k == 5 ? lo : hi)++;
  }
  EXPECT_NEAR(sum / n, 1.0, 0.02);
  EXPECT_NEAR(std::sqrt(sq / n), 2.0, 0.02);
  EXPECT_NEAR(usum / n, 1.0, 0.02);
  EXPECT_NEAR(static_cast<double>(lo) / n, 0.5, 0.01);
}

TEST(Rng, StateRoundTrips) {
  Rng a(3, "data");
  a.Uniform(0, 1);
  std::string state = a.SaveState();
  float next = a.Uniform(0, 1);
  Rng b;
  b.LoadState(state);
  EXPECT_EQ(b.Uniform(0, 1), next);
}

}  // namespace
}  // namespace attend
