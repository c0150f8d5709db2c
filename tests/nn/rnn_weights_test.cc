#include "nn/rnn_weights.h"

#include <gtest/gtest.h>

#include <vector>

#include "base/error.h"
#include "base/random.h"

namespace attend::nn {
namespace {

struct TorchBuffers {
  std::vector<float> w_ih, w_hh, b_ih, b_hh;
  TorchBuffers(RnnCell cell, int64_t C, int64_t H)
      : w_ih(RnnNumGates(cell) * H * C),
        w_hh(RnnNumGates(cell) * H * H),
        b_ih(RnnNumGates(cell) * H),
        b_hh(RnnNumGates(cell) * H) {}
  TorchRnnWeights View() { return {w_ih.data(), w_hh.data(), b_ih.data(), b_hh.data()}; }
  void Randomize(Rng* rng) {
    for (auto* v : {&w_ih, &w_hh, &b_ih, &b_hh})
      for (float& x : *v) x = rng->Uniform(-1, 1);
  }
};

struct OnednnBuffers {
  std::vector<float> layer, iter, bias;
  OnednnBuffers(RnnCell cell, int64_t C, int64_t H)
      : layer(C * RnnNumGates(cell) * H),
        iter(H * RnnNumGates(cell) * H),
        bias(RnnNumBiases(cell) * H) {}
  OnednnRnnWeights View() { return {layer.data(), iter.data(), bias.data()}; }
};

// ldgoi element (g, o, i) of a [1, 1, I, G, O] weight.
float At(const std::vector<float>& w, int64_t g, int64_t o, int64_t i, int64_t H, int64_t I) {
  return w[(g * H + o) * I + i];
}

TEST(RnnWeights, LstmKeepsGateOrderAndSumsBiases) {
  const int64_t C = 3, H = 2;
  Rng rng(1, "test");
  TorchBuffers t(RnnCell::kLstm, C, H);
  t.Randomize(&rng);
  OnednnBuffers o(RnnCell::kLstm, C, H);
  ConvertRnnWeights(RnnCell::kLstm, C, H, RnnConversion::kTorchToOnednn, t.View(), o.View());
  for (int64_t g = 0; g < 4; ++g)
    for (int64_t h = 0; h < H; ++h) {
      for (int64_t i = 0; i < C; ++i)
        EXPECT_EQ(At(o.layer, g, h, i, H, C), t.w_ih[(g * H + h) * C + i]);
      for (int64_t i = 0; i < H; ++i)
        EXPECT_EQ(At(o.iter, g, h, i, H, H), t.w_hh[(g * H + h) * H + i]);
      EXPECT_FLOAT_EQ(o.bias[g * H + h], t.b_ih[g * H + h] + t.b_hh[g * H + h]);
    }
}

TEST(RnnWeights, GruMapsGatesToLinearBeforeReset) {
  const int64_t C = 2, H = 3;
  Rng rng(2, "test");
  TorchBuffers t(RnnCell::kGru, C, H);
  t.Randomize(&rng);
  OnednnBuffers o(RnnCell::kGru, C, H);
  ConvertRnnWeights(RnnCell::kGru, C, H, RnnConversion::kTorchToOnednn, t.View(), o.View());
  // PyTorch (r=0, z=1, n=2) -> oneDNN (u=z, r, o=n).
  const int64_t torch_gate[3] = {1, 0, 2};
  for (int64_t g = 0; g < 3; ++g)
    for (int64_t h = 0; h < H; ++h) {
      const int64_t tg = torch_gate[g];
      for (int64_t i = 0; i < C; ++i)
        EXPECT_EQ(At(o.layer, g, h, i, H, C), t.w_ih[(tg * H + h) * C + i]);
      for (int64_t i = 0; i < H; ++i)
        EXPECT_EQ(At(o.iter, g, h, i, H, H), t.w_hh[(tg * H + h) * H + i]);
    }
  for (int64_t h = 0; h < H; ++h) {
    EXPECT_FLOAT_EQ(o.bias[0 * H + h], t.b_ih[1 * H + h] + t.b_hh[1 * H + h]);  // u = z
    EXPECT_FLOAT_EQ(o.bias[1 * H + h], t.b_ih[0 * H + h] + t.b_hh[0 * H + h]);  // r
    EXPECT_EQ(o.bias[2 * H + h], t.b_ih[2 * H + h]);                            // o: b_in
    EXPECT_EQ(o.bias[3 * H + h], t.b_hh[2 * H + h]);  // extra lbr bias: b_hn
  }
}

// The gradient conversion must be the adjoint of the value conversion:
// <F(t), o> == <t, Fᵀ(o)> for every t and o.
TEST(RnnWeights, GradientConversionIsTheAdjoint) {
  for (RnnCell cell : {RnnCell::kLstm, RnnCell::kGru}) {
    const int64_t C = 4, H = 3;
    Rng rng(3, "test");
    TorchBuffers t(cell, C, H);
    t.Randomize(&rng);
    OnednnBuffers ft(cell, C, H);
    ConvertRnnWeights(cell, C, H, RnnConversion::kTorchToOnednn, t.View(), ft.View());
    OnednnBuffers o(cell, C, H);
    for (auto* v : {&o.layer, &o.iter, &o.bias})
      for (float& x : *v) x = rng.Uniform(-1, 1);
    TorchBuffers fo(cell, C, H);  // zeros; the conversion adds into it
    ConvertRnnWeights(cell, C, H, RnnConversion::kOnednnGradToTorch, fo.View(), o.View());
    double lhs = 0, rhs = 0;
    for (size_t i = 0; i < o.layer.size(); ++i) lhs += double(ft.layer[i]) * o.layer[i];
    for (size_t i = 0; i < o.iter.size(); ++i) lhs += double(ft.iter[i]) * o.iter[i];
    for (size_t i = 0; i < o.bias.size(); ++i) lhs += double(ft.bias[i]) * o.bias[i];
    for (size_t i = 0; i < t.w_ih.size(); ++i) rhs += double(t.w_ih[i]) * fo.w_ih[i];
    for (size_t i = 0; i < t.w_hh.size(); ++i) rhs += double(t.w_hh[i]) * fo.w_hh[i];
    for (size_t i = 0; i < t.b_ih.size(); ++i) rhs += double(t.b_ih[i]) * fo.b_ih[i];
    for (size_t i = 0; i < t.b_hh.size(); ++i) rhs += double(t.b_hh[i]) * fo.b_hh[i];
    EXPECT_NEAR(lhs, rhs, 1e-4) << RnnCellName(cell);
  }
}

TEST(RnnWeights, ParsesCellNames) {
  EXPECT_EQ(ParseRnnCell("lstm", "--x"), RnnCell::kLstm);
  EXPECT_EQ(ParseRnnCell("gru", "--x"), RnnCell::kGru);
  try {
    ParseRnnCell("rnn", "--encoder.cell");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--encoder.cell"), std::string::npos);
  }
}

}  // namespace
}  // namespace attend::nn
