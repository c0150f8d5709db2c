// End-to-end: `attend attention-stats` with the bundled model on a data
// directory of the bundled samples: clean speech, so the teacher-forced
// attention must be peaked and move forward.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/test_support.h"
#include "tests/tools/samples_data_dir.h"

namespace attend {
namespace {

using testing::RunAttend;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(AttentionStatsCommand, BundledSamples) {
  testing::TempDir dir;
  const std::string data = dir.File("data");
  const std::set<std::string> keys = testing::WriteSamplesDataDir(data);
  ASSERT_EQ(keys.size(), 5u);

  const std::string out = dir.File("stats.jsonl"), summary = dir.File("summary.txt");
  const auto r = RunAttend("attention-stats --model " + testing::SourceRoot() +
                           "/models/default.attend --data " + data + " --out " + out +
                           " --summary " + summary);
  ASSERT_EQ(r.exit_code, 0) << r.output;

  std::istringstream lines(ReadFile(out));
  std::set<std::string> seen;
  for (std::string line; std::getline(lines, line);) {
    nlohmann::json j;
    ASSERT_NO_THROW(j = nlohmann::json::parse(line)) << line;
    const std::string key = j.at("key");
    EXPECT_TRUE(keys.count(key)) << line;
    EXPECT_TRUE(seen.insert(key).second) << "twice: " << key;
    for (const char* name : {"sharpness", "monotonicity", "coverage"}) {
      const double v = j.at(name);
      EXPECT_GE(v, 0.0) << name << ": " << line;
      EXPECT_LE(v, 1.0) << name << ": " << line;
    }
    // A letter lasts less than an encoder frame, so a step's weight spreads
    // over the neighbouring frames too and the mean peak stays well below
    // one; it must still be far above a uniform row's 1/frames.
    const double frames = j.at("frames");
    EXPECT_GT(j.at("sharpness").get<double>(), 0.25) << line;
    EXPECT_GT(j.at("sharpness").get<double>(), 10 / frames) << line;
    EXPECT_GT(j.at("monotonicity").get<double>(), 0.8) << line;
    EXPECT_GE(j.at("entropy").get<double>(), 0.0) << line;
    EXPECT_TRUE(j.at("ctc_distance").is_number()) << line;
    EXPECT_TRUE(j.at("stalls").is_number_integer()) << line;
    EXPECT_TRUE(j.at("unattended_tail").is_boolean()) << line;
    EXPECT_FALSE(j.contains("heads")) << "one head: its statistics are the mean's: " << line;
  }
  EXPECT_EQ(seen, keys);
  const std::string table = ReadFile(summary);
  EXPECT_NE(table.find("over 5 utterances"), std::string::npos) << table;
  EXPECT_NE(table.find("monotonicity"), std::string::npos) << table;
}

// A multi-head model gets each head's statistics besides the mean's. A tiny
// 4-head model (TrainTinyFourHeadModel): 4 entries per utterance, and the mean matrix is no sharper
// than its heads on average (a row's largest mean weight is at most the mean
// of the heads' largest weights), which reading the wrong buffer would break.
TEST(AttentionStatsCommand, MultiHeadModelMeasuresEachHead) {
  testing::TempDir dir;
  const std::string data = dir.File("data"), exp = dir.File("exp");
  testing::WriteSamplesDataDir(data);
  auto r = testing::TrainTinyFourHeadModel(data, exp);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string out = dir.File("stats.jsonl"), summary = dir.File("summary.txt");
  r = RunAttend("attention-stats --model " + exp + "/model.attend --data " + data + " --out " +
                out + " --summary " + summary);
  ASSERT_EQ(r.exit_code, 0) << r.output;

  std::istringstream lines(ReadFile(out));
  int utterances = 0;
  bool heads_differ = false;
  for (std::string line; std::getline(lines, line); ++utterances) {
    const nlohmann::json j = nlohmann::json::parse(line);
    const auto& heads = j.at("heads");
    ASSERT_EQ(heads.size(), 4u) << line;
    double mean_of_head_sharpness = 0;
    for (const auto& h : heads) {
      const double sharpness = h.at("sharpness");
      EXPECT_GT(sharpness, 0.0) << line;
      EXPECT_LE(sharpness, 1.0) << line;
      EXPECT_TRUE(h.at("ctc_distance").is_number()) << line;
      mean_of_head_sharpness += sharpness / 4;
      heads_differ |= sharpness != heads[0].at("sharpness").get<double>();
    }
    EXPECT_LE(j.at("sharpness").get<double>(), mean_of_head_sharpness + 1e-6) << line;
  }
  EXPECT_EQ(utterances, 5);
  EXPECT_TRUE(heads_differ) << "the test needs heads that differ";
  const std::string table = ReadFile(summary);
  EXPECT_NE(table.find("head 4 "), std::string::npos) << table;
  EXPECT_EQ(table.find("head 5 "), std::string::npos) << table;
}

TEST(AttentionStatsCommand, NeedsData) {
  const auto r = RunAttend("attention-stats");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--data"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace attend
