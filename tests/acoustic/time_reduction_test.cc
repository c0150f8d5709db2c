#include "acoustic/time_reduction.h"

#include <gtest/gtest.h>

namespace attend::acoustic {
namespace {

using nn::Tensor;

// x[t, n, c] = 100 n + 10 t + c + 1 (all positive; padding zeroed).
Tensor Ramp(int64_t T, int64_t N, int64_t C, const Lengths& lengths) {
  Tensor x({T, N, C});
  for (int64_t t = 0; t < T; ++t)
    for (int64_t n = 0; n < N; ++n)
      for (int64_t c = 0; c < C; ++c)
        x[(t * N + n) * C + c] = t < lengths[n] ? float(100 * n + 10 * t + c + 1) : 0.0f;
  return x;
}

TEST(TimeReduction, ConcatPairsFramesAndZeroFillsTheOddOne) {
  TimeReduction r(ReductionType::kConcat);
  Tensor x = Ramp(5, 2, 2, {5, 3}), y;
  Lengths out;
  TimeReduction::Context ctx;
  r.Forward(x, {5, 3}, &y, &out, &ctx);
  ASSERT_EQ(y.shape(), (nn::Shape{3, 2, 4}));
  EXPECT_EQ(out, (Lengths{3, 2}));
  // n = 0, s = 1: frames 2 and 3.
  EXPECT_EQ(y[(1 * 2 + 0) * 4 + 0], 21.0f);
  EXPECT_EQ(y[(1 * 2 + 0) * 4 + 2], 31.0f);
  // n = 0, s = 2: frame 4 and zeros.
  EXPECT_EQ(y[(2 * 2 + 0) * 4 + 1], 42.0f);
  EXPECT_EQ(y[(2 * 2 + 0) * 4 + 3], 0.0f);
  // n = 1 (length 3), s = 1: frame 2 and zeros; s = 2 is padding.
  EXPECT_EQ(y[(1 * 2 + 1) * 4 + 0], 121.0f);
  EXPECT_EQ(y[(1 * 2 + 1) * 4 + 2], 0.0f);
  EXPECT_EQ(y[(2 * 2 + 1) * 4 + 0], 0.0f);
}

TEST(TimeReduction, MaxAndMeanUseOnlyValidFrames) {
  Tensor x = Ramp(3, 1, 1, {3}), y;
  x[2] = -5.0f;  // the odd last frame, negative: padding (0) must not win the max
  Lengths out;
  TimeReduction::Context ctx;
  TimeReduction(ReductionType::kMax).Forward(x, {3}, &y, &out, &ctx);
  EXPECT_EQ(y[0], 11.0f);
  EXPECT_EQ(y[1], -5.0f);
  TimeReduction(ReductionType::kMean).Forward(x, {3}, &y, &out, &ctx);
  EXPECT_EQ(y[0], 6.0f);
  EXPECT_EQ(y[1], -5.0f);
}

// <R(x), g> == <x, Rᵀ(g)>: the backward is the adjoint of the (piecewise) linear forward.
TEST(TimeReduction, BackwardIsTheAdjoint) {
  for (ReductionType type : {ReductionType::kConcat, ReductionType::kMax, ReductionType::kMean}) {
    TimeReduction r(type);
    Rng rng(1, "test");
    const Lengths lengths = {7, 4, 1};
    Tensor x({7, 3, 3});
    for (int64_t i = 0; i < x.size(); ++i) x[i] = rng.Uniform(-1, 1);
    Tensor y, dx;
    Lengths out;
    TimeReduction::Context ctx;
    r.Forward(x, lengths, &y, &out, &ctx);
    Tensor g(y.shape());
    for (int64_t i = 0; i < g.size(); ++i) g[i] = rng.Uniform(-1, 1);
    r.Backward(g, ctx, &dx);
    ASSERT_EQ(dx.shape(), x.shape());
    double lhs = 0, rhs = 0;
    for (int64_t i = 0; i < y.size(); ++i) lhs += double(y[i]) * g[i];
    for (int64_t i = 0; i < x.size(); ++i) rhs += double(x[i]) * dx[i];
    EXPECT_NEAR(lhs, rhs, 1e-5) << ReductionTypeName(type);
    // No gradient reaches padded input frames.
    for (int64_t t = 4; t < 7; ++t) EXPECT_EQ(dx[(t * 3 + 1) * 3], 0.0f);
  }
}

}  // namespace
}  // namespace attend::acoustic
