// What the `attend train` end-to-end tests share: the tiny config, readers of
// a run's files, a background run, and the comparison of two runs' ends.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "nn/model_file.h"
#include "tests/test_support.h"
#include "tests/training/metrics_csv.h"
#include "tests/training/synthetic_data.h"

namespace attend::training::testing {

// The tiny config of the CI test (also the shape of recipes' conf/tiny.conf).
inline constexpr char kTinyConf[] = R"(num-mel-bins = 23
encoder.num_layers = 2
encoder.hidden_dim = 48
encoder.reduction = 4
decoder-embedding-dim = 16
decoder-hidden-dim = 64
attention-type = location
attention-dim = 32
ctc-weight = 0.3
lr-schedule = constant
lr = 0.004
warmup-steps = 20
label-smoothing = 0
loss-normalize = token
batch-frames = 800
log-every = 10
threads = 1
)";

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The interrupted-run tests' setup in `dir`: data dirs `train` (80
// utterances) and `dev` (8), and run.conf: kTinyConf, 3 epochs, a checkpoint
// every 5 steps, dropout, speed perturbation, 2 best kept, then `conf_extra`.
// Returns the `attend train` arguments the whole and the interrupted runs share.
inline std::string SetUpInterruptedRun(const attend::testing::TempDir& dir,
                                       const std::string& conf_extra, int log_every) {
  MakeDataDir(dir.File("train"), 80, 3);
  MakeDataDir(dir.File("dev"), 8, 4);
  std::ofstream(dir.File("run.conf"))
      << kTinyConf
      << "epochs = 3\ncheckpoint-steps = 5\nencoder.dropout = 0.1\nspeed-perturb = 0.9,1.0,1.1\n"
         "keep-best = 2\n"
      << conf_extra;
  return "train --batch-frames 300 --log-every " + std::to_string(log_every) + " --config " +
         dir.File("run.conf") + " --data " + dir.File("train") + " --dev " + dir.File("dev");
}

// Starts `attend <args>` (shell words) in the background; returns its pid.
inline pid_t Spawn(const std::string& args, const std::string& log) {
  const std::string command =
      "exec " + std::string(ATTEND_BINARY) + " " + args + " > " + log + " 2>&1";
  const pid_t pid = fork();
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  return pid;
}

// The runs in `a` and `b` (their stdout `a_out`, `b_out`) ended alike: the same
// metrics rows (but wall time), final line and final model, bit for bit.
inline void ExpectSameRun(const std::string& a_dir, const std::string& a_out,
                          const std::string& b_dir, const std::string& b_out) {
  const auto whole_rows = ReadCsv(a_dir + "/metrics.csv");
  const auto resumed_rows = ReadCsv(b_dir + "/metrics.csv");
  ASSERT_EQ(resumed_rows.size(), whole_rows.size());
  for (size_t i = 0; i < whole_rows.size(); ++i) {
    auto a = whole_rows[i], b = resumed_rows[i];
    ASSERT_EQ(a.size(), 8u);
    a.pop_back();
    b.pop_back();
    EXPECT_EQ(a, b) << "row " << i;
  }
  // The same final line and the same final model.
  const auto final_line = [](const std::string& out) {
    const size_t at = out.find("final step");
    return out.substr(at, out.find(" model ", at) - at);
  };
  EXPECT_EQ(final_line(a_out), final_line(b_out));
  const nn::ModelFile ma = nn::ModelFile::Load(a_dir + "/model.attend");
  const nn::ModelFile mb = nn::ModelFile::Load(b_dir + "/model.attend");
  ASSERT_EQ(ma.tensors.size(), mb.tensors.size());
  for (const auto& [name, t] : ma.tensors) {
    const nn::Tensor& u = mb.Get(name);
    ASSERT_EQ(t.size(), u.size()) << name;
    EXPECT_TRUE(std::equal(t.data(), t.data() + t.size(), u.data())) << name;
  }
}

}  // namespace attend::training::testing
