#include "nn/grad_clip.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace attend::nn {
namespace {

struct Params {
  Parameter a{"a", {2, 3}}, b{"b", {4}};
  std::vector<Parameter*> list() { return {&a, &b}; }
  Params() {
    for (int64_t i = 0; i < a.grad.size(); ++i) a.grad[i] = float(i) - 2.5f;
    for (int64_t i = 0; i < b.grad.size(); ++i) b.grad[i] = 0.5f * float(i + 1);
  }
  double SumSquares() const {
    double s = 0;
    for (int64_t i = 0; i < a.grad.size(); ++i) s += double(a.grad[i]) * a.grad[i];
    for (int64_t i = 0; i < b.grad.size(); ++i) s += double(b.grad[i]) * b.grad[i];
    return s;
  }
};

TEST(GradClip, NormIsTheGlobalL2NormOfAllGradients) {
  Params p;
  // a: (-2.5 … 2.5) squares sum 17.5; b: 0.25·(1+4+9+16) = 7.5.
  EXPECT_NEAR(GradNorm(p.list()), 5.0, 1e-12);
  EXPECT_EQ(GradNorm({}), 0.0);
}

TEST(GradClip, ScalesEveryGradientWhenTheNormExceedsTheLimit) {
  Params p, original;
  const double norm = ClipGradNorm(p.list(), 2.0);
  EXPECT_NEAR(norm, 5.0, 1e-12);            // the norm before clipping
  const double scale = 2.0 / (5.0 + 1e-6);  // torch's clip_grad_norm_ factor
  for (int64_t i = 0; i < p.a.grad.size(); ++i)
    EXPECT_NEAR(p.a.grad[i], original.a.grad[i] * scale, 1e-6);
  for (int64_t i = 0; i < p.b.grad.size(); ++i)
    EXPECT_NEAR(p.b.grad[i], original.b.grad[i] * scale, 1e-6);
  EXPECT_NEAR(std::sqrt(p.SumSquares()), 2.0, 1e-5);
}

TEST(GradClip, LeavesSmallNormsAndMeasureOnlyAlone) {
  for (double max_norm : {5.0, 100.0, 0.0, -1.0}) {
    Params p;
    EXPECT_NEAR(ClipGradNorm(p.list(), max_norm), 5.0, 1e-12) << max_norm;
    EXPECT_EQ(p.SumSquares(), Params().SumSquares()) << max_norm;
  }
}

TEST(GradClip, NonFiniteNormIsReportedWithoutTouchingTheGradients) {
  for (float bad : {std::numeric_limits<float>::infinity(), std::nanf("")}) {
    Params p;
    p.b.grad[2] = bad;
    const double norm = ClipGradNorm(p.list(), 1.0);
    EXPECT_FALSE(std::isfinite(norm));
    EXPECT_EQ(p.a.grad[0], -2.5f);
    EXPECT_EQ(p.b.grad[0], 0.5f);
  }
}

}  // namespace
}  // namespace attend::nn
