#include "acoustic/encoder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "base/error.h"
#include "tests/test_support.h"

namespace attend::acoustic {
namespace {

using nn::ComputeType;
using nn::Tensor;

Tensor RandomTensor(const nn::Shape& shape, Rng* rng) {
  Tensor t(shape);
  for (int64_t i = 0; i < t.size(); ++i) t[i] = rng->Uniform(-1, 1);
  return t;
}

Lengths ToLengths(const Tensor& t) {
  Lengths out;
  for (int64_t i = 0; i < t.size(); ++i) out.push_back(static_cast<int64_t>(t[i]));
  return out;
}

// max |a - b| / max |b|: the error relative to the tensor's scale.
double RelativeMaxError(const Tensor& a, const Tensor& b) {
  double scale = 0;
  for (int64_t i = 0; i < b.size(); ++i) scale = std::max(scale, double(std::fabs(b[i])));
  return nn::MaxAbsDiff(a, b) / std::max(scale, 1e-12);
}

struct Fixture {
  nn::ModelFile model;
  EncoderConfig config;
};

Fixture LoadFixture(const std::string& name) {
  const std::string path = testing::DataPath("acoustic/fixtures/" + name + ".model");
  Fixture f{nn::ModelFile::Load(path), {}};
  f.config = EncoderConfig::FromString(f.model.config, path);
  return f;
}

const char* kFixtures[] = {"lstm_concat4", "gru_max2_proj", "lstm_mean8_proj"};

struct RunResult {
  Tensor y, dx;
  Lengths out_lengths;
  std::vector<Tensor> grads;  // in Parameters() order
};

RunResult RunFixture(const Fixture& f, const EncoderConfig& config, ComputeType type) {
  Encoder encoder(config);
  encoder.Load(f.model, "fixture");
  encoder.set_compute_type(type);
  nn::ZeroGrad(encoder.Parameters());
  Encoder::Context ctx;
  RunResult r;
  encoder.Forward(f.model.Get("input"), ToLengths(f.model.Get("lengths")), &r.y, &r.out_lengths,
                  &ctx, /*training=*/true);
  encoder.Backward(f.model.Get("grad_output"), &ctx, &r.dx);
  for (nn::Parameter* p : encoder.Parameters()) r.grads.push_back(p->grad);
  return r;
}

class EncoderFixtureTest : public ::testing::TestWithParam<const char*> {};

TEST_P(EncoderFixtureTest, MatchesPyTorchOutputAndGradients) {
  const Fixture f = LoadFixture(GetParam());
  for (int64_t bucket : {int64_t{1}, int64_t{16}}) {  // bucketing must not change anything
    EncoderConfig config = f.config;
    config.bucket_frames = bucket;
    RunResult r = RunFixture(f, config, ComputeType::kF32);
    EXPECT_EQ(r.out_lengths, ToLengths(f.model.Get("output_lengths")));
    ASSERT_EQ(r.y.shape(), f.model.Get("output").shape());
    EXPECT_LE(nn::MaxAbsDiff(r.y, f.model.Get("output")), 1e-4f) << "bucket " << bucket;
    EXPECT_LE(RelativeMaxError(r.dx, f.model.Get("grad_input")), 1e-3) << "bucket " << bucket;
    Encoder names(config);
    std::vector<nn::Parameter*> params = names.Parameters();
    ASSERT_EQ(params.size(), r.grads.size());
    for (size_t k = 0; k < params.size(); ++k)
      EXPECT_LE(RelativeMaxError(r.grads[k], f.model.Get("grad." + params[k]->name)), 1e-3)
          << params[k]->name << ", bucket " << bucket;
  }
}

TEST_P(EncoderFixtureTest, Bf16StaysCloseToF32) {
  const Fixture f = LoadFixture(GetParam());
  RunResult f32 = RunFixture(f, f.config, ComputeType::kF32);
  RunResult bf16 = RunFixture(f, f.config, ComputeType::kBf16);
  EXPECT_LE(nn::MaxAbsDiff(bf16.y, f32.y), 1e-2f);
  // Training in bf16 (f32 master weights): gradients keep their direction and scale.
  EXPECT_LE(RelativeMaxError(bf16.dx, f32.dx), 5e-2);
  for (size_t k = 0; k < f32.grads.size(); ++k)
    EXPECT_LE(RelativeMaxError(bf16.grads[k], f32.grads[k]), 5e-2) << "parameter " << k;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, EncoderFixtureTest, ::testing::ValuesIn(kFixtures),
                         [](const auto& info) { return std::string(info.param); });

EncoderConfig SmallConfig(const std::string& cell, int64_t reduction, const std::string& type,
                          int64_t proj) {
  EncoderConfig c;
  c.input_dim = 4;
  c.cell = cell;
  c.num_layers = 2;
  c.hidden_dim = 5;
  c.proj_dim = proj;
  c.reduction = reduction;
  c.reduction_type = type;
  c.bucket_frames = 8;
  return c;
}

// Every utterance of a padded batch gets exactly its solo output, input
// gradient, and parameter gradients (the batch's are the sum of the solos').
TEST(Encoder, PaddedBatchEqualsSoloRuns) {
  for (const EncoderConfig& config :
       {SmallConfig("lstm", 4, "concat", 0), SmallConfig("gru", 2, "max", 3),
        SmallConfig("lstm", 2, "mean", 3)}) {
    SCOPED_TRACE(config.ToString());
    Rng rng(7, "test");
    Encoder encoder(config);
    encoder.Init(&rng);
    const Lengths lengths = {13, 5, 17, 1};
    const int64_t T = 17, N = 4, C = config.input_dim;
    Tensor x = RandomTensor({T, N, C}, &rng);
    Encoder::Context ctx;
    Tensor y, dx;
    Lengths out_lengths;
    encoder.Forward(x, lengths, &y, &out_lengths, &ctx, true);
    Tensor g = RandomTensor(y.shape(), &rng);
    nn::ZeroGrad(encoder.Parameters());
    encoder.Backward(g, &ctx, &dx);
    std::vector<Tensor> batch_grads;
    for (nn::Parameter* p : encoder.Parameters()) batch_grads.push_back(p->grad);
    std::vector<Tensor> solo_sum;
    for (Tensor& t : batch_grads) solo_sum.emplace_back(t.shape());
    for (int64_t n = 0; n < N; ++n) {
      const int64_t L = lengths[n], D = y.dim(2);
      Tensor xs({L, 1, C});
      for (int64_t t = 0; t < L; ++t) std::copy_n(x.data() + (t * N + n) * C, C, xs.data() + t * C);
      Tensor ys, dxs;
      Lengths ls;
      Encoder::Context solo_ctx;
      encoder.Forward(xs, {L}, &ys, &ls, &solo_ctx, true);
      ASSERT_EQ(ls[0], out_lengths[n]);
      Tensor gs({ys.dim(0), 1, D});
      for (int64_t t = 0; t < ys.dim(0); ++t)
        std::copy_n(g.data() + (t * N + n) * D, D, gs.data() + t * D);
      nn::ZeroGrad(encoder.Parameters());
      encoder.Backward(gs, &solo_ctx, &dxs);
      float worst_y = 0, worst_dx = 0;
      for (int64_t t = 0; t < ys.dim(0); ++t)
        for (int64_t d = 0; d < D; ++d)
          worst_y = std::max(worst_y, std::fabs(ys[t * D + d] - y[(t * N + n) * D + d]));
      for (int64_t t = ys.dim(0); t < y.dim(0); ++t)  // padding is exactly zero
        for (int64_t d = 0; d < D; ++d) EXPECT_EQ(y[(t * N + n) * D + d], 0.0f);
      for (int64_t t = 0; t < T; ++t)
        for (int64_t c = 0; c < C; ++c)
          worst_dx = std::max(worst_dx,
                              std::fabs((t < L ? dxs[t * C + c] : 0.0f) - dx[(t * N + n) * C + c]));
      EXPECT_LE(worst_y, 1e-5f) << "utterance " << n;
      EXPECT_LE(worst_dx, 1e-5f) << "utterance " << n;
      std::vector<nn::Parameter*> params = encoder.Parameters();
      for (size_t k = 0; k < params.size(); ++k)
        for (int64_t i = 0; i < solo_sum[k].size(); ++i) solo_sum[k][i] += params[k]->grad[i];
    }
    for (size_t k = 0; k < batch_grads.size(); ++k)
      EXPECT_LE(nn::MaxAbsDiff(batch_grads[k], solo_sum[k]), 1e-5f) << "parameter " << k;
  }
}

double Loss(Encoder& encoder, const Tensor& x, const Lengths& lengths, const Tensor& g) {
  Encoder::Context ctx;
  Tensor y;
  Lengths ol;
  encoder.Forward(x, lengths, &y, &ol, &ctx);
  double loss = 0;
  for (int64_t i = 0; i < y.size(); ++i) loss += double(y[i]) * g[i];
  return loss;
}

double RelativeError(double analytic, double numeric) {
  return std::fabs(analytic - numeric) / std::max({std::fabs(analytic), std::fabs(numeric), 1e-1});
}

TEST(Encoder, BackwardMatchesFiniteDifferences) {
  for (const char* cell : {"lstm", "gru"}) {
    SCOPED_TRACE(cell);
    EncoderConfig config = SmallConfig(cell, 2, "max", 3);
    config.input_dim = 3;
    config.hidden_dim = 3;
    config.input_proj_dim = 2;
    config.bucket_frames = 1;
    Rng rng(8, "test");
    Encoder encoder(config);
    encoder.Init(&rng);
    const Lengths lengths = {5, 3};
    Tensor x = RandomTensor({5, 2, 3}, &rng);
    for (int64_t t = 3; t < 5; ++t) std::fill_n(x.data() + (t * 2 + 1) * 3, 3, 0.0f);
    Encoder::Context ctx;
    Tensor y, dx;
    Lengths ol;
    encoder.Forward(x, lengths, &y, &ol, &ctx, true);
    Tensor g = RandomTensor(y.shape(), &rng);
    nn::ZeroGrad(encoder.Parameters());
    encoder.Backward(g, &ctx, &dx);
    const float eps = 1e-2f;
    for (int64_t i = 0; i < x.size(); ++i) {
      Tensor xp = x, xm = x;
      xp[i] += eps;
      xm[i] -= eps;
      const double numeric =
          (Loss(encoder, xp, lengths, g) - Loss(encoder, xm, lengths, g)) / (2 * eps);
      EXPECT_LT(RelativeError(dx[i], numeric), 5e-3) << "dx[" << i << "]";
    }
    for (nn::Parameter* p : encoder.Parameters()) {
      for (int64_t i = 0; i < p->value.size(); i += 3) {  // a sample of each parameter
        const float saved = p->value[i];
        p->value[i] = saved + eps;
        p->MarkUpdated();
        const double lp = Loss(encoder, x, lengths, g);
        p->value[i] = saved - eps;
        p->MarkUpdated();
        const double lm = Loss(encoder, x, lengths, g);
        p->value[i] = saved;
        p->MarkUpdated();
        EXPECT_LT(RelativeError(p->grad[i], (lp - lm) / (2 * eps)), 5e-3)
            << p->name << "[" << i << "]";
      }
    }
  }
}

TEST(Encoder, ABucketedRepeatedShapeBuildsNoPlan) {
  EncoderConfig config = SmallConfig("lstm", 4, "concat", 0);
  config.bucket_frames = 16;
  Rng rng(9, "test");
  Encoder encoder(config);
  encoder.Init(&rng);
  Encoder::Context ctx;  // the caller's plans live here (the backward's in the encoder)
  auto step = [&](int64_t T) {
    Tensor x = RandomTensor({T, 2, config.input_dim}, &rng), y, dx;
    Lengths ol;
    encoder.Forward(x, {T, T - 1}, &y, &ol, &ctx, true);
    encoder.Backward(y, &ctx, &dx);
    encoder.Forward(x, {T, T - 1}, &y, &ol, &ctx, false);
  };
  step(33);  // layer T buckets: 48, then 17 -> 32, then 9 -> 16
  const int64_t plans = encoder.num_plans_created();
  const int64_t reorders = encoder.num_weight_reorders();
  // 2 layers x 2 directions x (forward, backward); f32 inference reuses the
  // training forward (nn::RnnLayer::f32_inference_via_training).
  EXPECT_EQ(plans, 2 * 2 * 2);
  step(40);  // different T, same buckets
  step(47);
  EXPECT_EQ(encoder.num_plans_created(), plans);
  EXPECT_EQ(encoder.num_weight_reorders(), reorders);
  step(49);  // a new bucket is a new plan
  EXPECT_GT(encoder.num_plans_created(), plans);
}

// Long audio is decoded segment by segment, each padded to
// EncoderConfig::PaddedLength: the valid outputs must be exactly those of the
// unpadded segment (bit for bit: transcripts must not change), and segments of
// many lengths must share a few plans instead of building new ones each
// (issue 6: memory grew with the recording).
TEST(Encoder, SegmentsPaddedToTheirBucketGiveTheSameOutputsAndShareFewPlans) {
  EncoderConfig config = SmallConfig("lstm", 4, "concat", 3);
  Rng rng(12, "test");
  Encoder encoder(config);
  encoder.Init(&rng);
  const int64_t C = config.input_dim, bucket = config.bucket_frames * config.reduction;
  EXPECT_EQ(config.PaddedLength(1), bucket);
  EXPECT_EQ(config.PaddedLength(bucket), bucket);
  EXPECT_EQ(config.PaddedLength(bucket + 1), 2 * bucket);
  for (int64_t L : {1, 31, 32, 45, 64, 97}) {
    Tensor x = RandomTensor({L, 1, C}, &rng), y, y_padded;
    Tensor x_padded({config.PaddedLength(L), 1, C});  // zero padding
    std::copy_n(x.data(), x.size(), x_padded.data());
    Lengths ol, ol_padded;
    Encoder::Context ctx;
    encoder.Forward(x, {L}, &y, &ol, &ctx);
    encoder.Forward(x_padded, {L}, &y_padded, &ol_padded, &ctx);
    ASSERT_EQ(ol_padded, ol);
    ASSERT_EQ(y_padded.dim(0) % config.bucket_frames, 0);
    for (int64_t i = 0; i < y.size(); ++i) ASSERT_EQ(y_padded[i], y[i]) << "L=" << L << " i=" << i;
    for (int64_t i = y.size(); i < y_padded.size(); ++i) ASSERT_EQ(y_padded[i], 0.0f);
  }
  const int64_t before = encoder.num_plans_created();
  std::set<int64_t> shapes;
  Encoder::Context ctx;                     // one decode state keeps its plans across segments
  for (int64_t L = 200; L < 456; L += 3) {  // 86 lengths, 9 buckets
    shapes.insert(config.PaddedLength(L));
    Tensor x({config.PaddedLength(L), 1, C}), y;
    Lengths ol;
    encoder.Forward(x, {L}, &y, &ol, &ctx);
  }
  // One plan per bucket, layer and direction (f32 inference on the training
  // forward: one plan kind).
  EXPECT_EQ(shapes.size(), 9u);
  EXPECT_EQ(encoder.num_plans_created() - before,
            static_cast<int64_t>(shapes.size()) * config.num_layers * 2);
}

TEST(Encoder, SaveLoadRoundTrip) {
  EncoderConfig config = SmallConfig("gru", 2, "mean", 3);
  config.input_proj_dim = 6;
  Rng rng(10, "test");
  Encoder a(config);
  a.Init(&rng);
  nn::ModelFile model;
  a.Save(&model);
  testing::TempDir dir;
  model.Save(dir.File("enc.model"));
  nn::ModelFile loaded = nn::ModelFile::Load(dir.File("enc.model"));
  Encoder b(EncoderConfig::FromString(loaded.config, "enc.model"));
  b.Load(loaded, "enc.model");
  EXPECT_EQ(b.config().ToString(), config.ToString());
  Tensor x = RandomTensor({9, 2, 4}, &rng), ya, yb;
  Lengths la, lb;
  Encoder::Context ca, cb;
  a.Forward(x, {9, 6}, &ya, &la, &ca);
  b.Forward(x, {9, 6}, &yb, &lb, &cb);
  EXPECT_EQ(nn::MaxAbsDiff(ya, yb), 0.0f);
  EXPECT_EQ(la, lb);
  // A tensor missing or of the wrong shape is an error naming it.
  loaded.tensors.erase("encoder.layers.1.r2l.weight_hh");
  EXPECT_THROW(b.Load(loaded, "enc.model"), Error);
  EncoderConfig bigger = config;
  bigger.hidden_dim = 6;
  Encoder c(bigger);
  try {
    c.Load(model, "enc.model");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("enc.model"), std::string::npos) << e.what();
  }
}

TEST(Encoder, DimensionsAndLengths) {
  EncoderConfig c = SmallConfig("lstm", 8, "concat", 0);
  c.num_layers = 3;
  EXPECT_EQ(c.OutputDim(), 4 * c.hidden_dim);
  EXPECT_EQ(Encoder::OutputLengths(c, {17, 8, 1, 0}), (Lengths{3, 1, 1, 0}));
  c.proj_dim = 7;
  EXPECT_EQ(c.OutputDim(), 7);
  c.proj_dim = 0;
  c.reduction_type = "max";
  EXPECT_EQ(c.OutputDim(), 2 * c.hidden_dim);
}

TEST(EncoderConfig, ValidateNamesTheOption) {
  auto expect_error = [](EncoderConfig c, const std::string& option) {
    try {
      c.Validate();
      FAIL() << "no error for " << option;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(option), std::string::npos) << e.what();
    }
  };
  EncoderConfig c;
  c.Validate();
  EncoderConfig bad = c;
  bad.reduction = 3;
  expect_error(bad, "--encoder.reduction");
  bad = c;
  bad.reduction = 8;
  bad.num_layers = 2;
  expect_error(bad, "--encoder.reduction");
  bad = c;
  bad.cell = "rnn";
  expect_error(bad, "--encoder.cell");
  bad = c;
  bad.reduction_type = "sum";
  expect_error(bad, "--encoder.reduction_type");
  bad = c;
  bad.dropout = 1.0f;
  expect_error(bad, "--encoder.dropout");
}

TEST(Encoder, DropoutOnlyInTraining) {
  EncoderConfig config = SmallConfig("lstm", 2, "concat", 3);
  config.dropout = 0.5f;
  Rng rng(11, "test");
  Encoder encoder(config);
  encoder.Init(&rng);
  Tensor x = RandomTensor({6, 1, 4}, &rng), y1, y2, y3;
  Lengths ol;
  Encoder::Context ctx;
  encoder.Forward(x, {6}, &y1, &ol, &ctx);
  encoder.Forward(x, {6}, &y2, &ol, &ctx);
  EXPECT_EQ(nn::MaxAbsDiff(y1, y2), 0.0f);
  Rng dropout_rng(1, "dropout");
  encoder.Forward(x, {6}, &y3, &ol, &ctx, true, &dropout_rng);
  EXPECT_GT(nn::MaxAbsDiff(y1, y3), 1e-3f);
  EXPECT_THROW(encoder.Forward(x, {6}, &y3, &ol, &ctx, true, nullptr), Error);
}

}  // namespace
}  // namespace attend::acoustic
