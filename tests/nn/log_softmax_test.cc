#include "nn/log_softmax.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "base/error.h"
#include "base/random.h"

namespace attend::nn {
namespace {

// log-softmax of one row, in double.
std::vector<double> Naive(const std::vector<double>& x) {
  double max = -INFINITY;
  for (double v : x) max = std::max(max, v);
  double sum = 0;
  for (double v : x) sum += std::exp(v - max);
  std::vector<double> y;
  for (double v : x) y.push_back(v - max - std::log(sum));
  return y;
}

Tensor RandomTensor(const Shape& shape, Rng* rng, float scale) {
  Tensor t(shape);
  for (int64_t i = 0; i < t.size(); ++i) t[i] = rng->Uniform(-scale, scale);
  return t;
}

TEST(LogSoftmax, MatchesTheDefinitionOverTheLastDimension) {
  Rng rng(1, "log_softmax");
  Tensor x = RandomTensor({2, 3, 7}, &rng, 5.0f);  // leading dims are rows
  Tensor y;
  LogSoftmax(x, &y);
  ASSERT_EQ(y.shape(), x.shape());
  for (int64_t r = 0; r < 6; ++r) {
    std::vector<double> row(x.data() + r * 7, x.data() + r * 7 + 7);
    std::vector<double> expected = Naive(row);
    double total = 0;
    for (int c = 0; c < 7; ++c) {
      EXPECT_NEAR(y[r * 7 + c], expected[c], 2e-6) << r << "," << c;
      total += std::exp(double(y[r * 7 + c]));
    }
    EXPECT_NEAR(total, 1.0, 1e-6);
  }
}

TEST(LogSoftmax, StableForLargeAndMaskedInputs) {
  Tensor x({2, 3});
  const float big[6] = {1e4f, 1e4f - 1, 1e4f - 3, -std::numeric_limits<float>::infinity(), 2, -1};
  for (int i = 0; i < 6; ++i) x[i] = big[i];
  Tensor y;
  LogSoftmax(x, &y);
  std::vector<double> r0 = Naive({0, -1, -3}), r1 = Naive({2, -1});
  EXPECT_NEAR(y[0], r0[0], 1e-6);
  EXPECT_NEAR(y[1], r0[1], 1e-6);
  EXPECT_NEAR(y[2], r0[2], 1e-6);
  EXPECT_EQ(y[3], -std::numeric_limits<float>::infinity());  // a masked entry stays masked
  EXPECT_NEAR(y[4], r1[0], 1e-6);
  EXPECT_NEAR(y[5], r1[1], 1e-6);
}

TEST(LogSoftmax, InPlace) {
  Rng rng(2, "log_softmax");
  Tensor x = RandomTensor({4, 5}, &rng, 3.0f), y;
  LogSoftmax(x, &y);
  LogSoftmax(x, &x);
  EXPECT_EQ(MaxAbsDiff(x, y), 0.0f);
}

TEST(LogSoftmax, BackwardIsTheJacobianTransposeProduct) {
  Rng rng(3, "log_softmax");
  const int64_t R = 3, C = 6;
  Tensor x = RandomTensor({R, C}, &rng, 3.0f), dy = RandomTensor({R, C}, &rng, 1.0f), y, dx;
  LogSoftmax(x, &y);
  LogSoftmaxBackward(y, dy, &dx);
  ASSERT_EQ(dx.shape(), x.shape());
  // dL/dx_j of L = Σ_c dy_c y_c, by central differences of the double definition.
  for (int64_t r = 0; r < R; ++r)
    for (int64_t j = 0; j < C; ++j) {
      std::vector<double> row(x.data() + r * C, x.data() + r * C + C);
      const double eps = 1e-5;
      auto loss = [&](double delta) {
        std::vector<double> p = row;
        p[j] += delta;
        std::vector<double> lp = Naive(p);
        double l = 0;
        for (int64_t c = 0; c < C; ++c) l += dy[r * C + c] * lp[c];
        return l;
      };
      EXPECT_NEAR(dx[r * C + j], (loss(eps) - loss(-eps)) / (2 * eps), 1e-5) << r << "," << j;
    }
  // In place over dy gives the same.
  Tensor g = dy;
  LogSoftmaxBackward(y, g, &g);
  EXPECT_EQ(MaxAbsDiff(g, dx), 0.0f);
  EXPECT_THROW(LogSoftmaxBackward(y, Tensor({R, C + 1}), &dx), Error);
}

}  // namespace
}  // namespace attend::nn
