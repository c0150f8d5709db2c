#include "decoder/attention_decoder.h"

#include <gtest/gtest.h>

#include <cmath>

#include "base/error.h"
#include "nn/log_softmax.h"
#include "tests/decoder/gradient_check.h"

namespace attend::decoder {
namespace {

using nn::Shape;
using nn::Tensor;
using testing::GradientError;
using testing::RandomTensor;

constexpr int kVocab = 7, kSos = 2;
constexpr int64_t kT = 6, kN = 2, kD = 6;

AttentionDecoderConfig SmallConfig(const std::string& type, int layers = 1) {
  AttentionDecoderConfig c;
  c.embedding_dim = 4;
  c.hidden_dim = type == "dot" ? kD : 5;
  c.num_layers = layers;
  c.attention.type = type;
  c.attention.attention_dim = 4;
  c.attention.location_filters = 2;
  c.attention.location_kernel = 3;
  return c;
}

struct DecoderScene {
  AttentionDecoder decoder;
  Tensor encoder;
  std::vector<int64_t> lengths{kT, 4};
  std::vector<std::vector<int>> targets{{3, 4, 5}, {6}};
  Tensor proj;  // random weights on the log-probs [S, N, V]
  DecoderTrainContext ctx;
  Tensor log_probs;

  DecoderScene(const AttentionDecoderConfig& config, Rng* rng)
      : decoder("dec", config, kD, kVocab, kSos) {
    decoder.Init(rng);
    encoder = RandomTensor({kT, kN, kD}, rng);
    proj = RandomTensor({4, kN, kVocab}, rng);
  }
  // L = Σ proj · log_probs over each utterance's valid steps (|y| + 1).
  double Loss() {
    decoder.Forward(encoder, lengths, targets, nullptr, &ctx, &log_probs);
    double loss = 0;
    for (int64_t n = 0; n < kN; ++n)
      for (size_t s = 0; s <= targets[n].size(); ++s)
        for (int v = 0; v < kVocab; ++v) {
          int64_t i = (s * kN + n) * kVocab + v;
          loss += double(proj[i]) * log_probs[i];
        }
    return loss;
  }
  Tensor LossGradient() const {  // dL/dlog_probs, masked
    Tensor g(log_probs.shape());
    for (int64_t n = 0; n < kN; ++n)
      for (size_t s = 0; s <= targets[n].size(); ++s)
        for (int v = 0; v < kVocab; ++v) {
          int64_t i = (s * kN + n) * kVocab + v;
          g[i] = proj[i];
        }
    return g;
  }
};

TEST(AttentionDecoder, TeacherForcedGradientsMatchFiniteDifferences) {
  for (auto [type, layers] : std::vector<std::pair<std::string, int>>{
           {"additive", 1}, {"location", 1}, {"dot", 1}, {"general", 1}, {"location", 2}}) {
    SCOPED_TRACE(type + " layers=" + std::to_string(layers));
    Rng rng(21, type);
    DecoderScene s(SmallConfig(type, layers), &rng);
    s.Loss();
    nn::ZeroGrad(s.decoder.Parameters());
    Tensor dlogits, denc;
    nn::LogSoftmaxBackward(s.log_probs, s.LossGradient(), &dlogits);
    s.decoder.Backward(&s.ctx, dlogits, &denc);
    auto loss = [&] { return s.Loss(); };
    EXPECT_LT(GradientError(loss, s.encoder.data(), denc.data(), s.encoder.size()), 1e-3)
        << "encoder";
    // Parameters: the per-step attention parameters are checked at 1e-3 in
    // attention_test.cc; here the float forward's rounding (the loss sums ~50
    // log-probs) limits central differences on small gradients (norms down to
    // ~0.006) to about 1e-2 relative (2e-2 allowed), still far below the O(1) error of a
    // wrongly wired backward through time.
    for (nn::Parameter* p : s.decoder.Parameters()) {
      double err = GradientError(
          [&] {
            p->MarkUpdated();
            return s.Loss();
          },
          p->value.data(), p->grad.data(), p->value.size(), 3e-2, 40);
      p->MarkUpdated();
      EXPECT_LT(err, 2e-2) << p->name;
    }
  }
}

// bf16 gates (training's --compute-type bf16) stay close to f32: the same
// loss and gradients up to bf16 rounding of the gate GEMMs' inputs.
TEST(AttentionDecoder, Bf16GatesTrainCloseToF32) {
  Rng rng32(25, "bf16"), rng16(25, "bf16");
  DecoderScene f32(SmallConfig("location", 2), &rng32), bf16(SmallConfig("location", 2), &rng16);
  bf16.decoder.set_compute_type(nn::ComputeType::kBf16);
  const double loss32 = f32.Loss(), loss16 = bf16.Loss();
  EXPECT_NEAR(loss16, loss32, 1e-2 * std::abs(loss32));
  EXPECT_NE(loss16, loss32);  // bf16 really ran
  Tensor denc32, denc16;
  for (DecoderScene* s : {&f32, &bf16}) {
    nn::ZeroGrad(s->decoder.Parameters());
    Tensor dlogits;
    nn::LogSoftmaxBackward(s->log_probs, s->LossGradient(), &dlogits);
    s->decoder.Backward(&s->ctx, dlogits, s == &f32 ? &denc32 : &denc16);
  }
  EXPECT_LT(nn::MaxAbsDiff(denc32, denc16), 2e-2);
  const auto p32 = f32.decoder.Parameters(), p16 = bf16.decoder.Parameters();
  for (size_t i = 0; i < p32.size(); ++i)
    EXPECT_LT(nn::MaxAbsDiff(p32[i]->grad, p16[i]->grad), 2e-2) << p32[i]->name;
}

TEST(AttentionDecoder, StepsReproduceTeacherForcingAndReorderMovesRows) {
  for (std::string type : {"additive", "location", "dot", "general"}) {
    SCOPED_TRACE(type);
    Rng rng(22, type);
    DecoderScene s(SmallConfig(type, 2), &rng);
    Tensor attention;
    s.decoder.Forward(s.encoder, s.lengths, s.targets, nullptr, &s.ctx, &s.log_probs, &attention);
    // Two rows per utterance: one follows the reference, the other is fed a
    // decoy token; after each step Reorder swaps the two rows, so the
    // reference row only reproduces teacher forcing if its whole state moved.
    auto state = s.decoder.NewState();
    s.decoder.Start(s.encoder, s.lengths, 2, state.get());
    std::vector<int> ref_row{0, 0};
    std::vector<int> tokens{kSos, kSos, kSos, kSos};
    Tensor lp, att;
    for (int64_t step = 0; step < 4; ++step) {
      s.decoder.Step(tokens, state.get(), &lp, &att);
      ASSERT_EQ(lp.shape(), (Shape{4, kVocab}));
      ASSERT_EQ(att.shape(), (Shape{4, kT}));
      for (int64_t n = 0; n < kN; ++n) {
        if (step > static_cast<int64_t>(s.targets[n].size())) continue;
        const int64_t row = 2 * n + ref_row[n];
        for (int v = 0; v < kVocab; ++v)
          EXPECT_NEAR(lp[row * kVocab + v], s.log_probs[(step * kN + n) * kVocab + v], 1e-5);
        for (int64_t t = 0; t < kT; ++t)
          EXPECT_NEAR(att[row * kT + t], attention[(step * kN + n) * kT + t], 1e-6);
      }
      s.decoder.Reorder({1, 0, 3, 2}, state.get());
      for (int64_t n = 0; n < kN; ++n) {
        ref_row[n] = 1 - ref_row[n];
        int next = step < static_cast<int64_t>(s.targets[n].size()) ? s.targets[n][step] : kSos;
        tokens[2 * n + ref_row[n]] = next;
        tokens[2 * n + 1 - ref_row[n]] = 5;  // the decoy
      }
    }
  }
}

TEST(AttentionDecoder, AWarmStepCreatesNoPlans) {
  Rng rng(23, "plans");
  DecoderScene s(SmallConfig("location", 2), &rng);
  auto state = s.decoder.NewState();
  s.decoder.Start(s.encoder, s.lengths, 3, state.get());
  std::vector<int> tokens(6, kSos);
  Tensor lp, att;
  s.decoder.Step(tokens, state.get(), &lp, &att);
  s.decoder.Reorder({1, 0, 2, 5, 4, 3}, state.get());
  const int64_t plans = s.decoder.num_plans_created();
  for (int i = 0; i < 5; ++i) {
    s.decoder.Step(tokens, state.get(), &lp, &att);
    s.decoder.Reorder({0, 0, 1, 3, 3, 4}, state.get());
  }
  EXPECT_EQ(s.decoder.num_plans_created(), plans);
  // Log-probs are normalized and padding gets no attention.
  for (int64_t r = 0; r < 6; ++r) {
    double sum = 0;
    for (int v = 0; v < kVocab; ++v) sum += std::exp(lp[r * kVocab + v]);
    EXPECT_NEAR(sum, 1.0, 1e-5);
    if (r >= 3) {
      for (int64_t t = 4; t < kT; ++t) EXPECT_EQ(att[r * kT + t], 0.0f);
    }
  }
}

TEST(AttentionDecoder, RejectsBadInput) {
  Rng rng(24, "bad");
  DecoderScene s(SmallConfig("additive"), &rng);
  auto state = s.decoder.NewState();
  s.decoder.Start(s.encoder, s.lengths, 2, state.get());
  Tensor lp;
  EXPECT_THROW(s.decoder.Step({kSos}, state.get(), &lp, nullptr), Error);
  EXPECT_THROW(s.decoder.Step({kSos, kSos, kSos, 99}, state.get(), &lp, nullptr), Error);
  EXPECT_THROW(s.decoder.Reorder({0, 2, 2, 3}, state.get()),
               Error);  // row 1 would cross utterances
  AttentionDecoderConfig c = SmallConfig("additive", 3);
  EXPECT_THROW(c.Validate(), Error);
  EXPECT_THROW(AttentionDecoder("dec", SmallConfig("additive"), kD, kVocab, kVocab), Error);
}

}  // namespace
}  // namespace attend::decoder
