// Scheduled sampling in the teacher-forced decoder: rate 0 is teacher forcing
// exactly, rate 1 feeds the previous step's argmax, a rate in between mixes
// the two reproducibly; the inputs actually fed are those recorded in the
// train context.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "decoder/attention_decoder.h"
#include "nn/log_softmax.h"
#include "tests/decoder/gradient_check.h"

namespace attend::decoder {
namespace {

using nn::Tensor;
using testing::RandomTensor;

constexpr int kVocab = 8, kSos = 1;
constexpr int64_t kT = 7, kN = 3, kD = 6;

AttentionDecoderConfig Config(float rate) {
  AttentionDecoderConfig c;
  c.embedding_dim = 4;
  c.hidden_dim = 5;
  c.attention.type = "location";
  c.attention.attention_dim = 4;
  c.attention.location_filters = 2;
  c.attention.location_kernel = 3;
  c.scheduled_sampling = rate;
  return c;
}

struct TrainRun {
  DecoderTrainContext ctx;
  Tensor log_probs;
};

class ScheduledSampling : public ::testing::Test {
 protected:
  // Every decoder in a test shares these weights (same init seed).
  std::unique_ptr<AttentionDecoder> MakeDecoder(float rate) {
    auto decoder = std::make_unique<AttentionDecoder>("dec", Config(rate), kD, kVocab, kSos);
    Rng init(31, "init");
    decoder->Init(&init);
    return decoder;
  }
  void Forward(AttentionDecoder* decoder, Rng* rng, TrainRun* run) {
    decoder->Forward(encoder_, lengths_, targets_, rng, &run->ctx, &run->log_probs);
  }
  int Argmax(const TrainRun& run, int64_t s, int64_t n) const {
    const float* p = run.log_probs.data() + (s * kN + n) * kVocab;
    return int(std::max_element(p, p + kVocab) - p);
  }
  int Reference(int64_t s, int64_t n) const {
    const auto& y = targets_[n];
    return s == 0 || s > int64_t(y.size()) ? kSos : y[s - 1];
  }

  Rng data_rng_{32, "data"};
  Tensor encoder_ = RandomTensor({kT, kN, kD}, &data_rng_);
  std::vector<int64_t> lengths_{kT, 5, 3};
  std::vector<std::vector<int>> targets_{{2, 3, 4, 5, 6}, {7}, {3, 3, 2}};
};

TEST_F(ScheduledSampling, RateZeroIsTeacherForcing) {
  auto decoder = MakeDecoder(0.0f);
  TrainRun without_rng, with_rng;
  Forward(decoder.get(), nullptr, &without_rng);
  Rng rng(33, "sampling");
  Forward(decoder.get(), &rng, &with_rng);
  const int64_t S = without_rng.log_probs.dim(0);
  ASSERT_EQ(S, 6);
  for (int64_t s = 0; s < S; ++s)
    for (int64_t n = 0; n < kN; ++n) {
      EXPECT_EQ(without_rng.ctx.steps[s].inputs[n], Reference(s, n)) << s << "," << n;
      EXPECT_EQ(with_rng.ctx.steps[s].inputs[n], Reference(s, n)) << s << "," << n;
    }
  EXPECT_EQ(nn::MaxAbsDiff(without_rng.log_probs, with_rng.log_probs), 0.0f);
}

TEST_F(ScheduledSampling, RateOneFeedsThePreviousArgmax) {
  auto decoder = MakeDecoder(1.0f);
  Rng rng(34, "sampling");
  TrainRun run;
  Forward(decoder.get(), &rng, &run);
  int differs = 0;
  for (int64_t s = 0; s < run.log_probs.dim(0); ++s)
    for (int64_t n = 0; n < kN; ++n) {
      // Step 0 is always <sos/eos>; past its reference an utterance is fed
      // <sos/eos> (its outputs are ignored); in between, the argmax.
      const bool sampled = s > 0 && s <= int64_t(targets_[n].size());
      const int expected = sampled ? Argmax(run, s - 1, n) : kSos;
      EXPECT_EQ(run.ctx.steps[s].inputs[n], expected) << s << "," << n;
      differs += run.ctx.steps[s].inputs[n] != Reference(s, n);
    }
  EXPECT_GT(differs, 0) << "an untrained model should not reproduce the references";
  // The recorded inputs are what was fed: teacher-forcing on those inputs as
  // references gives the same outputs (the decoder is deterministic).
  auto teacher = MakeDecoder(0.0f);
  auto saved = targets_;
  for (int64_t n = 0; n < kN; ++n)
    for (size_t u = 0; u < targets_[n].size(); ++u) targets_[n][u] = run.ctx.steps[u + 1].inputs[n];
  TrainRun forced;
  Forward(teacher.get(), nullptr, &forced);
  targets_ = saved;
  EXPECT_EQ(nn::MaxAbsDiff(forced.log_probs, run.log_probs), 0.0f);
}

TEST_F(ScheduledSampling, IntermediateRateMixesReproducibly) {
  auto decoder = MakeDecoder(0.5f);
  Rng rng_a(35, "sampling"), rng_b(35, "sampling");
  int sampled_differs = 0, reference = 0;
  for (int repeat = 0; repeat < 20; ++repeat) {
    TrainRun a, b;
    Forward(decoder.get(), &rng_a, &a);
    Forward(decoder.get(), &rng_b, &b);
    for (int64_t s = 0; s < a.log_probs.dim(0); ++s)
      for (int64_t n = 0; n < kN; ++n) {
        const int in = a.ctx.steps[s].inputs[n];
        EXPECT_EQ(in, b.ctx.steps[s].inputs[n]);  // same seed, same choices
        const bool may_sample = s > 0 && s <= int64_t(targets_[n].size());
        if (!may_sample) {
          EXPECT_EQ(in, kSos);
          continue;
        }
        const int argmax = Argmax(a, s - 1, n);
        EXPECT_TRUE(in == Reference(s, n) || in == argmax) << s << "," << n;
        if (argmax != Reference(s, n)) {
          sampled_differs += in == argmax;
          reference += in == Reference(s, n);
        }
      }
  }
  // Where the argmax differs from the reference both choices occur.
  EXPECT_GT(sampled_differs, 0);
  EXPECT_GT(reference, 0);
}

TEST_F(ScheduledSampling, BackwardRunsOnSampledInputs) {
  auto decoder = MakeDecoder(1.0f);
  Rng rng(36, "sampling");
  TrainRun run;
  Forward(decoder.get(), &rng, &run);
  nn::ZeroGrad(decoder->Parameters());
  Tensor dlogits, denc;
  Tensor dlp = RandomTensor(run.log_probs.shape(), &rng);
  nn::LogSoftmaxBackward(run.log_probs, dlp, &dlogits);
  decoder->Backward(&run.ctx, dlogits, &denc);
  ASSERT_EQ(denc.shape(), encoder_.shape());
  // The embedding gradient lands on the rows of the tokens actually fed.
  std::vector<bool> fed(kVocab, false);
  for (const auto& step : run.ctx.steps)
    for (int token : step.inputs) fed[token] = true;
  nn::Parameter& emb = decoder->embedding().weight();
  for (int v = 0; v < kVocab; ++v) {
    double norm = 0;
    for (int64_t e = 0; e < emb.grad.dim(1); ++e)
      norm += std::fabs(emb.grad[v * emb.grad.dim(1) + e]);
    EXPECT_EQ(norm > 0, fed[v]) << "token " << v;
  }
}

}  // namespace
}  // namespace attend::decoder
