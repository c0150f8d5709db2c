#include "nn/rnn_layer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "nn/bf16.h"

namespace attend::nn {
namespace {

Tensor RandomTensor(const Shape& shape, Rng* rng) {
  Tensor t(shape);
  for (int64_t i = 0; i < t.size(); ++i) t[i] = rng->Uniform(-1, 1);
  return t;
}

double Sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// PyTorch's equations, written out in double, on the layer's (PyTorch-layout)
// parameters: x [T, N, C] -> h [T, N, H]. Independent of oneDNN's gate order.
Tensor NaiveRnn(RnnLayer& layer, const Tensor& x) {
  const int64_t T = x.dim(0), N = x.dim(1), C = x.dim(2), H = layer.hidden_dim();
  const int64_t G = RnnNumGates(layer.cell());
  std::vector<Parameter*> p = layer.Parameters();
  const Tensor &w_ih = p[0]->value, &w_hh = p[1]->value, &b_ih = p[2]->value, &b_hh = p[3]->value;
  Tensor out({T, N, H});
  for (int64_t n = 0; n < N; ++n) {
    std::vector<double> h(H, 0.0), c(H, 0.0);
    for (int64_t t = 0; t < T; ++t) {
      std::vector<double> xi(G * H), hh(G * H);  // W_ih x + b_ih, W_hh h + b_hh
      for (int64_t r = 0; r < G * H; ++r) {
        double a = b_ih[r], b = b_hh[r];
        for (int64_t k = 0; k < C; ++k) a += w_ih[r * C + k] * double(x[(t * N + n) * C + k]);
        for (int64_t k = 0; k < H; ++k) b += w_hh[r * H + k] * h[k];
        xi[r] = a;
        hh[r] = b;
      }
      for (int64_t j = 0; j < H; ++j) {
        if (layer.cell() == RnnCell::kLstm) {
          auto gate = [&](int g) { return xi[g * H + j] + hh[g * H + j]; };
          const double i = Sigmoid(gate(0)), f = Sigmoid(gate(1)), g = std::tanh(gate(2)),
                       o = Sigmoid(gate(3));
          c[j] = f * c[j] + i * g;
          h[j] = o * std::tanh(c[j]);
        } else {
          const double r = Sigmoid(xi[j] + hh[j]), z = Sigmoid(xi[H + j] + hh[H + j]);
          const double nn = std::tanh(xi[2 * H + j] + r * hh[2 * H + j]);
          h[j] = (1 - z) * nn + z * h[j];
        }
      }
      for (int64_t j = 0; j < H; ++j) out[(t * N + n) * H + j] = static_cast<float>(h[j]);
    }
  }
  return out;
}

class RnnLayerTest : public ::testing::TestWithParam<RnnCell> {};

TEST_P(RnnLayerTest, ForwardMatchesPyTorchEquations) {
  Rng rng(1, "test");
  RnnLayer layer("rnn", GetParam(), 6, 5);
  layer.Init(&rng);
  Tensor x = RandomTensor({7, 3, 6}, &rng);
  Tensor y({7, 3, 5});
  layer.Forward(ComputeType::kF32, 7, 3, x.data(), y.data());
  EXPECT_LT(MaxAbsDiff(y, NaiveRnn(layer, x)), 1e-5f);
  // Both f32 inference kernels (forward_inference and forward_training).
  layer.set_f32_inference_via_training(!layer.f32_inference_via_training());
  Tensor y_other({7, 3, 5});
  layer.Forward(ComputeType::kF32, 7, 3, x.data(), y_other.data());
  EXPECT_LT(MaxAbsDiff(y_other, NaiveRnn(layer, x)), 1e-5f);
  // The training forward computes the same.
  RnnLayer::Context ctx;
  Tensor y2({7, 3, 5});
  layer.Forward(ComputeType::kF32, 7, 3, x.data(), y2.data(), &ctx);
  EXPECT_LT(MaxAbsDiff(y2, y), 1e-6f);
}

TEST_P(RnnLayerTest, Bf16IsCloseToF32) {
  Rng rng(2, "test");
  RnnLayer layer("rnn", GetParam(), 6, 5);
  layer.Init(&rng);
  Tensor x = RandomTensor({7, 3, 6}, &rng);
  std::vector<bf16_t> xb(x.size()), yb(7 * 3 * 5);
  FloatToBf16(x.data(), xb.data(), x.size());
  layer.Forward(ComputeType::kBf16, 7, 3, xb.data(), yb.data());
  Tensor y({7, 3, 5});
  Bf16ToFloat(yb.data(), y.data(), y.size());
  EXPECT_LT(MaxAbsDiff(y, NaiveRnn(layer, x)), 2e-2f);
}

// L = sum(y ⊙ g).
double Loss(RnnLayer& layer, const Tensor& x, const Tensor& g) {
  Tensor y(g.shape());
  layer.Forward(ComputeType::kF32, x.dim(0), x.dim(1), x.data(), y.data());
  double loss = 0;
  for (int64_t i = 0; i < y.size(); ++i) loss += double(y[i]) * g[i];
  return loss;
}

double RelativeError(double analytic, double numeric) {
  return std::fabs(analytic - numeric) / std::max({std::fabs(analytic), std::fabs(numeric), 1e-1});
}

TEST_P(RnnLayerTest, BackwardMatchesFiniteDifferences) {
  Rng rng(3, "test");
  const int64_t T = 4, N = 2, C = 3, H = 2;
  RnnLayer layer("rnn", GetParam(), C, H);
  layer.Init(&rng);
  Tensor x = RandomTensor({T, N, C}, &rng);
  Tensor g = RandomTensor({T, N, H}, &rng);
  RnnLayer::Context ctx;
  Tensor y({T, N, H}), dx({T, N, C});
  layer.Forward(ComputeType::kF32, T, N, x.data(), y.data(), &ctx);
  ZeroGrad(layer.Parameters());
  layer.Backward(ctx, x.data(), y.data(), g.data(), dx.data());
  const float eps = 1e-2f;
  for (int64_t i = 0; i < x.size(); ++i) {
    Tensor xp = x, xm = x;
    xp[i] += eps;
    xm[i] -= eps;
    const double numeric = (Loss(layer, xp, g) - Loss(layer, xm, g)) / (2 * eps);
    EXPECT_LT(RelativeError(dx[i], numeric), 5e-3) << "dx[" << i << "]";
  }
  for (Parameter* p : layer.Parameters()) {
    for (int64_t i = 0; i < p->value.size(); ++i) {
      const float saved = p->value[i];
      p->value[i] = saved + eps;
      p->MarkUpdated();
      const double lp = Loss(layer, x, g);
      p->value[i] = saved - eps;
      p->MarkUpdated();
      const double lm = Loss(layer, x, g);
      p->value[i] = saved;
      p->MarkUpdated();
      EXPECT_LT(RelativeError(p->grad[i], (lp - lm) / (2 * eps)), 5e-3)
          << p->name << "[" << i << "]";
    }
  }
}

TEST_P(RnnLayerTest, BackwardAccumulatesIntoGradients) {
  Rng rng(4, "test");
  RnnLayer layer("rnn", GetParam(), 3, 4);
  layer.Init(&rng);
  Tensor x = RandomTensor({5, 2, 3}, &rng), g = RandomTensor({5, 2, 4}, &rng);
  Tensor y({5, 2, 4}), dx({5, 2, 3});
  RnnLayer::Context ctx;
  layer.Forward(ComputeType::kF32, 5, 2, x.data(), y.data(), &ctx);
  ZeroGrad(layer.Parameters());
  layer.Backward(ctx, x.data(), y.data(), g.data(), dx.data());
  std::vector<Tensor> once;
  for (Parameter* p : layer.Parameters()) once.push_back(p->grad);
  layer.Backward(ctx, x.data(), y.data(), g.data(), dx.data());
  std::vector<Parameter*> params = layer.Parameters();
  for (size_t k = 0; k < params.size(); ++k)
    for (int64_t i = 0; i < once[k].size(); ++i)
      EXPECT_NEAR(params[k]->grad[i], 2 * once[k][i], 1e-5) << params[k]->name;
}

TEST_P(RnnLayerTest, PlansAndWeightsAreReusedUntilTheWeightsChange) {
  Rng rng(5, "test");
  RnnLayer layer("rnn", GetParam(), 8, 8);
  layer.Init(&rng);
  Tensor x = RandomTensor({16, 2, 8}, &rng), y({16, 2, 8}), dx({16, 2, 8});
  RnnLayer::Context ctx;
  layer.Forward(ComputeType::kF32, 16, 2, x.data(), y.data(), &ctx);
  layer.Backward(ctx, x.data(), y.data(), y.data(), dx.data());
  const int64_t plans = layer.num_plans_created(), reorders = layer.num_weight_reorders();
  EXPECT_EQ(plans, 2);
  for (int i = 0; i < 3; ++i) {
    layer.Forward(ComputeType::kF32, 16, 2, x.data(), y.data(), &ctx);
    layer.Backward(ctx, x.data(), y.data(), y.data(), dx.data());
  }
  EXPECT_EQ(layer.num_plans_created(), plans);
  EXPECT_EQ(layer.num_weight_reorders(), reorders);  // never per call
  layer.Parameters()[0]->value[0] += 0.5f;
  layer.Parameters()[0]->MarkUpdated();
  layer.Forward(ComputeType::kF32, 16, 2, x.data(), y.data(), &ctx);
  EXPECT_GT(layer.num_weight_reorders(), reorders);  // the new weights are seen
  EXPECT_EQ(layer.num_plans_created(), plans);
  EXPECT_LT(MaxAbsDiff(y, NaiveRnn(layer, x)), 1e-5f);
}

// max |a - b| / max |b|.
double RelativeMaxError(const Tensor& a, const Tensor& b) {
  double diff = 0, scale = 0;
  for (int64_t i = 0; i < b.size(); ++i) {
    diff = std::max(diff, double(std::fabs(a[i] - b[i])));
    scale = std::max(scale, double(std::fabs(b[i])));
  }
  return diff / scale;
}

// bf16 LSTM training on either backward kernel gives f32 training's gradients
// within bf16's precision: the brgemm forward's workspace serves both. A small
// shape, and the encoder's widest layer (where kAuto takes the reference kernel).
struct Bf16Shape {
  int64_t T, N, C, H;
};
class RnnLayerBf16Test : public ::testing::TestWithParam<Bf16Shape> {};

TEST_P(RnnLayerBf16Test, BothBackwardKernelsMatchF32Training) {
  const auto [T, N, C, H] = GetParam();
  for (auto kernel : {RnnLayer::BackwardKernel::kBrgemm, RnnLayer::BackwardKernel::kReference}) {
    Rng rng(6, "test");
    RnnLayer layer("rnn", RnnCell::kLstm, C, H);
    layer.Init(&rng);
    layer.set_bf16_backward_kernel(kernel);
    EXPECT_EQ(layer.UsesReferenceBackward(ComputeType::kBf16),
              kernel == RnnLayer::BackwardKernel::kReference);
    const Tensor x = RandomTensor({T, N, C}, &rng), g = RandomTensor({T, N, H}, &rng);
    RnnLayer::Context ctx;
    Tensor y({T, N, H}), dx32({T, N, C}), dx16({T, N, C});
    layer.Forward(ComputeType::kF32, T, N, x.data(), y.data(), &ctx);
    ZeroGrad(layer.Parameters());
    layer.Backward(ctx, x.data(), y.data(), g.data(), dx32.data());
    std::vector<Tensor> grads32;
    for (Parameter* p : layer.Parameters()) grads32.push_back(p->grad);

    std::vector<bf16_t> xb(x.size()), yb(y.size());
    FloatToBf16(x.data(), xb.data(), x.size());
    layer.Forward(ComputeType::kBf16, T, N, xb.data(), yb.data(), &ctx);
    ZeroGrad(layer.Parameters());
    layer.Backward(ctx, xb.data(), yb.data(), g.data(), dx16.data());
    EXPECT_LE(RelativeMaxError(dx16, dx32), 3e-2);
    std::vector<Parameter*> params = layer.Parameters();
    for (size_t k = 0; k < params.size(); ++k)
      EXPECT_LE(RelativeMaxError(params[k]->grad, grads32[k]), 3e-2) << params[k]->name;
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, RnnLayerBf16Test,
                         ::testing::Values(Bf16Shape{9, 3, 40, 24}, Bf16Shape{8, 16, 1280, 320}),
                         [](const auto& info) { return "C" + std::to_string(info.param.C); });

TEST(RnnLayerBf16, AutoTakesTheReferenceBackwardWhenWeightGradientsOutgrowTheCaches) {
  EXPECT_TRUE(
      RnnLayer("wide", RnnCell::kLstm, 1280, 320).UsesReferenceBackward(ComputeType::kBf16));
  EXPECT_TRUE(RnnLayer("wide", RnnCell::kLstm, 640, 320).UsesReferenceBackward(ComputeType::kBf16));
  EXPECT_FALSE(
      RnnLayer("narrow", RnnCell::kLstm, 80, 320).UsesReferenceBackward(ComputeType::kBf16));
  // f32 and GRU training have only the reference kernel; their weights stay in `any`.
  EXPECT_FALSE(
      RnnLayer("wide", RnnCell::kLstm, 1280, 320).UsesReferenceBackward(ComputeType::kF32));
  EXPECT_FALSE(RnnLayer("gru", RnnCell::kGru, 1280, 320).UsesReferenceBackward(ComputeType::kBf16));
}

INSTANTIATE_TEST_SUITE_P(Cells, RnnLayerTest, ::testing::Values(RnnCell::kLstm, RnnCell::kGru),
                         [](const auto& info) { return std::string(RnnCellName(info.param)); });

}  // namespace
}  // namespace attend::nn
