// `attend train` killed with SIGKILL at several moments, inside checkpoint
// writes among them, and resumed each time, on the synthetic tone corpus.
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <thread>

#include "nn/model_file.h"
#include "tests/test_support.h"
#include "tests/training/synthetic_data.h"
#include "tests/training/train_runs.h"

namespace attend::training {
namespace {

using attend::testing::RunAttend;
using testing::ExpectSameRun;
using testing::ReadFile;
using testing::Spawn;
namespace fs = std::filesystem;

// Every checkpoint in `dir` reads back whole (ModelFile::Load checks every
// length and CRC); returns how many there are.
int ExpectEveryCheckpointReadable(const std::string& dir) {
  int count = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".attend") continue;
    ++count;
    EXPECT_NO_THROW(nn::ModelFile::Load(entry.path().string())) << entry.path();
  }
  return count;
}

// Runs `attend ARGS` until it is inside its `write`th checkpoint write (the
// ATTEND_TEST_STOP_IN_CHECKPOINT_WRITE hook stops it there with half the
// bytes in the temporary file) and kills it with SIGKILL.
void KillInsideCheckpointWrite(const std::string& args, int write, const std::string& log) {
  setenv("ATTEND_TEST_STOP_IN_CHECKPOINT_WRITE", std::to_string(write).c_str(), 1);
  const pid_t pid = Spawn(args, log);
  unsetenv("ATTEND_TEST_STOP_IN_CHECKPOINT_WRITE");
  ASSERT_GT(pid, 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, WUNTRACED), pid);
  ASSERT_TRUE(WIFSTOPPED(status)) << "the run ended before checkpoint write " << write << ": "
                                  << ReadFile(log);
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status));
}

// Runs `attend ARGS` until its log shows a step after `after_step` that is not
// a multiple of `checkpoint_steps` (between checkpoints) and kills it with
// SIGKILL.
void KillBetweenCheckpoints(const std::string& args, const std::string& log, int64_t after_step,
                            int64_t checkpoint_steps) {
  const pid_t pid = Spawn(args, log);
  ASSERT_GT(pid, 0);
  const std::regex step_line(R"(epoch \d+ step (\d+) )");
  auto ready = [&] {
    const std::string text = ReadFile(log);
    for (std::sregex_iterator it(text.begin(), text.end(), step_line), end; it != end; ++it) {
      const int64_t step = std::stoll((*it)[1]);
      if (step > after_step && step % checkpoint_steps != 0) return true;
    }
    return false;
  };
  int status = 0;
  for (int i = 0; i < 600000 && !ready(); ++i) {
    ASSERT_NE(waitpid(pid, &status, WNOHANG), pid) << "the run ended first: " << ReadFile(log);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the run finished before the kill";
}

// Issue 25: SIGKILL inside a periodic checkpoint write, inside a later write
// of a resumed session, and between checkpoints of a third, each followed by
// --resume: after every kill each checkpoint left reads back whole, and the
// run ends exactly as an uninterrupted one (single-threaded: same metrics,
// same final model, bit for bit).
TEST(TrainE2e, SigkillInsideCheckpointWritesAndBetweenThemResumesExactly) {
  attend::testing::TempDir tmp;
  const std::string common = testing::SetUpInterruptedRun(tmp, "", 1);
  const auto whole = RunAttend(common + " --exp " + tmp.File("a"));
  ASSERT_EQ(whole.exit_code, 0) << whole.output;

  const std::string b = common + " --exp " + tmp.File("b");
  const std::string checkpoints = tmp.File("b/checkpoints");
  // The first session dies inside its 2nd checkpoint write (the 1st is whole).
  KillInsideCheckpointWrite(b, 2, tmp.File("b1.log"));
  EXPECT_GE(ExpectEveryCheckpointReadable(checkpoints), 1);
  // The second inside its 4th write (past an epoch's end with dev ranking).
  KillInsideCheckpointWrite(b + " --resume", 4, tmp.File("b2.log"));
  EXPECT_GE(ExpectEveryCheckpointReadable(checkpoints), 1);
  const auto state = nn::ModelFile::Load(checkpoints + "/last.attend");
  const std::smatch at = [&] {
    std::smatch m;
    std::regex_search(state.config, m, std::regex(R"(train-state\.step = (\d+))"));
    return m;
  }();
  ASSERT_FALSE(at.empty()) << state.config;
  // The third between two checkpoints, a few steps after the last one.
  KillBetweenCheckpoints(b + " --resume", tmp.File("b3.log"), std::stoll(at[1]) + 1, 5);
  EXPECT_GE(ExpectEveryCheckpointReadable(checkpoints), 1);
  ASSERT_FALSE(fs::exists(tmp.File("b/model.attend")));

  const auto resumed = RunAttend(b + " --resume");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  ExpectEveryCheckpointReadable(checkpoints);
  ExpectSameRun(tmp.File("a"), whole.output, tmp.File("b"), resumed.output);
}

}  // namespace
}  // namespace attend::training
