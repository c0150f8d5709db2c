#include "nn/linear.h"

#include <gtest/gtest.h>

#include <algorithm>
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

// Backward = BackwardData + BackwardWeights, and the weight gradient of stacked
// rows is the sum of the per-row-block gradients (what the decoder relies on
// to take all time steps' weight gradient in one GEMM).
TEST(Linear, BackwardHalvesMatchBackwardAndStackedRowsSumBlocks) {
  Rng rng(8, "test");
  Linear layer("fc", 24, 16);
  layer.Init(&rng);
  Tensor x = RandomTensor({6, 24}, &rng), dy = RandomTensor({6, 16}, &rng), dx, dx_half;
  ZeroGrad(layer.Parameters());
  layer.Backward(x, dy, &dx);
  const Tensor dw = layer.weight().grad, db = layer.bias().grad;
  ZeroGrad(layer.Parameters());
  layer.BackwardData(dy, &dx_half);
  EXPECT_EQ(MaxAbsDiff(dx, dx_half), 0.0f);
  for (int64_t block = 0; block < 2; ++block) {
    Tensor xb({3, 24}), dyb({3, 16});
    std::copy(x.data() + block * 3 * 24, x.data() + (block + 1) * 3 * 24, xb.data());
    std::copy(dy.data() + block * 3 * 16, dy.data() + (block + 1) * 3 * 16, dyb.data());
    layer.BackwardWeights(xb, dyb);
  }
  EXPECT_LT(MaxAbsDiff(layer.weight().grad, dw), 1e-5f);
  EXPECT_LT(MaxAbsDiff(layer.bias().grad, db), 1e-5f);
}

// bf16 compute rounds x, dy and W to bf16 (8 significant bits): results stay
// within ~1% of f32, the master weights stay f32 and untouched, and a weight
// update reaches the bf16 copies.
TEST(Linear, Bf16ComputeIsCloseToF32) {
  Rng rng(9, "test");
  Linear f32("fc", 64, 48), bf16("fc", 64, 48);
  f32.Init(&rng);
  bf16.weight().value = f32.weight().value;
  bf16.bias().value = f32.bias().value;
  bf16.weight().MarkUpdated();
  bf16.bias().MarkUpdated();
  bf16.set_compute_type(ComputeType::kBf16);
  const Tensor w0 = bf16.weight().value;
  for (int round = 0; round < 2; ++round) {
    SCOPED_TRACE(round);
    Tensor x = RandomTensor({10, 64}, &rng), dy = RandomTensor({10, 48}, &rng);
    Tensor y32, y16, dx32, dx16;
    f32.Forward(x, &y32);
    bf16.Forward(x, &y16);
    EXPECT_LT(MaxAbsDiff(y32, y16), 0.05f);  // |y| ~ 3: ~1%
    ZeroGrad(f32.Parameters());
    ZeroGrad(bf16.Parameters());
    f32.Backward(x, dy, &dx32);
    bf16.Backward(x, dy, &dx16);
    EXPECT_LT(MaxAbsDiff(dx32, dx16), 0.05f);
    EXPECT_LT(MaxAbsDiff(f32.weight().grad, bf16.weight().grad), 0.05f);
    EXPECT_LT(MaxAbsDiff(f32.bias().grad, bf16.bias().grad), 0.05f);  // Σ of bf16-rounded dy
    EXPECT_GT(MaxAbsDiff(y32, y16), 0.0f);                            // bf16 really ran
    if (round == 0) {
      EXPECT_EQ(MaxAbsDiff(bf16.weight().value, w0), 0.0f);
      for (Linear* l : {&f32, &bf16}) {
        for (int64_t i = 0; i < l->weight().value.size(); ++i) l->weight().value[i] *= -0.5f;
        l->weight().MarkUpdated();
      }
    }
  }
}

}  // namespace
}  // namespace attend::nn
