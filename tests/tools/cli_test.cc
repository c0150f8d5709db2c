// End-to-end: the `attend` binary as a user runs it.
#include <gtest/gtest.h>

#include <fstream>

#include "nn/model_file.h"
#include "tests/test_support.h"

namespace attend {
namespace {

using testing::RunAttend;

TEST(Cli, HelpListsTheCommands) {
  auto r = RunAttend("--help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.output.find("info"), std::string::npos) << r.output;
}

TEST(Cli, VersionPrintsTheVersion) {
  auto r = RunAttend("--version");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.output.rfind("attend ", 0), 0u) << r.output;
}

TEST(Cli, UnknownCommandAndOptionAreUsageErrors) {
  auto r = RunAttend("frobnicate");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.output.rfind("attend: error: ", 0), 0u) << r.output;
  r = RunAttend("info --no-such-option x");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.output.rfind("attend: error: ", 0), 0u) << r.output;
  r = RunAttend("");
  EXPECT_EQ(r.exit_code, 2);
}

TEST(Cli, InfoPrintsConfigAndTensors) {
  testing::TempDir dir;
  nn::ModelFile m;
  m.config = "encoder.units = 320\n";
  m.tensors.emplace("encoder.w", nn::Tensor({3, 4}));
  m.Save(dir.File("m.attend"));
  auto r = RunAttend("info " + dir.File("m.attend"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("encoder.units = 320"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("encoder.w"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("[3, 4]"), std::string::npos) << r.output;
}

TEST(Cli, InfoOnABadFileIsAOneLineError) {
  testing::TempDir dir;
  std::ofstream(dir.File("junk.attend")) << "not a model";
  for (const std::string& path : {dir.File("junk.attend"), dir.File("missing.attend")}) {
    auto r = RunAttend("info " + path);
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_EQ(r.output.rfind("attend: error: ", 0), 0u) << r.output;
    EXPECT_NE(r.output.find(path), std::string::npos) << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
  }
}

TEST(Cli, OptionsComeFromAConfigFile) {
  testing::TempDir dir;
  nn::ModelFile m;
  m.Save(dir.File("m.attend"));
  std::ofstream(dir.File("info.conf")) << "model = " << dir.File("m.attend") << "\n";
  auto r = RunAttend("info --config " + dir.File("info.conf"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  r = RunAttend("info --config " + dir.File("missing.conf"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
}

}  // namespace
}  // namespace attend
