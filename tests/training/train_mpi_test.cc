// `mpirun -np 2 attend train` against one process, on the synthetic tone
// corpus: one data-parallel step equals one step on the combined batch, a
// short run's loss curve tracks the single process's, and a 2-rank run killed
// with SIGKILL resumes and ends exactly like an uninterrupted 2-rank run.
// Label `slow`: .ci/run runs them (they need mpirun, openmpi-bin).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "nn/model_file.h"
#include "tests/test_support.h"
#include "tests/training/metrics_csv.h"
#include "tests/training/synthetic_data.h"

namespace attend::training {
namespace {

using attend::testing::ReadFileBytes;
using attend::testing::RunCommand;
using testing::ReadCsv;
namespace fs = std::filesystem;

// Deterministic and single-threaded: no dropout, no augmentation, no label
// smoothing, so the only difference between 1 and 2 ranks is summation order.
constexpr char kConf[] = R"(num-mel-bins = 23
encoder.num_layers = 2
encoder.hidden_dim = 48
encoder.reduction = 4
decoder-embedding-dim = 16
decoder-hidden-dim = 64
attention-type = location
attention-dim = 32
ctc-weight = 0.3
lr-schedule = constant
lr = 0.002
warmup-steps = 0
label-smoothing = 0
loss-normalize = token
batch-frames = 800
log-every = 1
threads = 1
dev-decode = true
)";

std::string Mpirun(int ranks) {
  return "mpirun --allow-run-as-root --oversubscribe --bind-to none -np " + std::to_string(ranks) +
         " ";
}

// `attend ARGS` as one process (ranks = 0) or under mpirun.
attend::testing::CommandResult Train(int ranks, const std::string& args) {
  return RunCommand((ranks > 0 ? Mpirun(ranks) : std::string()) + ATTEND_BINARY + " train " + args +
                    " 2>&1");
}

// The largest absolute difference between the parameters of two model files.
double MaxParameterDifference(const std::string& a, const std::string& b) {
  const nn::ModelFile ma = nn::ModelFile::Load(a);
  const nn::ModelFile mb = nn::ModelFile::Load(b);
  EXPECT_EQ(ma.tensors.size(), mb.tensors.size());
  double worst = 0;
  for (const auto& [name, t] : ma.tensors) {
    const nn::Tensor& u = mb.Get(name);
    EXPECT_EQ(t.size(), u.size()) << name;
    for (int64_t i = 0; i < t.size() && i < u.size(); ++i)
      worst = std::max(worst, std::abs(static_cast<double>(t[i]) - u[i]));
  }
  return worst;
}

class TrainMpi : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::MakeDataDir(tmp_.File("train"), 60, 5);
    testing::MakeDataDir(tmp_.File("dev"), 9, 6);
    std::ofstream(tmp_.File("run.conf")) << kConf;
  }
  std::string Common() const {
    return "--quiet --config " + tmp_.File("run.conf") + " --data " + tmp_.File("train") +
           " --dev " + tmp_.File("dev");
  }
  attend::testing::TempDir tmp_;
};

// Issue 24: after one step, the weights of two ranks (each with its half of
// the batch) equal those of one process that saw the whole batch, and so do
// the summed dev figures. Adam's first step is lr·g/(|g| + ε): with the
// default ε = 1e-8 a gradient element near zero, where 1 and 2 ranks differ in
// rounding only, moves by up to ±lr either way; ε = 1e-3 keeps the step
// proportional to the gradient there, so the comparison sees the gradients.
TEST_F(TrainMpi, OneStepOnTwoRanksEqualsOneProcessOnTheCombinedBatch) {
  const std::string args = Common() + " --max-steps 1 --epochs 1 --adam-epsilon 1e-3";
  const auto one = Train(0, args + " --exp " + tmp_.File("one"));
  ASSERT_EQ(one.exit_code, 0) << one.output;
  const auto two = Train(2, args + " --exp " + tmp_.File("two"));
  ASSERT_EQ(two.exit_code, 0) << two.output;
  // Rank 0 alone writes: one final line, one log.
  EXPECT_EQ(two.output.find("final step 1 "), two.output.rfind("final step 1 ")) << two.output;
  EXPECT_NE(ReadFileBytes(tmp_.File("two/train.log")).find("data-parallel over 2 ranks"),
            std::string::npos);
  const auto init = Train(0, args + " --lr 1e-30 --exp " + tmp_.File("init"));
  ASSERT_EQ(init.exit_code, 0) << init.output;
  const double moved =
      MaxParameterDifference(tmp_.File("init/model.attend"), tmp_.File("one/model.attend"));
  const double differ =
      MaxParameterDifference(tmp_.File("one/model.attend"), tmp_.File("two/model.attend"));
  std::cout << "one step moved the weights by up to " << moved << "; 1 vs 2 ranks: " << differ
            << "\n";
  EXPECT_GT(moved, 1e-3);
  EXPECT_LE(differ, 1e-5);
  // The dev loss and error rates summed over the ranks' halves of the dev set.
  const auto a = ReadCsv(tmp_.File("one/metrics.csv")).back();
  const auto b = ReadCsv(tmp_.File("two/metrics.csv")).back();
  ASSERT_EQ(a.size(), 8u);
  ASSERT_EQ(b.size(), 8u);
  EXPECT_NEAR(std::stod(a[2]), std::stod(b[2]), 1e-4 * std::stod(a[2])) << "train loss";
  EXPECT_NEAR(std::stod(a[3]), std::stod(b[3]), 1e-4 * std::stod(a[3])) << "dev loss";
  EXPECT_EQ(a[4], b[4]) << "dev CER";
  EXPECT_EQ(a[5], b[5]) << "dev WER";
}

// A short run: 2 ranks' loss curve stays within 2% of the single process's
// at every logged step.
TEST_F(TrainMpi, LossCurveTracksTheSingleProcess) {
  const std::string args = Common() + " --max-steps 24 --epochs 10";
  const auto one = Train(0, args + " --exp " + tmp_.File("one"));
  ASSERT_EQ(one.exit_code, 0) << one.output;
  const auto two = Train(2, args + " --exp " + tmp_.File("two"));
  ASSERT_EQ(two.exit_code, 0) << two.output;
  const auto a = ReadCsv(tmp_.File("one/metrics.csv"));
  const auto b = ReadCsv(tmp_.File("two/metrics.csv"));
  ASSERT_EQ(a.size(), b.size());
  ASSERT_GE(a.size(), 24u);
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i][0], b[i][0]) << "step of row " << i;
    const double la = std::stod(a[i][2]), lb = std::stod(b[i][2]);
    worst = std::max(worst, std::abs(la - lb) / la);
  }
  std::cout << "largest relative train-loss difference: " << worst << "; first " << a.front()[2]
            << " last " << a.back()[2] << "\n";
  EXPECT_LT(worst, 0.02);
  EXPECT_LT(std::stod(b.back()[2]), std::stod(b.front()[2])) << "the loss falls";
}

// The processes of session `sid`, from /proc (field 6 of /proc/PID/stat).
std::vector<pid_t> SessionProcesses(pid_t sid) {
  std::vector<pid_t> pids;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;  // it ended meanwhile
    const size_t close = line.rfind(')');     // the command name may hold spaces
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 2));
    std::string state;
    long ppid = 0, pgrp = 0, session = 0;
    rest >> state >> ppid >> pgrp >> session;
    if (session == sid && state != "Z") pids.push_back(static_cast<pid_t>(std::stol(name)));
  }
  return pids;
}

// SIGKILLs every process of session `sid` (mpirun puts each rank in a process
// group of its own, so killing mpirun's group would leave the ranks running)
// and waits up to 10 s until none is left.
void KillSession(pid_t sid) {
  for (int i = 0; i < 1000; ++i) {
    const std::vector<pid_t> pids = SessionProcesses(sid);
    if (pids.empty()) return;
    for (pid_t p : pids) kill(p, SIGKILL);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

// A 2-rank run killed with SIGKILL (every process of the job at once, as a
// lost node) after its first checkpoint resumes under mpirun and ends exactly
// like an uninterrupted 2-rank run: the same metrics rows (but wall time) and
// the same model. Dropout and SpecAugment are on, so the per-rank generators
// must resume too.
TEST_F(TrainMpi, TwoRankRunKilledWithSigkillResumesExactly) {
  std::ofstream(tmp_.File("run.conf"), std::ios::app)
      << "encoder.dropout = 0.1\nspec-augment = true\nspecaug-freq-width = 4\n"
         "checkpoint-steps = 4\nkeep-best = 1\n";
  const std::string args = Common() + " --epochs 2 --batch-frames 500";
  const auto whole = Train(2, args + " --exp " + tmp_.File("a"));
  ASSERT_EQ(whole.exit_code, 0) << whole.output;

  // mpirun and its ranks in a session of their own, killed together.
  const pid_t pid = fork();
  if (pid == 0) {
    setsid();
    const std::string command = "exec " + Mpirun(2) + ATTEND_BINARY + " train " + args + " --exp " +
                                tmp_.File("b") + " > " + tmp_.File("b.log") + " 2>&1";
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  ASSERT_GT(pid, 0);
  const std::string last = tmp_.File("b/checkpoints/last.attend");
  int status = 0;
  bool exited = false;
  for (int i = 0; i < 120000 && !fs::exists(last); ++i) {
    if (waitpid(pid, &status, WNOHANG) == pid) {
      exited = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_FALSE(exited) << "the run ended before the kill: " << ReadFileBytes(tmp_.File("b.log"));
  KillSession(pid);
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the run finished before the kill";
  ASSERT_TRUE(SessionProcesses(pid).empty()) << "ranks of the killed job still run";
  ASSERT_FALSE(fs::exists(tmp_.File("b/model.attend")));
  const auto whole_rows = ReadCsv(tmp_.File("a/metrics.csv"));
  std::cout << "killed after " << ReadCsv(tmp_.File("b/metrics.csv")).size() << " of "
            << whole_rows.size() << " metrics rows\n";

  const auto resumed = Train(2, args + " --exp " + tmp_.File("b") + " --resume");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_NE(ReadFileBytes(tmp_.File("b/train.log")).find("resumed from"), std::string::npos);
  const auto resumed_rows = ReadCsv(tmp_.File("b/metrics.csv"));
  ASSERT_EQ(resumed_rows.size(), whole_rows.size());
  for (size_t i = 0; i < whole_rows.size(); ++i) {
    auto a = whole_rows[i], b = resumed_rows[i];
    ASSERT_EQ(a.size(), 8u);
    a.pop_back();
    b.pop_back();
    EXPECT_EQ(a, b) << "row " << i;
  }
  EXPECT_EQ(MaxParameterDifference(tmp_.File("a/model.attend"), tmp_.File("b/model.attend")), 0);
}

}  // namespace
}  // namespace attend::training
