// End-to-end: `attend stream` with the bundled model on two samples 2 s
// apart, read from a file as fast as possible, from raw PCM on stdin, and in
// real time cut short by Ctrl-C. The finals must be what `attend transcribe`
// makes of each sample alone.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/test_support.h"

namespace attend {
namespace {

using testing::RunAttend;
using testing::RunCommand;

const std::string kRoot = std::string(ATTEND_TEST_DATA_DIR) + "/..";
const std::string kModel = "--model " + kRoot + "/models/default.attend";
const std::string kFirst = kRoot + "/samples/espeak_engb_aunty-d001653.wav";
const std::string kSecond = kRoot + "/samples/espeak_en029_annie-f003056.wav";

struct Event {
  std::string type, text;
  double start = 0, end = 0;
};

// The JSON lines of `output`; a line that does not parse fails the test.
std::vector<Event> ParseEvents(const std::string& output) {
  std::vector<Event> events;
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] != '{') continue;  // stderr lines
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "not JSON: " << line;
      continue;
    }
    events.push_back({j.at("type"), j.at("text"), j.at("start"), j.at("end")});
    EXPECT_TRUE(j.at("words").is_array()) << line;
  }
  return events;
}

std::vector<std::string> FinalTexts(const std::vector<Event>& events) {
  std::vector<std::string> texts;
  for (const Event& e : events)
    if (e.type == "final") texts.push_back(e.text);
  return texts;
}

// `attend transcribe`'s text of one file.
std::string Transcribe(const std::string& path) {
  const auto r = RunAttend("transcribe --quiet --threads 1 " + kModel + " " + path);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  const size_t space = r.output.find(' ');
  std::string text = space == std::string::npos ? "" : r.output.substr(space + 1);
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

class StreamTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir;
    // Both at 16 kHz mono 16-bit, 2 s of silence between them.
    const std::string d = dir_->path().string();
    const auto r = RunCommand("cd " + d + " && sox " + kFirst +
                              " -r 16000 -c 1 -b 16 a.wav && sox " + kSecond +
                              " -r 16000 -c 1 -b 16 b.wav && sox -n -r 16000 -c 1 -b 16 gap.wav "
                              "trim 0 2 && sox a.wav gap.wav b.wav two.wav 2>&1");
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::string File(const std::string& name) { return dir_->File(name); }

  static testing::TempDir* dir_;
};
testing::TempDir* StreamTest::dir_ = nullptr;

TEST_F(StreamTest, FileGivesOneFinalPerSentenceAsTranscribeDoes) {
  const auto r = RunAttend("stream --format json " + kModel + " " + File("two.wav"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::vector<Event> events = ParseEvents(r.output);
  const std::vector<std::string> finals = FinalTexts(events);
  ASSERT_EQ(finals.size(), 2u) << r.output;
  EXPECT_EQ(finals[0], Transcribe(kFirst));
  EXPECT_EQ(finals[1], Transcribe(kSecond));
  double last_end = 0;
  for (const Event& e : events) {
    if (e.type != "final") continue;
    EXPECT_GE(e.start, last_end) << r.output;
    EXPECT_GT(e.end, e.start) << r.output;
    last_end = e.end;
  }
  EXPECT_GT(last_end, 5.0);  // the second sentence starts after 2.1 s + 2 s
}

TEST_F(StreamTest, RawPcmOnStdinGivesTheFileFinals) {
  const auto file = RunAttend("stream --format json " + kModel + " " + File("two.wav"));
  ASSERT_EQ(file.exit_code, 0) << file.output;
  const auto raw =
      RunCommand("sox " + File("two.wav") + " -t raw -e signed -b 16 -r 16000 - | " +
                 ATTEND_BINARY + " stream --format json --raw-rate 16000 " + kModel + " - 2>&1");
  ASSERT_EQ(raw.exit_code, 0) << raw.output;
  EXPECT_EQ(FinalTexts(ParseEvents(raw.output)), FinalTexts(ParseEvents(file.output)));
  // Float samples too.
  const auto f32 =
      RunCommand("sox " + File("two.wav") + " -t raw -e float -b 32 -r 16000 - | " + ATTEND_BINARY +
                 " stream --format json --raw-format f32 --raw-rate 16000 " + kModel + " - 2>&1");
  ASSERT_EQ(f32.exit_code, 0) << f32.output;
  EXPECT_EQ(FinalTexts(ParseEvents(f32.output)), FinalTexts(ParseEvents(file.output)));
}

TEST_F(StreamTest, TextFormatPrintsOneLinePerUtterance) {
  const auto r = RunCommand(std::string(ATTEND_BINARY) + " stream " + kModel + " " +
                            File("two.wav") + " 2>/dev/null");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, Transcribe(kFirst) + "\n" + Transcribe(kSecond) + "\n");
}

TEST_F(StreamTest, CtrlCFlushesTheOpenUtteranceAndExitsZero) {
  // Real time; SIGINT once the first partial shows, mid-sentence.
  const std::string out = File("interrupted.json");
  const auto r = RunCommand(std::string(ATTEND_BINARY) + " stream --realtime --format json " +
                            kModel + " " + File("two.wav") + " > " + out +
                            " 2>&1 & pid=$!; for i in $(seq 400); do grep -q partial " + out +
                            " && break; sleep 0.05; done; kill -INT $pid; wait $pid; echo exit=$?");
  EXPECT_NE(r.output.find("exit=0"), std::string::npos) << r.output;
  const std::string output = testing::ReadFileBytes(out);
  const std::vector<Event> events = ParseEvents(output);
  const std::vector<std::string> finals = FinalTexts(events);
  ASSERT_EQ(finals.size(), 1u) << output;
  EXPECT_FALSE(finals[0].empty());
  EXPECT_LT(events.back().end, 3.0) << output;  // cut short, before the second sentence
}

TEST_F(StreamTest, BadUsageAndMissingInputsFailClearly) {
  auto r = RunAttend("stream --format srt " + kModel + " " + File("two.wav"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  r = RunAttend("stream --realtime " + kModel + " -");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--realtime"), std::string::npos) << r.output;
  r = RunAttend("stream --raw-format s24 " + kModel + " -");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  r = RunAttend("stream " + kModel + " " + File("missing.wav"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("attend: error: "), std::string::npos) << r.output;
  // Empty stdin is a normal end.
  r = RunAttend("stream " + kModel + " - < /dev/null");
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

}  // namespace
}  // namespace attend
