#include "nn/linear.h"

#include <gtest/gtest.h>

#include <cmath>

namespace attend::nn {
namespace {

// y = x Wᵀ + b by the definition, in double.
Tensor NaiveLinear(const Tensor& x, Linear& layer) {
  const int64_t rows = x.size() / layer.in_dim();
  Tensor y({rows, layer.out_dim()});
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t o = 0; o < layer.out_dim(); ++o) {
      double acc = layer.has_bias() ? layer.bias().value[o] : 0.0;
      for (int64_t i = 0; i < layer.in_dim(); ++i)
        acc += static_cast<double>(x[r * layer.in_dim() + i]) *
               layer.weight().value[o * layer.in_dim() + i];
      y[r * layer.out_dim() + o] = static_cast<float>(acc);
    }
  return y;
}

Tensor RandomTensor(const Shape& shape, Rng* rng) {
  Tensor t(shape);
  for (int64_t i = 0; i < t.size(); ++i) t[i] = rng->Uniform(-1, 1);
  return t;
}

TEST(Linear, ForwardMatchesANaiveLoop) {
  Rng rng(1, "test");
  for (bool bias : {true, false}) {
    Linear layer("fc", 37, 19, bias);
    layer.Init(&rng);
    Tensor x = RandomTensor({5, 37}, &rng);
    Tensor y;
    layer.Forward(x, &y);
    ASSERT_EQ(y.shape(), (Shape{5, 19}));
    EXPECT_LT(MaxAbsDiff(y, NaiveLinear(x, layer)), 1e-5f);
  }
}

TEST(Linear, FlattensLeadingDimensions) {
  Rng rng(2, "test");
  Linear layer("fc", 8, 3);
  layer.Init(&rng);
  Tensor x = RandomTensor({4, 2, 8}, &rng);  // [T, N, C] tnc
  Tensor y;
  layer.Forward(x, &y);
  EXPECT_EQ(y.shape(), (Shape{4, 2, 3}));
  Tensor flat = x;
  flat.Reshape({8, 8});
  Tensor expected = NaiveLinear(flat, layer);
  expected.Reshape({4, 2, 3});
  EXPECT_LT(MaxAbsDiff(y, expected), 1e-5f);
}

TEST(Linear, SeesWeightUpdatesAfterMarkUpdated) {
  Rng rng(3, "test");
  Linear layer("fc", 16, 16);
  layer.Init(&rng);
  Tensor x = RandomTensor({2, 16}, &rng);
  Tensor y;
  layer.Forward(x, &y);
  layer.weight().value[0] += 1.0f;
  layer.weight().MarkUpdated();
  layer.Forward(x, &y);
  EXPECT_LT(MaxAbsDiff(y, NaiveLinear(x, layer)), 1e-5f);
}

// Loss L = sum(y ⊙ g) for a fixed random g, so dL/dy = g.
double Loss(Linear& layer, const Tensor& x, const Tensor& g) {
  Tensor y;
  layer.Forward(x, &y);
  double loss = 0;
  for (int64_t i = 0; i < y.size(); ++i) loss += static_cast<double>(y[i]) * g[i];
  return loss;
}

double RelativeError(double analytic, double numeric) {
  return std::fabs(analytic - numeric) / std::max({std::fabs(analytic), std::fabs(numeric), 1e-2});
}

TEST(Linear, BackwardMatchesFiniteDifferences) {
  Rng rng(4, "test");
  Linear layer("fc", 6, 4);
  layer.Init(&rng);
  Tensor x = RandomTensor({3, 6}, &rng);
  Tensor g = RandomTensor({3, 4}, &rng);
  ZeroGrad(layer.Parameters());
  Tensor dx;
  layer.Backward(x, g, &dx);
  const float eps = 1e-2f;  // the loss is linear in each input, so a large step is exact
  for (int64_t i = 0; i < x.size(); ++i) {
    Tensor xp = x, xm = x;
    xp[i] += eps;
    xm[i] -= eps;
    double numeric = (Loss(layer, xp, g) - Loss(layer, xm, g)) / (2 * eps);
    EXPECT_LT(RelativeError(dx[i], numeric), 1e-3) << "dx[" << i << "]";
  }
  for (Parameter* p : layer.Parameters()) {
    for (int64_t i = 0; i < p->value.size(); ++i) {
      float saved = p->value[i];
      p->value[i] = saved + eps;
      p->MarkUpdated();
      double lp = Loss(layer, x, g);
      p->value[i] = saved - eps;
      p->MarkUpdated();
      double lm = Loss(layer, x, g);
      p->value[i] = saved;
      p->MarkUpdated();
      EXPECT_LT(RelativeError(p->grad[i], (lp - lm) / (2 * eps)), 1e-3)
          << p->name << "[" << i << "]";
    }
  }
}

TEST(Linear, BackwardAccumulatesGradients) {
  Rng rng(5, "test");
  Linear layer("fc", 5, 3);
  layer.Init(&rng);
  Tensor x = RandomTensor({2, 5}, &rng);
  Tensor g = RandomTensor({2, 3}, &rng);
  ZeroGrad(layer.Parameters());
  layer.Backward(x, g, nullptr);
  Tensor once = layer.weight().grad;
  layer.Backward(x, g, nullptr);
  for (int64_t i = 0; i < once.size(); ++i) EXPECT_FLOAT_EQ(layer.weight().grad[i], 2 * once[i]);
}

TEST(Linear, ARepeatedShapeCreatesNoPrimitive) {
  Rng rng(6, "test");
  Linear layer("fc", 32, 32);
  layer.Init(&rng);
  Tensor x = RandomTensor({4, 32}, &rng), y, dx;
  layer.Forward(x, &y);
  layer.Backward(x, y, &dx);
  const int64_t plans = layer.num_plans_created();
  EXPECT_EQ(plans, 2);
  for (int i = 0; i < 3; ++i) {
    layer.Forward(x, &y);
    layer.Backward(x, y, &dx);
  }
  EXPECT_EQ(layer.num_plans_created(), plans);
  Tensor x2 = RandomTensor({7, 32}, &rng);
  layer.Forward(x2, &y);  // a new shape is a new plan
  EXPECT_EQ(layer.num_plans_created(), plans + 1);
}

// A long recording is decoded in segments of many lengths, each a new row
// count: the layer must keep one copy of W and a bounded number of plans, not
// one of each per length (issue 6).
TEST(Linear, ManyRowCountsShareOneWeightCopyAndBoundedPlans) {
  Rng rng(7, "test");
  Linear layer("fc", 64, 48);
  layer.Init(&rng);
  Tensor y;
  for (int64_t rows = 1; rows <= 100; ++rows) {
    Tensor x = RandomTensor({rows, 64}, &rng);
    layer.Forward(x, &y);
    EXPECT_LT(MaxAbsDiff(y, NaiveLinear(x, layer)), 1e-5f) << rows << " rows";
  }
  EXPECT_EQ(layer.num_plans_created(), 100);
  EXPECT_LE(layer.num_live_plans(), PlanCache<int>::kDefaultCapacity);
  EXPECT_EQ(layer.num_prepared_weights(), 1);

  // Plans sharing the copy all see a weight update, whichever runs first.
  for (int64_t i = 0; i < layer.weight().value.size(); ++i) layer.weight().value[i] *= -2;
  layer.weight().MarkUpdated();
  for (int64_t rows : {90, 100}) {
    Tensor x = RandomTensor({rows, 64}, &rng);
    layer.Forward(x, &y);
    EXPECT_LT(MaxAbsDiff(y, NaiveLinear(x, layer)), 1e-5f) << rows << " rows";
  }
  EXPECT_EQ(layer.num_plans_created(), 100);
}

}  // namespace
}  // namespace attend::nn
