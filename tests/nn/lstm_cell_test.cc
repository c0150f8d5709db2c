#include "nn/lstm_cell.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>

#include "base/error.h"

namespace attend::nn {
namespace {

constexpr int64_t kRows = 3, kIn = 4, kH = 5;

Tensor RandomTensor(const Shape& shape, Rng* rng, float scale = 1.0f) {
  Tensor t(shape);
  for (int64_t i = 0; i < t.size(); ++i) t[i] = rng->Uniform(-scale, scale);
  return t;
}

double Sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// One step by the textbook formula in double, from PyTorch-layout weights
// (gate order i, f, g, o; two biases): writes h and c.
void NaiveStep(const Tensor& w_ih, const Tensor& w_hh, const Tensor& b_ih, const Tensor& b_hh,
               const Tensor& x, const Tensor& h_prev, const Tensor& c_prev, std::vector<double>* h,
               std::vector<double>* c) {
  h->assign(kRows * kH, 0);
  c->assign(kRows * kH, 0);
  for (int64_t r = 0; r < kRows; ++r) {
    double gates[4 * kH];
    for (int64_t k = 0; k < 4 * kH; ++k) {
      double acc = double(b_ih[k]) + b_hh[k];
      for (int64_t i = 0; i < kIn; ++i) acc += double(w_ih[k * kIn + i]) * x[r * kIn + i];
      for (int64_t j = 0; j < kH; ++j) acc += double(w_hh[k * kH + j]) * h_prev[r * kH + j];
      gates[k] = acc;
    }
    for (int64_t j = 0; j < kH; ++j) {
      const double i = Sigmoid(gates[j]), f = Sigmoid(gates[kH + j]),
                   g = std::tanh(gates[2 * kH + j]), o = Sigmoid(gates[3 * kH + j]);
      (*c)[r * kH + j] = f * c_prev[r * kH + j] + i * g;
      (*h)[r * kH + j] = o * std::tanh((*c)[r * kH + j]);
    }
  }
}

struct TorchWeights {
  Tensor w_ih{4 * kH, kIn}, w_hh{4 * kH, kH}, b_ih{4 * kH}, b_hh{4 * kH};
  explicit TorchWeights(Rng* rng) {
    for (Tensor* t : {&w_ih, &w_hh, &b_ih, &b_hh}) *t = RandomTensor(t->shape(), rng);
  }
};

TEST(LstmCell, ForwardMatchesTheFormulaWithPyTorchWeights) {
  Rng rng(1, "lstm_cell");
  TorchWeights tw(&rng);
  LstmCell cell("cell", kIn, kH);
  cell.FromTorch(tw.w_ih, tw.w_hh, tw.b_ih, tw.b_hh);
  Tensor x = RandomTensor({kRows, kIn}, &rng, 2.0f), h_prev = RandomTensor({kRows, kH}, &rng),
         c_prev = RandomTensor({kRows, kH}, &rng, 2.0f), h;
  LstmCellContext ctx;
  cell.Forward(x, h_prev, c_prev, &h, &ctx);
  std::vector<double> h_ref, c_ref;
  NaiveStep(tw.w_ih, tw.w_hh, tw.b_ih, tw.b_hh, x, h_prev, c_prev, &h_ref, &c_ref);
  ASSERT_EQ(h.shape(), (Shape{kRows, kH}));
  ASSERT_EQ(ctx.c.shape(), (Shape{kRows, kH}));
  double err = 0;
  for (int64_t i = 0; i < kRows * kH; ++i) {
    err = std::max(err, std::fabs(h[i] - h_ref[i]));
    err = std::max(err, std::fabs(ctx.c[i] - c_ref[i]));
  }
  EXPECT_LT(err, 2e-6);
  // The layout FromTorch builds: W = [W_ih, W_hh] row by row, b = b_ih + b_hh.
  const Tensor& w = cell.gates().weight().value;
  EXPECT_EQ(w[0 * (kIn + kH) + 1], tw.w_ih[0 * kIn + 1]);
  EXPECT_EQ(w[7 * (kIn + kH) + kIn + 2], tw.w_hh[7 * kH + 2]);
  EXPECT_EQ(cell.gates().bias().value[9], tw.b_ih[9] + tw.b_hh[9]);
}

TEST(LstmCell, FromTorchRejectsWrongShapes) {
  Rng rng(2, "lstm_cell");
  TorchWeights tw(&rng);
  LstmCell cell("cell", kIn, kH);
  EXPECT_THROW(cell.FromTorch(tw.w_hh, tw.w_hh, tw.b_ih, tw.b_hh), Error);
  EXPECT_THROW(cell.FromTorch(tw.w_ih, tw.w_ih, tw.b_ih, tw.b_hh), Error);
  EXPECT_THROW(cell.FromTorch(tw.w_ih, tw.w_hh, Tensor({kH}), tw.b_hh), Error);
  Tensor h;
  LstmCellContext ctx;
  EXPECT_THROW(cell.Forward(Tensor({2, kIn + 1}), Tensor({2, kH}), Tensor({2, kH}), &h, &ctx),
               Error);
  EXPECT_THROW(cell.Forward(Tensor({2, kIn}), Tensor({3, kH}), Tensor({2, kH}), &h, &ctx), Error);
}

// Backward against central differences of the float forward on the linear
// loss L = Σ a∘h + Σ b∘c (so dL/dh = a, dL/dc = b): with eps = 1e-2 on O(1)
// inputs the truncation error is ~1e-5 and float rounding of L ~1e-5 too.
TEST(LstmCell, BackwardMatchesFiniteDifferences) {
  Rng rng(3, "lstm_cell");
  LstmCell cell("cell", kIn, kH);
  cell.Init(&rng);
  Tensor x = RandomTensor({kRows, kIn}, &rng), h_prev = RandomTensor({kRows, kH}, &rng),
         c_prev = RandomTensor({kRows, kH}, &rng), a = RandomTensor({kRows, kH}, &rng),
         b = RandomTensor({kRows, kH}, &rng);
  auto loss = [&] {
    Tensor h;
    LstmCellContext ctx;
    cell.Forward(x, h_prev, c_prev, &h, &ctx);
    double l = 0;
    for (int64_t i = 0; i < h.size(); ++i) l += double(a[i]) * h[i] + double(b[i]) * ctx.c[i];
    return l;
  };
  Tensor h, dx, dh_prev, dc_prev;
  LstmCellContext ctx, scratch;
  ZeroGrad(cell.Parameters());
  cell.Forward(x, h_prev, c_prev, &h, &ctx);
  cell.Backward(ctx, c_prev, a, &b, &dx, &dh_prev, &dc_prev, &scratch);
  ASSERT_EQ(dx.shape(), x.shape());
  ASSERT_EQ(dh_prev.shape(), h_prev.shape());
  ASSERT_EQ(dc_prev.shape(), c_prev.shape());

  // max |fd − analytic| over a tensor, relative to the analytic's largest magnitude.
  auto check = [&](
                   const char* what, float* value, const Tensor& analytic,
                   const std::function<void()>& touched = [] {}) {
    const double eps = 1e-2;
    double err = 0, scale = 0;
    for (int64_t i = 0; i < analytic.size(); ++i) {
      const float saved = value[i];
      value[i] = float(saved + eps);
      touched();
      const double plus = loss();
      value[i] = float(saved - eps);
      touched();
      const double minus = loss();
      value[i] = saved;
      touched();
      err = std::max(err, std::fabs((plus - minus) / (2 * eps) - analytic[i]));
      scale = std::max(scale, double(std::fabs(analytic[i])));
    }
    EXPECT_GT(scale, 1e-2) << what;
    EXPECT_LT(err / scale, 2e-3) << what;
  };
  check("dx", x.data(), dx);
  check("dh_prev", h_prev.data(), dh_prev);
  check("dc_prev", c_prev.data(), dc_prev);
  Parameter& w = cell.gates().weight();
  Parameter& bias = cell.gates().bias();
  const Tensor dw = w.grad, db = bias.grad;
  check("dW", w.value.data(), dw, [&] { w.MarkUpdated(); });
  check("db", bias.value.data(), db, [&] { bias.MarkUpdated(); });
}

TEST(LstmCell, BackwardAccumulatesAndTreatsAMissingCellGradientAsZero) {
  Rng rng(4, "lstm_cell");
  LstmCell cell("cell", kIn, kH);
  cell.Init(&rng);
  Tensor x = RandomTensor({kRows, kIn}, &rng), h_prev = RandomTensor({kRows, kH}, &rng),
         c_prev = RandomTensor({kRows, kH}, &rng), dh = RandomTensor({kRows, kH}, &rng), h;
  LstmCellContext ctx, scratch;
  cell.Forward(x, h_prev, c_prev, &h, &ctx);
  Tensor dx1, dh1, dc1, dx2, dh2, dc2, zeros({kRows, kH});
  ZeroGrad(cell.Parameters());
  cell.Backward(ctx, c_prev, dh, nullptr, &dx1, &dh1, &dc1, &scratch);
  const Tensor once = cell.gates().weight().grad;
  cell.Backward(ctx, c_prev, dh, &zeros, &dx2, &dh2, &dc2, &scratch);
  EXPECT_EQ(MaxAbsDiff(dx1, dx2), 0.0f);
  EXPECT_EQ(MaxAbsDiff(dh1, dh2), 0.0f);
  EXPECT_EQ(MaxAbsDiff(dc1, dc2), 0.0f);
  const Tensor& twice = cell.gates().weight().grad;
  for (int64_t i = 0; i < once.size(); ++i) EXPECT_NEAR(twice[i], 2 * once[i], 1e-6);
  // dx may be null.
  cell.Backward(ctx, c_prev, dh, nullptr, nullptr, &dh2, &dc2, &scratch);
  EXPECT_EQ(MaxAbsDiff(dh1, dh2), 0.0f);
}

TEST(LstmCell, InitFollowsPyTorchBounds) {
  Rng rng(5, "lstm_cell");
  LstmCell cell("cell", 6, 16);
  cell.Init(&rng);
  const float bound = 1.0f / 4.0f;  // 1/sqrt(H)
  const Tensor& w = cell.gates().weight().value;
  const Tensor& b = cell.gates().bias().value;
  float wmax = 0, bmax = 0;
  for (int64_t i = 0; i < w.size(); ++i) wmax = std::max(wmax, std::fabs(w[i]));
  for (int64_t i = 0; i < b.size(); ++i) bmax = std::max(bmax, std::fabs(b[i]));
  EXPECT_LE(wmax, bound);
  EXPECT_GT(wmax, 0.9f * bound);
  EXPECT_LE(bmax, 2 * bound);  // the sum of two U(±bound) draws
  EXPECT_GT(bmax, bound);
}

}  // namespace
}  // namespace attend::nn
