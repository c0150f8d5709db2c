#include "decoder/attention.h"

#include <gtest/gtest.h>

#include <cmath>

#include "base/error.h"
#include "tests/decoder/gradient_check.h"

namespace attend::decoder {
namespace {

using nn::Shape;
using nn::Tensor;
using testing::GradientError;
using testing::RandomTensor;

struct Case {
  const char* name;
  AttentionOptions options;
};

AttentionOptions Make(const std::string& type, int heads = 1, float temperature = 1.0f,
                      bool scale = true) {
  AttentionOptions o;
  o.type = type;
  o.attention_dim = 6;
  o.num_heads = heads;
  o.temperature = temperature;
  o.scale = scale;
  o.location_filters = 3;
  o.location_kernel = 5;
  return o;
}

std::vector<Case> AllCases() {
  return {{"additive", Make("additive")},
          {"location", Make("location")},
          {"dot", Make("dot")},
          {"dot_unscaled", Make("dot", 1, 1.0f, false)},
          {"general", Make("general")},
          {"additive_2heads", Make("additive", 2)},
          {"dot_2heads", Make("dot", 2)},
          {"location_sharpened", Make("location", 1, 0.5f)},
          {"general_smoothed_2heads", Make("general", 2, 2.0f)}};
}

// A fixed random setting: T=7 frames, N=2 utterances (lengths 7 and 4), two
// rows per utterance, encoder dim 8, query dim 6 (8 for dot).
struct Scene {
  static constexpr int64_t T = 7, N = 2, D = 8, kRows = 2, R = N * kRows;
  int64_t Q;
  Attention attention;
  Tensor encoder, query, prev, proj_context, proj_weights;
  std::vector<int64_t> lengths{7, 4};
  AttentionMemory memory;
  AttentionStep step;
  Tensor context;

  explicit Scene(const AttentionOptions& o, Rng* rng)
      : Q(o.type == "dot" ? D : 6), attention("att", o, Q, D) {
    attention.Init(rng);
    encoder = RandomTensor({T, N, D}, rng);
    query = RandomTensor({R, Q}, rng);
    prev = RandomTensor({R, T}, rng, 0.5f);
    for (int64_t r = 0; r < R; ++r)
      for (int64_t t = lengths[r / kRows]; t < T; ++t) prev[r * T + t] = 0.0f;
    proj_context = RandomTensor({R, D}, rng);
    proj_weights = RandomTensor({R, T}, rng);
  }

  // L = <proj_context, context> + <proj_weights, weights>, in double.
  double Loss() {
    attention.Prepare(encoder, lengths, &memory);
    attention.Forward(memory, kRows, query, attention.uses_location() ? &prev : nullptr, &context,
                      &step);
    double loss = 0;
    for (int64_t i = 0; i < context.size(); ++i) loss += double(proj_context[i]) * context[i];
    for (int64_t i = 0; i < step.weights.size(); ++i)
      loss += double(proj_weights[i]) * step.weights[i];
    return loss;
  }
};

TEST(Attention, GradientsMatchFiniteDifferencesForEveryType) {
  for (const Case& c : AllCases()) {
    SCOPED_TRACE(c.name);
    Rng rng(11, c.name);
    Scene s(c.options, &rng);
    s.Loss();
    nn::ZeroGrad(s.attention.Parameters());
    Tensor dkeys(s.memory.keys.shape()), dvalues(s.memory.values.shape()), dquery, dprev, denc,
        scratch;
    s.attention.Backward(s.memory, Scene::kRows, s.step, s.proj_context, &s.proj_weights, &dkeys,
                         &dvalues, &dquery, &dprev);
    s.attention.PrepareBackward(s.memory, dkeys, dvalues, &denc, &scratch);
    auto loss = [&] { return s.Loss(); };
    EXPECT_LT(GradientError(loss, s.query.data(), dquery.data(), s.query.size()), 1e-3) << "query";
    // Only valid frames of the encoder output influence anything.
    EXPECT_LT(GradientError(loss, s.encoder.data(), denc.data(), s.encoder.size()), 1e-3)
        << "encoder";
    if (s.attention.uses_location()) {
      EXPECT_LT(GradientError(loss, s.prev.data(), dprev.data(), s.prev.size()), 1e-3) << "prev";
    }
    for (nn::Parameter* p : s.attention.Parameters()) {
      EXPECT_LT(GradientError(
                    [&] {
                      p->MarkUpdated();
                      return s.Loss();
                    },
                    p->value.data(), p->grad.data(), p->value.size()),
                1e-3)
          << p->name;
      p->MarkUpdated();
    }
  }
}

TEST(Attention, PaddedFramesGetExactlyZeroWeightAndNoInfluence) {
  for (const Case& c : AllCases()) {
    SCOPED_TRACE(c.name);
    Rng rng(12, c.name);
    Scene s(c.options, &rng);
    s.Loss();
    Tensor context = s.context, weights = s.step.weights;
    for (int64_t r = 0; r < Scene::R; ++r) {
      const int64_t len = s.lengths[r / Scene::kRows];
      double sum = 0;
      for (int64_t t = 0; t < Scene::T; ++t) {
        if (t >= len) {
          EXPECT_EQ(weights[r * Scene::T + t], 0.0f);
        }
        EXPECT_GE(weights[r * Scene::T + t], 0.0f);
        sum += weights[r * Scene::T + t];
      }
      EXPECT_NEAR(sum, 1.0, 1e-5);
    }
    // Garbage in the padding of utterance 1 changes nothing.
    for (int64_t t = s.lengths[1]; t < Scene::T; ++t)
      for (int64_t d = 0; d < Scene::D; ++d) s.encoder[(t * Scene::N + 1) * Scene::D + d] = 1e4f;
    s.Loss();
    EXPECT_EQ(nn::MaxAbsDiff(context, s.context), 0.0f);
    EXPECT_EQ(nn::MaxAbsDiff(weights, s.step.weights), 0.0f);
  }
}

// Inference (Infer after PrepareInference) computes what Forward does: every
// type, the default 10 location filters (their own kernel) with one and two
// heads, over several 16-frame tiles and a padded utterance.
TEST(Attention, InferMatchesForward) {
  std::vector<Case> cases = AllCases();
  AttentionOptions ten = Make("location");
  ten.location_filters = 10;
  ten.location_kernel = 31;
  cases.push_back({"location_10_filters", ten});
  ten.num_heads = 2;
  cases.push_back({"location_10_filters_2heads", ten});
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Rng rng(13, c.name);
    const int64_t T = 37, N = 2, D = 8, rows = 3, R = N * rows;
    const int64_t Q = c.options.type == "dot" ? D : 6;
    const std::vector<int64_t> lengths{37, 20};
    Attention attention("att", c.options, Q, D);
    attention.Init(&rng);
    const Tensor encoder = RandomTensor({T, N, D}, &rng), query = RandomTensor({R, Q}, &rng);
    Tensor prev = RandomTensor({R, T}, &rng, 0.5f);
    for (int64_t r = 0; r < R; ++r)
      for (int64_t t = lengths[r / rows]; t < T; ++t) prev[r * T + t] = 0.0f;
    AttentionMemory memory;
    attention.Prepare(encoder, lengths, &memory);
    attention.PrepareInference(&memory);
    const Tensor* p = attention.uses_location() ? &prev : nullptr;
    AttentionStep step;
    Tensor context, infer_context, infer_weights;
    attention.Forward(memory, rows, query, p, &context, &step);
    AttentionScratch scratch;
    attention.Infer(memory, rows, query, p, &scratch, &infer_context, &infer_weights);
    EXPECT_LT(nn::MaxAbsDiff(context, infer_context), 1e-5f);
    EXPECT_LT(nn::MaxAbsDiff(step.weights, infer_weights), 1e-6f);
    for (int64_t r = 0; r < R; ++r)
      for (int64_t t = lengths[r / rows]; t < T; ++t) EXPECT_EQ(infer_weights[r * T + t], 0.0f);
  }
}

TEST(Attention, ContextIsTheWeightedSumAndTemperatureSharpens) {
  Rng rng(13, "sum");
  Scene s(Make("additive"), &rng);
  s.Loss();
  for (int64_t r = 0; r < Scene::R; ++r)
    for (int64_t d = 0; d < Scene::D; ++d) {
      double expected = 0;
      for (int64_t t = 0; t < Scene::T; ++t)
        expected += double(s.step.weights[r * Scene::T + t]) *
                    s.encoder[(t * Scene::N + r / Scene::kRows) * Scene::D + d];
      EXPECT_NEAR(s.context[r * Scene::D + d], expected, 1e-5);
    }
  auto max_weight = [](const Tensor& w) {
    float m = 0;
    for (int64_t i = 0; i < w.size(); ++i) m = std::max(m, w[i]);
    return m;
  };
  Rng rng2(13, "sum");
  Scene sharp(Make("additive", 1, 0.25f), &rng2);  // same weights and inputs, τ = 1/4
  sharp.Loss();
  EXPECT_GT(max_weight(sharp.step.weights), max_weight(s.step.weights));
}

TEST(Attention, OptionsAreValidated) {
  AttentionOptions bad = Make("cosine");
  EXPECT_THROW(bad.Validate(), Error);
  EXPECT_THROW(Attention("att", Make("dot"), 6, 8), Error);          // dot needs Q == D
  EXPECT_THROW(Attention("att", Make("additive", 4), 6, 8), Error);  // 4 heads don't divide 6
  AttentionOptions even = Make("location");
  even.location_kernel = 4;
  EXPECT_THROW(even.Validate(), Error);
}

}  // namespace
}  // namespace attend::decoder
