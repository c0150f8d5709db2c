#include "training/checkpoint.h"

#include <gtest/gtest.h>

#include "base/error.h"

#include "tests/test_support.h"
#include "tests/training/tiny_model.h"

namespace attend::training {
namespace {

std::unique_ptr<model::AsrModel> MakeModel(uint64_t seed) {
  auto m = std::make_unique<model::AsrModel>(testing::TinyModelConfig(),
                                             decoder::Vocabulary::FromTexts({"abc def"}));
  Rng rng(seed, "init");
  m->Init(&rng);
  frontend::CmvnStats stats(23);
  frontend::Matrix feats(3, 23);
  for (int64_t i = 0; i < feats.rows() * feats.cols(); ++i) feats.data()[i] = 0.1f * (i % 7);
  stats.Accumulate(feats);
  m->SetCmvn(stats);
  return m;
}

void ExpectSameTensors(const nn::ModelFile& a, const nn::ModelFile& b) {
  ASSERT_EQ(a.tensors.size(), b.tensors.size());
  for (const auto& [name, t] : a.tensors) {
    const nn::Tensor& u = b.Get(name);
    ASSERT_EQ(t.shape(), u.shape()) << name;
    EXPECT_TRUE(std::equal(t.data(), t.data() + t.size(), u.data())) << name;
  }
}

OptimizerOptions WithType(const std::string& type) {
  OptimizerOptions o;
  o.type = type;
  return o;
}

void ExpectRoundTrip(const std::string& optimizer) {
  attend::testing::TempDir tmp;
  auto m = MakeModel(1);
  Optimizer adam(m->Parameters(), WithType(optimizer));
  Rng rng(2, "grads");
  for (int step = 0; step < 2; ++step) {
    for (nn::Parameter* p : m->Parameters())
      for (int64_t i = 0; i < p->grad.size(); ++i) p->grad[i] = rng.Normal(0, 1);
    adam.Step(1e-3f);
  }
  TrainState state;
  state.step = 2;
  state.epoch = 3;
  state.batch_position = 17;
  state.elapsed_s = 12.345678901234;
  state.plateau_scale = 0.25;
  state.best_loss = 1.0 / 3;
  state.epochs_ranked = 3;
  state.stalled_epochs = 1;
  state.window_loss = 2.0 / 7;
  state.window_steps = 4;
  state.epoch_loss = 5.5;
  state.epoch_steps = 9;
  state.bad_in_a_row = 2;
  Rng dropout(3, "dropout");
  dropout.Normal(0, 1);
  state.dropout_rng = dropout.SaveState();
  state.sampling_rng = Rng(4, "x").SaveState();
  state.kept = {{tmp.File("epoch 2.attend"), 0.5}, {tmp.File("epoch1.attend"), 0.75}};
  const std::string path = tmp.File("ckpt.attend");
  SaveCheckpoint(path, *m, adam, state);

  // The checkpoint is also a model file.
  auto loaded = model::AsrModel::Load(path);
  EXPECT_EQ(loaded->config().ToString(), m->config().ToString());
  Optimizer adam2(loaded->Parameters(), WithType(optimizer));
  const TrainState back = LoadCheckpoint(path, &adam2);
  ExpectSameTensors(m->ToModelFile(), loaded->ToModelFile());
  nn::ModelFile o1, o2;
  adam.Save(&o1);
  adam2.Save(&o2);
  ExpectSameTensors(o1, o2);
  EXPECT_EQ(adam2.step_count(), 2);
  EXPECT_EQ(back.ToText(), state.ToText());
  EXPECT_EQ(back.elapsed_s, state.elapsed_s);
  EXPECT_EQ(back.best_loss, state.best_loss);
  EXPECT_EQ(back.window_loss, state.window_loss);
  EXPECT_EQ(back.bad_in_a_row, 2);
  ASSERT_EQ(back.kept.size(), 2u);
  EXPECT_EQ(back.kept[0].path, tmp.File("epoch 2.attend"));
  EXPECT_EQ(back.kept[1].loss, 0.75);
  Rng restored(0);
  restored.LoadState(back.dropout_rng);
  EXPECT_EQ(restored.Normal(0, 1), dropout.Normal(0, 1));
}

TEST(Checkpoint, RoundTripRestoresModelAdamAndState) { ExpectRoundTrip("adam"); }
TEST(Checkpoint, RoundTripRestoresModelAdaDeltaAndState) { ExpectRoundTrip("adadelta"); }

TEST(Checkpoint, ResumingWithTheOtherOptimizerIsAnError) {
  attend::testing::TempDir tmp;
  auto m = MakeModel(1);
  Optimizer adam(m->Parameters(), WithType("adam"));
  SaveCheckpoint(tmp.File("ckpt.attend"), *m, adam, TrainState{});
  Optimizer adadelta(m->Parameters(), WithType("adadelta"));
  try {
    LoadCheckpoint(tmp.File("ckpt.attend"), &adadelta);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("holds adam optimizer state, but --optimizer is adadelta"),
              std::string::npos)
        << e.what();
  }
}

TEST(Checkpoint, AModelFileIsNotACheckpoint) {
  attend::testing::TempDir tmp;
  auto m = MakeModel(1);
  m->Save(tmp.File("model.attend"));
  Optimizer adam(m->Parameters(), OptimizerOptions{});
  try {
    LoadCheckpoint(tmp.File("model.attend"), &adam);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("not a training checkpoint"), std::string::npos)
        << e.what();
  }
}

TEST(Checkpoint, AverageOfTwoIsTheElementwiseMean) {
  attend::testing::TempDir tmp;
  auto a = MakeModel(1), b = MakeModel(2);
  a->Save(tmp.File("a.attend"));
  Optimizer adam(b->Parameters(), OptimizerOptions{});
  SaveCheckpoint(tmp.File("b.attend"), *b, adam, TrainState{});  // a checkpoint averages too
  auto avg = AverageModels({tmp.File("a.attend"), tmp.File("b.attend")});
  const auto pa = a->Parameters(), pb = b->Parameters(), pm = avg->Parameters();
  ASSERT_EQ(pa.size(), pm.size());
  int64_t differ = 0;
  for (size_t i = 0; i < pa.size(); ++i) {
    for (int64_t k = 0; k < pa[i]->value.size(); ++k) {
      const float x = pa[i]->value[k], y = pb[i]->value[k];
      differ += x != y;
      ASSERT_EQ(pm[i]->value[k], static_cast<float>((static_cast<double>(x) + y) / 2))
          << pm[i]->name << "[" << k << "]";
    }
  }
  EXPECT_GT(differ, 1000);  // the two inits really differ
  EXPECT_EQ(avg->vocab().size(), a->vocab().size());
  ASSERT_NE(avg->cmvn(), nullptr);
  EXPECT_EQ(avg->cmvn()->mean(), a->cmvn()->mean());
}

TEST(Checkpoint, AverageRefusesMismatchedShapes) {
  attend::testing::TempDir tmp;
  MakeModel(1)->Save(tmp.File("a.attend"));
  auto config = testing::TinyModelConfig();
  config.encoder.hidden_dim = 32;
  model::AsrModel other(config, decoder::Vocabulary::FromTexts({"abc def"}));
  other.Save(tmp.File("b.attend"));
  EXPECT_THROW(AverageModels({tmp.File("a.attend"), tmp.File("b.attend")}), Error);
}

}  // namespace
}  // namespace attend::training
