#include "model/asr_model.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "base/error.h"
#include "nn/bf16.h"
#include "tests/test_support.h"

namespace attend::model {
namespace {

AsrModelConfig TinyConfig() {
  AsrModelConfig c;
  c.fbank.mel.num_bins = 20;
  c.encoder.input_dim = 20;
  c.encoder.num_layers = 2;
  c.encoder.hidden_dim = 8;
  c.encoder.reduction = 2;
  c.decoder.embedding_dim = 6;
  c.decoder.hidden_dim = 10;
  c.decoder.attention.attention_dim = 7;
  c.decoder.attention.type = "location";
  c.ctc_weight = 0.25f;
  return c;
}

TEST(AsrModelConfig, TextRoundTripsEveryPart) {
  AsrModelConfig c = TinyConfig();
  c.fbank.frame.frame_shift_ms = 12.5f;
  c.text.digits = "keep";
  AsrModelConfig back = AsrModelConfig::FromString(c.ToString(), "test");
  EXPECT_EQ(back.ToString(), c.ToString());
  EXPECT_EQ(back.encoder.hidden_dim, 8);
  EXPECT_EQ(back.decoder.attention.type, "location");
  EXPECT_EQ(back.fbank.frame.frame_shift_ms, 12.5f);
  EXPECT_EQ(back.text.digits, "keep");
  EXPECT_EQ(back.ctc_weight, 0.25f);
}

TEST(AsrModelConfig, FeatureAndEncoderDimensionsMustAgree) {
  AsrModelConfig c = TinyConfig();
  c.encoder.input_dim = 21;
  EXPECT_THROW(c.Validate(), Error);
}

TEST(AsrModel, SaveLoadRoundTripIsExact) {
  testing::TempDir dir;
  decoder::Vocabulary vocab = decoder::Vocabulary::FromTexts({"hello world"});
  AsrModel model(TinyConfig(), vocab);
  Rng rng(1, "init");
  model.Init(&rng);
  frontend::CmvnStats stats(20);
  frontend::Matrix feats(3, 20);
  for (int64_t i = 0; i < 60; ++i) feats.data()[i] = static_cast<float>(i % 7);
  stats.Accumulate(feats);
  model.SetCmvn(stats);
  model.Save(dir.File("m.attend"));

  auto loaded = AsrModel::Load(dir.File("m.attend"));
  EXPECT_EQ(loaded->vocab().size(), vocab.size());
  ASSERT_NE(loaded->cmvn(), nullptr);
  EXPECT_EQ(loaded->cmvn()->mean(), model.cmvn()->mean());
  auto a = model.Parameters(), b = loaded->Parameters();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i]->name, b[i]->name);
    EXPECT_EQ(nn::MaxAbsDiff(a[i]->value, b[i]->value), 0.0f) << a[i]->name;
  }
  EXPECT_EQ(loaded->ToModelFile().Serialize(), model.ToModelFile().Serialize());
  EXPECT_DOUBLE_EQ(loaded->seconds_per_encoder_frame(), 0.02);
}

// --storage bf16: weight matrices as bfloat16, everything else exact.
TEST(AsrModel, Bf16StorageRoundsOnlyTheWeightMatrices) {
  testing::TempDir dir;
  AsrModel model(TinyConfig(), decoder::Vocabulary::FromTexts({"hello world"}));
  Rng rng(1, "init");
  model.Init(&rng);
  frontend::CmvnStats stats(20);
  frontend::Matrix feats(3, 20);
  for (int64_t i = 0; i < 60; ++i) feats.data()[i] = 0.1f * static_cast<float>(i % 7);
  stats.Accumulate(feats);
  model.SetCmvn(stats);
  model.Save(dir.File("f32.attend"));
  model.Save(dir.File("bf16.attend"), AsrModel::Storage::kBfloat16);
  EXPECT_LT(std::filesystem::file_size(dir.File("bf16.attend")),
            0.6 * std::filesystem::file_size(dir.File("f32.attend")));

  auto loaded = AsrModel::Load(dir.File("bf16.attend"));
  EXPECT_EQ(loaded->cmvn()->mean(), model.cmvn()->mean());
  EXPECT_EQ(loaded->cmvn()->inv_std(), model.cmvn()->inv_std());
  auto a = model.Parameters(), b = loaded->Parameters();
  ASSERT_EQ(a.size(), b.size());
  int rounded = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const nn::Tensor& x = a[i]->value;
    const nn::Tensor& y = b[i]->value;
    for (int64_t j = 0; j < x.size(); ++j) {
      const float want = x.rank() >= 2 ? nn::Bf16ToFloat(nn::FloatToBf16(x[j])) : x[j];
      ASSERT_EQ(y[j], want) << a[i]->name << "[" << j << "]";
    }
    if (x.rank() >= 2 && nn::MaxAbsDiff(x, y) > 0) ++rounded;
  }
  EXPECT_GT(rounded, 5);
}

// Gradients are allocated on first use: decoding a loaded model allocates
// none (as much memory as the weights), training's ZeroGrad allocates them.
TEST(AsrModel, DecodingAllocatesNoGradients) {
  testing::TempDir dir;
  AsrModel model(TinyConfig(), decoder::Vocabulary::FromTexts({"hello world"}));
  Rng rng(2, "init");
  model.Init(&rng);
  model.Save(dir.File("m.attend"));
  auto loaded = AsrModel::Load(dir.File("m.attend"));
  nn::Tensor input({12, 1, 20}), encoded, log_probs;  // [T, N, C] tnc
  for (int64_t i = 0; i < input.size(); ++i) input[i] = rng.Uniform(-1, 1);
  std::vector<int64_t> lengths;
  acoustic::Encoder::Context ctx;
  loaded->encoder().Forward(input, {12}, &encoded, &lengths, &ctx);
  loaded->ctc().Forward(encoded, &log_probs);
  auto state = loaded->decoder().NewState();
  loaded->decoder().Start(encoded, lengths, 2, state.get());
  const int sos = decoder::Vocabulary::kSosEos;
  loaded->decoder().Step({sos, sos}, state.get(), &log_probs, nullptr);
  for (nn::Parameter* p : loaded->Parameters()) EXPECT_FALSE(p->grad.allocated()) << p->name;
  nn::ZeroGrad(loaded->Parameters());
  for (nn::Parameter* p : loaded->Parameters()) {
    ASSERT_TRUE(p->grad.allocated()) << p->name;
    EXPECT_EQ(p->grad.tensor().shape(), p->value.shape()) << p->name;
  }
}

TEST(AsrModel, AMismatchedTensorIsAnErrorNamingTheFile) {
  decoder::Vocabulary vocab = decoder::Vocabulary::FromTexts({"ab"});
  AsrModel model(TinyConfig(), vocab);
  nn::ModelFile file = model.ToModelFile();
  file.tensors.at("ctc.weight") = nn::Tensor({3, 3});
  try {
    AsrModel::FromModelFile(file, "bad.attend");
    FAIL() << "accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("ctc.weight"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("bad.attend"), std::string::npos) << e.what();
  }
  file = model.ToModelFile();
  file.tensors.erase("decoder.output.bias");
  EXPECT_THROW(AsrModel::FromModelFile(file, "bad.attend"), Error);
}

}  // namespace
}  // namespace attend::model
