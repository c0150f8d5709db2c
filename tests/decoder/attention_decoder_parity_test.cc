// Parity of the whole attention decoder (teacher-forced forward, label-smoothed
// cross-entropy, backward) with an independent PyTorch reference of the same
// decoder run on the same weights: tests/decoder/make_decoder_fixtures.py
// writes the fixtures (fixtures/decoder_<case>.model; see the script for their
// contents). Loss within 1e-4 absolute, log-probs and attention weights within
// 1e-5, every gradient within 1e-3 of its tensor's largest magnitude.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <cmath>
#include <cstdio>

#include "base/config_text.h"
#include "decoder/attention_decoder.h"
#include "decoder/joint_loss.h"
#include "decoder/label_smoothing_loss.h"
#include "nn/log_softmax.h"
#include "nn/model_file.h"
#include "tests/test_support.h"

namespace attend::decoder {
namespace {

namespace po = boost::program_options;
using nn::Tensor;

// max |a − b| / max |b|: the error relative to the reference tensor's scale.
double RelativeMaxError(const Tensor& a, const Tensor& b) {
  double scale = 0;
  for (int64_t i = 0; i < b.size(); ++i) scale = std::max(scale, double(std::fabs(b[i])));
  return nn::MaxAbsDiff(a, b) / std::max(scale, 1e-12);
}

struct Fixture {
  std::string path;
  nn::ModelFile model;
  AttentionDecoderConfig config;
  JointLossOptions loss;
  int64_t encoder_dim = 0;
  int vocab = 0, sos_eos = 0;
  std::vector<int64_t> lengths;
  std::vector<std::vector<int>> targets;
};

Fixture LoadFixture(const std::string& name) {
  Fixture f;
  f.path = testing::DataPath("decoder/fixtures/decoder_" + name + ".model");
  f.model = nn::ModelFile::Load(f.path);
  po::options_description desc;
  f.config.Register(&desc);
  f.loss.Register(&desc);
  desc.add_options()("fixture-encoder-dim", po::value(&f.encoder_dim))(
      "fixture-vocab", po::value(&f.vocab))("fixture-sos-eos", po::value(&f.sos_eos));
  ParseConfigText(f.model.config, desc, f.path);
  const Tensor& lengths = f.model.Get("lengths", f.path);
  for (int64_t n = 0; n < lengths.size(); ++n) f.lengths.push_back(int64_t(lengths[n]));
  const Tensor& targets = f.model.Get("targets", f.path);  // [N, Umax], -1 padded
  for (int64_t n = 0; n < targets.dim(0); ++n) {
    f.targets.emplace_back();
    for (int64_t u = 0; u < targets.dim(1); ++u)
      if (targets[n * targets.dim(1) + u] >= 0)
        f.targets.back().push_back(int(targets[n * targets.dim(1) + u]));
  }
  return f;
}

// Sets every decoder parameter from the fixture: the LSTM cells through
// FromTorch (gate order, bias sum), the rest by attend's names.
void LoadWeights(const Fixture& f, AttentionDecoder* decoder) {
  for (int l = 0; l < f.config.num_layers; ++l) {
    const std::string p = "torch.lstm" + std::to_string(l) + ".";
    decoder->lstm(l).FromTorch(
        f.model.Get(p + "weight_ih", f.path), f.model.Get(p + "weight_hh", f.path),
        f.model.Get(p + "bias_ih", f.path), f.model.Get(p + "bias_hh", f.path));
  }
  for (nn::Parameter* p : decoder->Parameters()) {
    if (p->name.rfind("dec.lstm", 0) == 0) continue;
    const Tensor& value = f.model.Get(p->name, f.path);
    ASSERT_EQ(value.shape(), p->value.shape()) << p->name;
    p->value = value;
    p->MarkUpdated();
  }
}

// The loss's per-utterance weight: 1/N or 1/(tokens + N), as JointLoss normalizes.
double Denominator(const Fixture& f) {
  if (f.loss.normalize == "utterance") return double(f.targets.size());
  double tokens = 0;
  for (const auto& y : f.targets) tokens += double(y.size()) + 1;
  return tokens;
}

const char* kCases[] = {"additive",        "location",        "dot",
                        "general",         "location_2heads", "dot_2heads",
                        "general_2layers", "location_2layers"};

class DecoderParityTest : public ::testing::TestWithParam<const char*> {};

TEST_P(DecoderParityTest, ForwardLossAndGradientsMatchPyTorch) {
  const Fixture f = LoadFixture(GetParam());
  AttentionDecoder decoder("dec", f.config, f.encoder_dim, f.vocab, f.sos_eos);
  LoadWeights(f, &decoder);
  nn::ZeroGrad(decoder.Parameters());

  DecoderTrainContext ctx;
  Tensor log_probs, attention;
  const Tensor& encoder_out = f.model.Get("encoder_out");
  decoder.Forward(encoder_out, f.lengths, f.targets, nullptr, &ctx, &log_probs, &attention);
  ASSERT_EQ(log_probs.shape(), f.model.Get("log_probs").shape());
  const float lp_err = nn::MaxAbsDiff(log_probs, f.model.Get("log_probs"));
  const float att_err = nn::MaxAbsDiff(attention, f.model.Get("attention"));
  EXPECT_LE(lp_err, 1e-5f);
  EXPECT_LE(att_err, 1e-5f);

  std::vector<std::vector<int>> outputs = f.targets;
  for (auto& y : outputs) y.push_back(decoder.eos_id());
  const std::vector<double> weights(f.targets.size(), 1.0 / Denominator(f));
  std::vector<double> sums;
  Tensor dlogits, dencoder;
  const double total = LabelSmoothedCrossEntropy(log_probs, outputs, f.loss.label_smoothing,
                                                 &weights, &sums, &dlogits);
  const double loss = total / Denominator(f);
  const double loss_err = std::fabs(loss - f.model.Get("loss")[0]);
  EXPECT_LE(loss_err, 1e-4);
  decoder.Backward(&ctx, dlogits, &dencoder);

  const double enc_err = RelativeMaxError(dencoder, f.model.Get("grad.encoder_out"));
  EXPECT_LE(enc_err, 1e-3) << "encoder_out";
  // Padded frames get exactly no gradient.
  const int64_t T = encoder_out.dim(0), N = encoder_out.dim(1), D = encoder_out.dim(2);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t t = f.lengths[n]; t < T; ++t)
      for (int64_t d = 0; d < D; ++d) ASSERT_EQ(dencoder[(t * N + n) * D + d], 0.0f);
  double grad_err = 0;
  for (nn::Parameter* p : decoder.Parameters()) {
    const double err = RelativeMaxError(p->grad, f.model.Get("grad." + p->name, f.path));
    EXPECT_LE(err, 1e-3) << p->name;
    grad_err = std::max(grad_err, err);
  }
  std::printf("[ parity   ] %-22s loss %.2e  log-probs %.2e  attention %.2e  dH %.2e  dθ %.2e\n",
              GetParam(), loss_err, lp_err, att_err, enc_err, grad_err);
}

// The same through JointLoss with λ = 0 (the training path): its attention
// loss and dL/dH equal the reference.
TEST_P(DecoderParityTest, JointLossWithoutCtcMatchesPyTorch) {
  const Fixture f = LoadFixture(GetParam());
  AttentionDecoder decoder("dec", f.config, f.encoder_dim, f.vocab, f.sos_eos);
  LoadWeights(f, &decoder);
  nn::ZeroGrad(decoder.Parameters());
  JointLossOptions options = f.loss;
  ASSERT_EQ(options.ctc_weight, 0.0f);
  JointLoss joint(options);
  Tensor dencoder;
  const JointLossValue value = joint.ForwardBackward(nullptr, &decoder, f.model.Get("encoder_out"),
                                                     f.lengths, f.targets, nullptr, &dencoder);
  EXPECT_NEAR(value.attention, f.model.Get("loss")[0], 1e-4);
  EXPECT_NEAR(value.total, f.model.Get("loss")[0], 1e-4);
  EXPECT_LE(RelativeMaxError(dencoder, f.model.Get("grad.encoder_out")), 1e-3);
  for (nn::Parameter* p : decoder.Parameters())
    EXPECT_LE(RelativeMaxError(p->grad, f.model.Get("grad." + p->name, f.path)), 1e-3) << p->name;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, DecoderParityTest, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           return std::string(info.param);
                         });

}  // namespace
}  // namespace attend::decoder
