// `attend train`, `attend average`, `attend transcribe` and `attend score` as
// a user runs them, on the synthetic tone corpus.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "nn/bf16.h"
#include "nn/model_file.h"
#include "tests/test_support.h"
#include "tests/training/metrics_csv.h"
#include "tests/training/synthetic_data.h"
#include "tests/training/train_runs.h"

namespace attend::training {
namespace {

using attend::testing::ReadFileBytes;
using attend::testing::RunAttend;
using testing::ExpectSameRun;
using testing::kTinyConf;
using testing::ReadCsv;
using testing::ReadFile;
using testing::Spawn;
namespace fs = std::filesystem;

double ScoreCer(const std::string& ref, const std::string& hyp) {
  const auto r = RunAttend("score --ref " + ref + " --hyp " + hyp);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  std::smatch m;
  const std::regex cer(R"(%CER ([0-9.]+))");
  EXPECT_TRUE(std::regex_search(r.output, m, cer)) << r.output;
  return m.empty() ? 1e9 : std::stod(m[1]);
}

// `attend train --quiet --config TMP/run.conf --data TMP/DATA --exp TMP/EXP ARGS`.
attend::testing::CommandResult TrainWithRunConf(const attend::testing::TempDir& tmp,
                                                const std::string& data, const std::string& exp,
                                                const std::string& args = "") {
  return RunAttend("train --quiet --config " + tmp.File("run.conf") + " --data " + tmp.File(data) +
                   " --exp " + tmp.File(exp) + args);
}

// Issue 7's CI test: the tiny config from scratch through the real binary;
// the loss falls by more than half, and the trained model, through `attend
// transcribe`, reads its own training utterances back at CER <= 20%.
TEST(TrainE2e, TinyConfigLearnsItsTrainingDataThroughTrainTranscribeAndScore) {
  attend::testing::TempDir tmp;
  testing::MakeDataDir(tmp.File("train"), 200, 1);
  testing::MakeDataDir(tmp.File("dev"), 20, 2);
  std::ofstream(tmp.File("tiny.conf")) << kTinyConf << "epochs = 15\n";
  const auto start = std::chrono::steady_clock::now();
  const auto r =
      RunAttend("train --quiet --config " + tmp.File("tiny.conf") + " --data " + tmp.File("train") +
                " --dev " + tmp.File("dev") + " --exp " + tmp.File("exp"));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("final step 180 "), std::string::npos) << r.output;
  std::cout << "attend train: " << seconds << " s; " << r.output;

  // Loss: the first logged train loss vs the last epoch's.
  const auto rows = ReadCsv(tmp.File("exp/metrics.csv"));
  ASSERT_GE(rows.size(), 10u);
  const double first = std::stod(rows.front()[2]);
  const double last = std::stod(rows.back()[2]);
  EXPECT_FALSE(rows.back()[3].empty()) << "the last row is the final evaluation";
  EXPECT_LT(last, 0.5 * first) << "train loss " << first << " -> " << last;
  EXPECT_TRUE(fs::exists(tmp.File("exp/learning_curve.png")));
  EXPECT_TRUE(fs::exists(tmp.File("exp/train.log")));

  // train -> save -> load -> decode.
  for (const std::string set : {"train", "dev"}) {
    const auto t =
        RunAttend("transcribe --quiet --model " + tmp.File("exp/model.attend") + " --scp " +
                  tmp.File(set + "/wav.scp") + " --format text > " + tmp.File(set + ".hyp"));
    ASSERT_EQ(t.exit_code, 0) << t.output;
    const double cer = ScoreCer(tmp.File(set + "/text"), tmp.File(set + ".hyp"));
    std::cout << set << " CER " << cer << "%\n";
    if (set == "train") {
      EXPECT_LE(cer, 20.0);
    }
  }
}

// Issue 7: kill -9 mid-epoch after the first checkpoint, --resume, and the
// run ends exactly as an uninterrupted one (single-threaded): the same
// metrics rows (but wall time) and the same final model, bit for bit. Speed
// perturbation, SpecAugment and dropout are on, so every RNG must resume.
// `extra` adds flags (they override the config file: another optimizer, dither).
// With `signal` SIGINT or SIGTERM (Ctrl-C, a job scheduler) instead of
// SIGKILL, the run is stopped after its 4th step, before any periodic
// checkpoint, and must write one itself and exit with 128 + signal.
void ExpectResumeAfterSignalEndsExactlyLikeAnUninterruptedRun(const std::string& extra,
                                                              int signal = SIGKILL) {
  attend::testing::TempDir tmp;
  const std::string common =
      testing::SetUpInterruptedRun(tmp, "spec-augment = true\nspecaug-freq-width = 4\n", 2) + extra;
  const auto whole = RunAttend(common + " --exp " + tmp.File("a"));
  ASSERT_EQ(whole.exit_code, 0) << whole.output;

  const bool graceful = signal != SIGKILL;
  const pid_t pid =
      Spawn(common + " --exp " + tmp.File("b") + (graceful ? " --checkpoint-steps 1000" : ""),
            tmp.File("b.log"));
  ASSERT_GT(pid, 0);
  const std::string last = tmp.File("b/checkpoints/last.attend");
  // SIGKILL waits for the first checkpoint; the others for the 4th step's log line.
  auto ready = [&] {
    return graceful ? ReadFileBytes(tmp.File("b.log")).find(" step 4 ") != std::string::npos
                    : fs::exists(last);
  };
  int status = 0;
  bool exited = false;
  for (int i = 0; i < 60000 && !ready(); ++i) {
    if (waitpid(pid, &status, WNOHANG) == pid) {
      exited = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_FALSE(exited) << "the run ended before the signal: " << ReadFileBytes(tmp.File("b.log"));
  ASSERT_EQ(kill(pid, signal), 0);
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  if (graceful) {
    const std::string log = ReadFileBytes(tmp.File("b.log"));
    ASSERT_TRUE(WIFEXITED(status)) << log;
    EXPECT_EQ(WEXITSTATUS(status), 128 + signal) << log;
    EXPECT_NE(log.find("continue with --resume"), std::string::npos) << log;
    EXPECT_TRUE(fs::exists(last)) << log;
  } else {
    ASSERT_TRUE(WIFSIGNALED(status)) << "the run finished before the kill";
  }
  ASSERT_FALSE(fs::exists(tmp.File("b/model.attend")));
  const auto killed_rows = ReadCsv(tmp.File("b/metrics.csv"));
  const auto whole_rows = ReadCsv(tmp.File("a/metrics.csv"));
  std::cout << "killed after " << killed_rows.size() << " of " << whole_rows.size()
            << " metrics rows\n";

  const auto resumed = RunAttend(common + " --exp " + tmp.File("b") + " --resume");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("resumed from"), std::string::npos) << resumed.output;
  ExpectSameRun(tmp.File("a"), whole.output, tmp.File("b"), resumed.output);
}

TEST(TrainE2e, ResumeAfterSigkillEndsExactlyLikeAnUninterruptedRun) {
  ExpectResumeAfterSignalEndsExactlyLikeAnUninterruptedRun("");
}

// Ctrl-C: a checkpoint at the step it arrived, exit status 130, exact resume.
TEST(TrainE2e, CtrlCWritesACheckpointAndResumeEndsExactlyLikeAnUninterruptedRun) {
  ExpectResumeAfterSignalEndsExactlyLikeAnUninterruptedRun("", SIGINT);
}

// AdaDelta's running averages are in the checkpoint too, and dither noise
// is drawn per batch, so both resume exactly.
TEST(TrainE2e, ResumeWithAdaDeltaAndDitherEndsExactlyLikeAnUninterruptedRun) {
  ExpectResumeAfterSignalEndsExactlyLikeAnUninterruptedRun(
      " --optimizer adadelta --lr 1 --warmup-steps 0 --dither 1");
}

TEST(TrainE2e, AverageCommandWritesTheMeanModel) {
  attend::testing::TempDir tmp;
  testing::MakeDataDir(tmp.File("train"), 12, 5);
  std::ofstream(tmp.File("run.conf")) << kTinyConf << "epochs = 2\nkeep-best = 2\n";
  const auto r = TrainWithRunConf(tmp, "train", "exp");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string e1 = tmp.File("exp/checkpoints/epoch1.attend");
  const std::string e2 = tmp.File("exp/checkpoints/epoch2.attend");
  ASSERT_TRUE(fs::exists(e1) && fs::exists(e2));
  const auto avg = RunAttend("average --out " + tmp.File("avg.attend") + " " + e1 + " " + e2);
  ASSERT_EQ(avg.exit_code, 0) << avg.output;
  const nn::ModelFile a = nn::ModelFile::Load(e1), b = nn::ModelFile::Load(e2),
                      m = nn::ModelFile::Load(tmp.File("avg.attend"));
  const nn::ModelFile trained = nn::ModelFile::Load(tmp.File("exp/model.attend"));
  EXPECT_EQ(m.tensors.count("adam.step"), 0u);  // optimizer state is dropped
  const nn::Tensor& x = a.Get("ctc.weight");
  const nn::Tensor& y = b.Get("ctc.weight");
  const nn::Tensor& z = m.Get("ctc.weight");
  for (int64_t i = 0; i < z.size(); ++i) {
    ASSERT_EQ(z[i], static_cast<float>((static_cast<double>(x[i]) + y[i]) / 2)) << i;
    ASSERT_EQ(trained.Get("ctc.weight")[i], z[i]) << "model.attend averages the kept two";
  }
  const auto bad = RunAttend("average --out " + tmp.File("x.attend") + " " + tmp.File("none"));
  EXPECT_EQ(bad.exit_code, 1) << bad.output;

  // --resume with no epoch left only averages again: the same model, and a
  // final line without losses this run did not measure.
  const auto again = TrainWithRunConf(tmp, "train", "exp", " --resume");
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("final step"), std::string::npos) << again.output;
  EXPECT_EQ(again.output.find("train-loss"), std::string::npos) << again.output;
  EXPECT_EQ(nn::ModelFile::Load(tmp.File("exp/model.attend")).Serialize(), trained.Serialize());

  // One input with --storage bf16: the same model in bfloat16, which decodes.
  const auto half = RunAttend("average --storage bf16 --out " + tmp.File("half.attend") + " " +
                              tmp.File("avg.attend"));
  ASSERT_EQ(half.exit_code, 0) << half.output;
  const nn::ModelFile h = nn::ModelFile::Load(tmp.File("half.attend"));
  EXPECT_EQ(h.bf16.count("ctc.weight"), 1u);
  EXPECT_EQ(h.Get("ctc.weight")[0], nn::Bf16ToFloat(nn::FloatToBf16(z[0])));
  EXPECT_LT(fs::file_size(tmp.File("half.attend")), 0.6 * fs::file_size(tmp.File("avg.attend")));
  const auto decoded = RunAttend("transcribe --quiet --model " + tmp.File("half.attend") + " " +
                                 tmp.File("train/wav/utt0000.wav"));
  EXPECT_EQ(decoded.exit_code, 0) << decoded.output;
  const auto wrong = RunAttend("average --storage f16 --out " + tmp.File("y.attend") + " " + e1);
  EXPECT_EQ(wrong.exit_code, 2) << wrong.output;
  EXPECT_NE(wrong.output.find("--storage"), std::string::npos) << wrong.output;
}

// --init-model fine-tunes: the weights, options, vocabulary and CMVN of the
// given model (here stored in bf16, as models/default.attend is), a fresh
// optimizer; model flags on the command line are ignored, and training
// characters outside the model's vocabulary are reported as <unk>.
TEST(TrainE2e, InitModelFineTunesTheGivenModel) {
  attend::testing::TempDir tmp;
  testing::MakeDataDir(tmp.File("train"), 12, 5);
  std::ofstream(tmp.File("run.conf")) << kTinyConf << "epochs = 1\n";
  const auto base = TrainWithRunConf(tmp, "train", "base");
  ASSERT_EQ(base.exit_code, 0) << base.output;
  const auto half = RunAttend("average --storage bf16 --out " + tmp.File("base.attend") + " " +
                              tmp.File("base/model.attend"));
  ASSERT_EQ(half.exit_code, 0) << half.output;

  // New data: one character the base model has never seen (in place of the
  // first text's first letter, so its length stays).
  testing::MakeDataDir(tmp.File("new"), 12, 6);
  {
    std::ifstream in(tmp.File("new/text"));
    std::string key, text;
    std::ostringstream out;
    for (bool first = true; in >> key && std::getline(in, text); first = false)
      out << key << (first ? " é" + text.substr(2) : text) << "\n";
    std::ofstream(tmp.File("new/text")) << out.str();
  }
  // One step at a tiny learning rate: the weights stay the base model's.
  const auto ft =
      RunAttend("train --config " + tmp.File("run.conf") + " --data " + tmp.File("new") +
                " --exp " + tmp.File("ft") + " --init-model " + tmp.File("base.attend") +
                " --max-steps 1 --lr 1e-9 --warmup-steps 0 --encoder.hidden_dim 99");
  ASSERT_EQ(ft.exit_code, 0) << ft.output;
  EXPECT_NE(ft.output.find("initialized from " + tmp.File("base.attend")), std::string::npos)
      << ft.output;
  EXPECT_NE(ft.output.find("outside the model's vocabulary, trained as <unk>: 1 in 1 of 12 "),
            std::string::npos)
      << ft.output;
  const std::string log = ReadFileBytes(tmp.File("ft/train.log"));
  EXPECT_EQ(log.rfind("# attend train --config ", 0), 0u) << "the command line first: " << log;
  const std::string conf = ReadFileBytes(tmp.File("ft/train.conf"));
  EXPECT_NE(conf.find("encoder.hidden_dim = 48\n"), std::string::npos) << conf;
  EXPECT_NE(conf.find("max-steps = 1\n"), std::string::npos) << conf;
  const nn::ModelFile b = nn::ModelFile::Load(tmp.File("base.attend"));
  const nn::ModelFile f = nn::ModelFile::Load(tmp.File("ft/checkpoints/last.attend"));
  EXPECT_EQ(f.tensors.at("adam.step")[0], 1.0f) << "the optimizer starts afresh";
  for (const auto& [name, tensor] : b.tensors) {
    ASSERT_EQ(f.tensors.count(name), 1u) << name;
    const nn::Tensor& t = f.tensors.at(name);
    ASSERT_EQ(t.shape(), tensor.shape()) << name << ": the base model's options win";
    for (int64_t i = 0; i < t.size(); ++i) {
      ASSERT_NEAR(t[i], tensor[i], 1e-6f + 1e-6f * std::abs(tensor[i])) << name << "[" << i << "]";
    }
  }
  // Without --init-model the same command builds a new model from the flags.
  const auto fresh =
      TrainWithRunConf(tmp, "new", "fresh", " --max-steps 1 --encoder.hidden_dim 40");
  ASSERT_EQ(fresh.exit_code, 0) << fresh.output;
  EXPECT_NE(
      nn::ModelFile::Load(tmp.File("fresh/checkpoints/last.attend")).Get("ctc.weight").shape(),
      b.Get("ctc.weight").shape());

  const auto missing = RunAttend("train --quiet --data " + tmp.File("new") + " --exp " +
                                 tmp.File("x") + " --init-model " + tmp.File("none.attend"));
  EXPECT_EQ(missing.exit_code, 1) << missing.output;
  EXPECT_NE(missing.output.find("none.attend"), std::string::npos) << missing.output;
}

}  // namespace
}  // namespace attend::training
