#include "training/trainer.h"

#include <gtest/gtest.h>

#include "base/error.h"

#include <cmath>
#include <limits>
#include <numeric>

#include "tests/test_support.h"
#include "tests/training/synthetic_data.h"
#include "tests/training/tiny_model.h"

namespace attend::training {
namespace {

struct TinyRun {
  attend::testing::TempDir tmp;
  std::unique_ptr<Dataset> data;
  std::unique_ptr<model::AsrModel> model;
  TrainerOptions options;

  // `nonspeech` noise-only utterances with empty transcripts join the data
  // (trained on with --keep-empty-text).
  explicit TinyRun(int utterances, int nonspeech = 0) {
    testing::MakeDataDir(tmp.File("data"), utterances, 21);
    testing::AppendNonSpeech(tmp.File("data"), nonspeech, 21);
    options.data.keep_empty_text = nonspeech > 0;
    const model::AsrModelConfig config = testing::TinyModelConfig();
    options.data.batch_frames = 800;
    options.lr.schedule = "constant";
    options.lr.peak = 0.004f;
    options.lr.warmup_steps = 20;
    options.loss.label_smoothing = 0;
    options.loss.normalize = "token";
    options.log_every = 1000;
    options.threads = 1;  // 2 OpenMP threads crawl on a busy shared machine
    DataModelInfo info{config.fbank, config.text, config.encoder.reduction};
    data = std::make_unique<Dataset>(tmp.File("data"), options.data, info, nullptr);
    model =
        std::make_unique<model::AsrModel>(config, decoder::Vocabulary::FromTexts(data->Texts()));
    Rng rng(1, "init");
    model->Init(&rng);
    data->SetVocabulary(model->vocab());
    model->SetCmvn(data->ComputeCmvnStats());
  }
};

// A few dozen steps of the real step (encoder, joint loss, clipping, Adam)
// on tone "speech": the loss must fall by more than half.
TEST(Trainer, LossFallsByMoreThanHalfInAFewDozenSteps) {
  TinyRun s(120);
  Trainer trainer(s.options, s.model.get(), s.data.get(), nullptr, s.tmp.File("exp"));
  std::vector<double> losses;
  for (int64_t epoch = 0; losses.size() < 90; ++epoch) {
    BatchLoader loader(s.data.get(), s.model->cmvn(), 1, epoch,
                       EpochOrder(s.data->num_batches(), 1, epoch), 0, true);
    Batch b;
    while (losses.size() < 90 && loader.Next(&b)) {
      double loss = 0;
      ASSERT_EQ(trainer.Step(b, &loss), StepStatus::kOk);
      losses.push_back(loss);
    }
  }
  EXPECT_EQ(trainer.state().step, 90);
  const double first = std::accumulate(losses.begin(), losses.begin() + 8, 0.0) / 8;
  const double last = std::accumulate(losses.end() - 8, losses.end(), 0.0) / 8;
  std::cout << "mean loss of the first 8 steps " << first << ", of the last 8 " << last << "\n";
  EXPECT_LT(last, 0.5 * first);
}

// Non-speech with empty transcripts (--keep-empty-text) trains beside speech:
// every step is finite, and afterwards held-out noise decodes to nothing
// while speech still decodes to text. (Trained the same way without the
// non-speech, 0 of the 12 noise clips decode to nothing.)
TEST(Trainer, NonSpeechWithEmptyTextLearnsToOutputNothing) {
  TinyRun s(90, 30);
  Trainer trainer(s.options, s.model.get(), s.data.get(), nullptr, s.tmp.File("exp"));
  auto greedy_texts = [&](const std::string& dir) {
    Dataset held_out(dir, s.options.data, s.data->model_info(), nullptr);
    held_out.SetVocabulary(s.model->vocab());
    return trainer.Evaluate(held_out).hyps;
  };
  testing::AppendNonSpeech(s.tmp.File("noise"), 12, 99);
  testing::MakeDataDir(s.tmp.File("speech"), 12, 98);
  int steps = 0;
  for (int64_t epoch = 0; steps < 120; ++epoch) {
    BatchLoader loader(s.data.get(), s.model->cmvn(), 1, epoch,
                       EpochOrder(s.data->num_batches(), 1, epoch), 0, true);
    Batch b;
    while (steps < 120 && loader.Next(&b)) {
      double loss = 0;
      ASSERT_EQ(trainer.Step(b, &loss), StepStatus::kOk);
      ASSERT_TRUE(std::isfinite(loss));
      ++steps;
    }
  }
  int empty_noise = 0, empty_speech = 0;
  for (const auto& [key, text] : greedy_texts(s.tmp.File("noise"))) empty_noise += text.empty();
  for (const auto& [key, text] : greedy_texts(s.tmp.File("speech"))) empty_speech += text.empty();
  std::cout << empty_noise << " of 12 held-out noise clips decode to nothing, " << empty_speech
            << " of 12 speech utterances\n";
  EXPECT_GE(empty_noise, 11);
  EXPECT_EQ(empty_speech, 0);
}

TEST(Trainer, NonFiniteStepsAreSkippedThenTrainingStopsNamingTheLastCheckpoint) {
  TinyRun s(10);
  s.options.max_bad_steps = 3;
  Trainer trainer(s.options, s.model.get(), s.data.get(), nullptr, s.tmp.File("exp"));
  BatchLoader loader(s.data.get(), s.model->cmvn(), 1, 0, {0}, 0, false);
  Batch b;
  ASSERT_TRUE(loader.Next(&b));
  double loss = 0;
  ASSERT_EQ(trainer.Step(b, &loss), StepStatus::kOk);
  EXPECT_TRUE(std::isfinite(loss));
  const std::string ckpt = s.tmp.File("exp/checkpoints/good.attend");
  trainer.SaveCheckpoint(ckpt);

  // A NaN in the CTC head poisons the loss; nothing may be updated.
  nn::Parameter* bias = s.model->ctc().Parameters().back();
  bias->value[0] = std::numeric_limits<float>::quiet_NaN();
  bias->MarkUpdated();
  const std::vector<nn::Parameter*> params = s.model->Parameters();
  std::vector<nn::Tensor> before;
  for (nn::Parameter* p : params) before.push_back(p->value);
  for (int i = 0; i < 2; ++i) EXPECT_EQ(trainer.Step(b, &loss), StepStatus::kSkipped);
  EXPECT_EQ(trainer.state().step, 1);
  for (size_t i = 0; i < params.size(); ++i) {
    for (int64_t k = 0; k < before[i].size(); ++k) {
      const float x = before[i][k], y = params[i]->value[k];
      ASSERT_TRUE(x == y || (std::isnan(x) && std::isnan(y))) << params[i]->name;
    }
  }
  try {
    trainer.Step(b, &loss);
    FAIL() << "the third bad step in a row must stop training";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("3 non-finite steps in a row"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find(ckpt), std::string::npos) << e.what();
  }
  // A good step in between resets the count.
  bias->value[0] = 0;
  bias->MarkUpdated();
  EXPECT_EQ(trainer.Step(b, &loss), StepStatus::kOk);
  EXPECT_EQ(trainer.state().step, 2);
}

// The count of non-finite steps in a row is part of the checkpoint: a run
// resumed after two bad steps stops at the third, as an uninterrupted one does.
TEST(Trainer, NonFiniteStepsInARowSurviveAResume) {
  TinyRun s(10);
  s.options.max_bad_steps = 3;
  BatchLoader loader(s.data.get(), s.model->cmvn(), 1, 0, {0}, 0, false);
  Batch b;
  ASSERT_TRUE(loader.Next(&b));
  double loss = 0;
  const std::string ckpt = s.tmp.File("exp/checkpoints/last.attend");
  {
    Trainer trainer(s.options, s.model.get(), s.data.get(), nullptr, s.tmp.File("exp"));
    ASSERT_EQ(trainer.Step(b, &loss), StepStatus::kOk);
    nn::Parameter* bias = s.model->ctc().Parameters().back();
    bias->value[0] = std::numeric_limits<float>::quiet_NaN();
    bias->MarkUpdated();
    for (int i = 0; i < 2; ++i) ASSERT_EQ(trainer.Step(b, &loss), StepStatus::kSkipped);
    ASSERT_EQ(trainer.state().bad_in_a_row, 2);
    trainer.SaveCheckpoint(ckpt);
  }
  std::unique_ptr<model::AsrModel> model = model::AsrModel::Load(ckpt);
  Trainer resumed(s.options, model.get(), s.data.get(), nullptr, s.tmp.File("exp"));
  resumed.Resume(ckpt);
  EXPECT_EQ(resumed.state().bad_in_a_row, 2);
  EXPECT_EQ(resumed.state().step, 1);
  try {
    resumed.Step(b, &loss);
    FAIL() << "the third bad step in a row, the first after the resume, must stop training";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("3 non-finite steps in a row"), std::string::npos)
        << e.what();
  }
}

TEST(Trainer, LearningRateSchedules) {
  LrScheduleOptions o;
  o.peak = 1e-3f;
  o.warmup_steps = 100;
  o.schedule = "noam";
  EXPECT_FLOAT_EQ(LearningRate(o, 50), 5e-4f);
  EXPECT_FLOAT_EQ(LearningRate(o, 100), 1e-3f);
  EXPECT_FLOAT_EQ(LearningRate(o, 400), 5e-4f);
  o.schedule = "constant";
  EXPECT_FLOAT_EQ(LearningRate(o, 400), 1e-3f);
  o.schedule = "plateau";
  EXPECT_FLOAT_EQ(LearningRate(o, 400, 0.25), 2.5e-4f);
  o.min_lr = 5e-4f;
  EXPECT_FLOAT_EQ(LearningRate(o, 400, 0.25), 5e-4f);
  o.schedule = "cosine";
  EXPECT_THROW(o.Validate(), Error);
}

}  // namespace
}  // namespace attend::training
