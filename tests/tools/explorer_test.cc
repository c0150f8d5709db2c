// End-to-end: the attention explorer (`attend transcribe --format html`) on
// the samples with the bundled model: one self-contained page per input and an
// index, and, in headless Chromium, each page's own self-test (#selftest: no
// script errors, an attention row per token, a click on a token selects its
// span, each head of a 4-head model draws its own matrix, the CTC alignment
// overlay draws). The browser test is skipped when Chromium is not installed (`make
// deps` installs it).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/test_support.h"
#include "tests/tools/samples_data_dir.h"
#include "tools/common/explorer_index.h"
#include "tools/common/explorer_page.h"

namespace attend {
namespace {

using testing::ReadFileBytes;
using testing::RunAttend;
using testing::RunCommand;
using tools::ExplorerSummary;

const std::vector<std::string> kSamples = {
    "espeak_en029_annie-f003056", "espeak_engb_aunty-d001653",
    "espeak_engbscotland_belinda-t000899", "espeak_engbxgbclan_f3-w002097", "flite_rms-c000253"};

std::string Root() { return std::string(ATTEND_TEST_DATA_DIR) + "/.."; }

// The JSON a page embeds.
nlohmann::json PageData(const std::string& html) {
  const std::string open = "<script type=\"application/json\" id=\"attend-data\">";
  const size_t begin = html.find(open);
  if (begin == std::string::npos) return nullptr;
  const size_t end = html.find("</script>", begin);
  return nlohmann::json::parse(html.substr(begin + open.size(), end - begin - open.size()));
}

// An alternative whose words are single letters (tokens: the letters and
// <space>), one encoder frame per token, attention on the diagonal.
Alternative Letters(const std::string& text, double start) {
  Alternative a;
  a.text = text;
  double t = start;
  for (char c : text) {
    const std::string token = c == ' ' ? "<space>" : std::string(1, c);
    a.tokens.push_back({token, t, t + 0.04, 0.9f, {}});
    if (c != ' ') a.words.push_back({token, t, t + 0.04, 0.9f, {}});
    t += 0.04;
  }
  a.attention_rows = static_cast<int64_t>(a.tokens.size()) + 1;
  a.attention_cols = 25;
  a.attention.assign(a.attention_rows * a.attention_cols, 0.0f);
  for (int64_t r = 0; r < a.attention_rows; ++r) a.attention[r * 25 + std::min<int64_t>(r, 24)] = 1;
  return a;
}

// Two segments scored against one reference: the whole is aligned once (its
// errors go to the index), each segment's alternatives against the reference
// words aligned with it; a deleted word at a boundary goes to the segment
// before it. A key cannot end the page's script.
TEST(ExplorerPageTest, EditsPerSegmentAndAlternative) {
  Transcript t;
  t.duration = 2;
  t.seconds_per_frame = 0.04;
  t.segments.push_back({0.0, 1.0, {Letters("a b", 0.0)}});
  t.segments.push_back({1.0, 2.0, {Letters("d", 1.0), Letters("c d", 1.0)}});
  t.text = "a b d";
  const std::string reference = "a b c d";
  const std::vector<float> samples(32000, 0.0f);
  ExplorerSummary summary;
  const std::string html = tools::RenderExplorerPage("key</script><!--", t, samples, 16000,
                                                     &reference, "model", &summary);
  EXPECT_EQ(summary.errors.deletions, 1);
  EXPECT_EQ(summary.errors.errors(), 1);
  EXPECT_EQ(html.find("key</script>"), std::string::npos);
  const nlohmann::json data = PageData(html);
  ASSERT_TRUE(data.is_object());
  EXPECT_EQ(data["key"], "key</script><!--");
  EXPECT_EQ(data["reference"], reference);
  auto ops = [&](int segment, int alt) {
    std::string s;
    for (const auto& e : data["segments"][segment]["nbest"][alt]["edits"])
      s += e["op"].get<std::string>();
    return s;
  };
  EXPECT_EQ(ops(0, 0), "CCD");  // c, deleted after b, is the first segment's
  EXPECT_EQ(ops(1, 0), "C");
  EXPECT_EQ(ops(1, 1), "IC");
  EXPECT_EQ(data["segments"][1]["nbest"][1]["errors"], 1);
  EXPECT_EQ(data["segments"][0]["nbest"][0]["heads"][0]["rows"].size(), 4u);

  summary.page = "a #1.html";
  const std::string index = tools::RenderExplorerIndex({summary});
  EXPECT_NE(index.find("href=\"a%20%231.html\""), std::string::npos) << index;
  EXPECT_NE(index.find("key&lt;/script&gt;"), std::string::npos) << index;
}

// The path of Chromium, or "" when it is not installed.
std::string FindChromium() {
  for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
    const auto r = RunCommand(std::string("command -v ") + name + " 2>/dev/null");
    if (r.exit_code == 0 && !r.output.empty()) return r.output.substr(0, r.output.find('\n'));
  }
  return "";
}

TEST(ExplorerUsageTest, HtmlNeedsAnOutputDirAndRefNeedsHtml) {
  const std::string sample = Root() + "/samples/" + kSamples[0] + ".wav";
  auto r = RunAttend("transcribe --format html " + sample);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--output-dir"), std::string::npos) << r.output;
  r = RunAttend("transcribe --ref " + Root() + "/samples/text " + sample);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--ref needs --format html"), std::string::npos) << r.output;
}

class ExplorerTest : public ::testing::Test {
 protected:
  // The samples are decoded once for all tests (3-best, with references).
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    std::string inputs;
    for (const std::string& s : kSamples) inputs += " " + Root() + "/samples/" + s + ".wav";
    const auto r = RunAttend("transcribe --quiet --format html --nbest 3 --model " + Root() +
                             "/models/default.attend --ref " + Root() + "/samples/text" +
                             " --output-dir " + dir_->File("pages") + inputs);
    exit_code_ = r.exit_code;
    output_ = r.output;
  }
  static void TearDownTestSuite() { delete dir_; }

  std::string Page(const std::string& name) const { return dir_->File("pages/" + name + ".html"); }

  // Runs the page's self-test in headless Chromium: what it wrote into
  // #selftest, or why there is nothing to read.
  static std::string SelfTest(const std::string& chromium, const std::string& page) {
    const std::string profile = dir_->File("chromium-profile");
    std::filesystem::create_directories(profile);
    const auto r = RunCommand(
        "'" + chromium + "' --headless --no-sandbox --disable-gpu --disable-quic --no-first-run " +
        "--disable-background-networking --disable-component-update --disable-sync " +
        "--user-data-dir=" + profile + " --virtual-time-budget=5000 --dump-dom 'file://" + page +
        "#selftest' 2>/dev/null");
    std::smatch m;
    if (std::regex_search(r.output, m, std::regex("<pre id=\"selftest\"[^>]*>([^<]*)</pre>")))
      return m[1].str().empty() ? "(the self-test did not run)" : m[1].str();
    return "(no #selftest in the dump; exit code " + std::to_string(r.exit_code) + ")";
  }

  static testing::TempDir* dir_;
  static int exit_code_;
  static std::string output_;
};

testing::TempDir* ExplorerTest::dir_ = nullptr;
int ExplorerTest::exit_code_ = -1;
std::string ExplorerTest::output_;

TEST_F(ExplorerTest, OnePagePerInputAndAnIndexWorstFirst) {
  ASSERT_EQ(exit_code_, 0) << output_;
  const std::string index = ReadFileBytes(dir_->File("pages/index.html"));
  ASSERT_FALSE(index.empty());
  for (const std::string& s : kSamples) {
    EXPECT_TRUE(std::filesystem::exists(Page(s))) << s;
    EXPECT_NE(index.find("href=\"" + s + ".html\""), std::string::npos) << s;
  }
  EXPECT_NE(index.find("WER"), std::string::npos) << index;
  // Rows: link, seconds, then the error count; most errors first.
  const std::regex row(
      "<tr><td><a href=\"[^\"]+\">[^<]*</a></td><td class=\"n\">[^<]*</td>"
      "<td class=\"n[^\"]*\">([0-9]+)</td>");
  std::vector<int> errors;
  for (auto it = std::sregex_iterator(index.begin(), index.end(), row);
       it != std::sregex_iterator(); ++it)
    errors.push_back(std::stoi((*it)[1].str()));
  ASSERT_EQ(errors.size(), kSamples.size()) << index;
  EXPECT_TRUE(std::is_sorted(errors.rbegin(), errors.rend())) << index;
}

TEST_F(ExplorerTest, PagesAreSelfContainedWithValidData) {
  ASSERT_EQ(exit_code_, 0) << output_;
  for (const std::string& s : kSamples) {
    const std::string html = ReadFileBytes(Page(s));
    EXPECT_LT(html.size(), 400000u) << s;
    for (const char* external : {"http://", "https://", "src=", "href="})
      EXPECT_EQ(html.find(external), std::string::npos) << s << " mentions " << external;
    const nlohmann::json data = PageData(html);
    ASSERT_TRUE(data.is_object()) << s;
    EXPECT_TRUE(data["reference"].is_string()) << s;
    EXPECT_GT(data["wav"].get<std::string>().size(), 10000u) << s;
    EXPECT_GT(data["features"]["frames"].get<int>(), 50) << s;
    ASSERT_EQ(data["segments"].size(), 1u) << s;
    const auto& nbest = data["segments"][0]["nbest"];
    ASSERT_GE(nbest.size(), 2u) << s;
    for (const auto& alt : nbest) {
      const size_t tokens = alt["tokens"].size();
      ASSERT_GT(tokens, 2u) << s;
      ASSERT_EQ(alt["heads"].size(), 1u) << s;
      const auto& rows = alt["heads"][0]["rows"];
      EXPECT_EQ(rows.size(), tokens + 1) << s << ": a row per token and <eos>";
      for (const auto& row : rows) EXPECT_EQ(row.size(), rows[0].size()) << s;
      int hyp_words = 0;
      for (const auto& e : alt["edits"]) hyp_words += e["word"].get<int>() >= 0;
      EXPECT_EQ(hyp_words, static_cast<int>(alt["words"].size())) << s;
    }
  }
}

// The pages pass their self-test in a real browser; pages broken on purpose
// (an attention row missing, a script error) fail it.
TEST_F(ExplorerTest, PagesPassTheirSelfTestInChromium) {
  ASSERT_EQ(exit_code_, 0) << output_;
  const std::string chromium = FindChromium();
  if (chromium.empty()) GTEST_SKIP() << "Chromium is not installed (apt-get install chromium)";
  for (const std::string& s : kSamples) EXPECT_EQ(SelfTest(chromium, Page(s)), "PASS") << s;

  const std::string html = ReadFileBytes(Page(kSamples[0]));
  nlohmann::json data = PageData(html);
  data["segments"][0]["nbest"][0]["heads"][0]["rows"].erase(0);
  const std::string open = "id=\"attend-data\">";
  const size_t begin = html.find(open) + open.size(), end = html.find("</script>", begin);
  std::ofstream(dir_->File("short.html"))
      << html.substr(0, begin) << data.dump() << html.substr(end);
  EXPECT_NE(SelfTest(chromium, dir_->File("short.html")).find("FAIL: segment 1 alternative 1"),
            std::string::npos);
  std::ofstream(dir_->File("error.html"))
      << html.substr(0, html.find("<script type=\"application/json\""))
      << "<script>undefinedFunction();</script>"
      << html.substr(html.find("<script type=\"application/json\""));
  EXPECT_NE(SelfTest(chromium, dir_->File("error.html")).find("FAIL: error: "), std::string::npos);
}

// A 4-head model (tiny, trained for two steps on the samples: the page's
// mechanics, not accuracy; a low softmax temperature so that its random heads
// differ visibly): every alternative offers the heads' mean and each head,
// whose mean is the first matrix up to 8-bit rounding. In Chromium (the page's
// self-test) the head switch draws the chosen head's weights, different heads
// differently, and the CTC alignment overlay draws over them; a page whose
// switch is broken fails.
TEST_F(ExplorerTest, MultiHeadModelOffersEachHead) {
  const std::string data = dir_->File("multihead_data"), exp = dir_->File("multihead_exp");
  testing::WriteSamplesDataDir(data);
  auto r = testing::TrainTinyFourHeadModel(data, exp);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string sample = kSamples[0];
  r = RunAttend("transcribe --quiet --format html --beam 2 --nbest 2 --max-len-ratio 0.2 --model " +
                exp + "/model.attend --output-dir " + dir_->File("multihead") + " " + Root() +
                "/samples/" + sample + ".wav");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string page = dir_->File("multihead/" + sample + ".html");
  const std::string html = ReadFileBytes(page);
  nlohmann::json json = PageData(html);
  ASSERT_TRUE(json.is_object());
  const auto& nbest = json["segments"][0]["nbest"];
  ASSERT_FALSE(nbest.empty());
  for (const auto& alt : nbest) {
    const auto& heads = alt["heads"];
    ASSERT_EQ(heads.size(), 5u);
    EXPECT_EQ(heads[0]["name"], "all heads (their mean)");
    EXPECT_EQ(heads[4]["name"], "head 4");
    EXPECT_NE(heads[1]["rows"], heads[2]["rows"]) << "the test needs heads that differ";
    const auto& mean = heads[0]["rows"];
    ASSERT_EQ(mean.size(), alt["tokens"].size() + 1);
    for (size_t r = 0; r < mean.size(); ++r)
      for (size_t c = 0; c < mean[r].size(); ++c) {
        int sum = 0;
        for (int h = 1; h <= 4; ++h) sum += heads[h]["rows"][r][c].get<int>();
        EXPECT_NEAR(sum / 4.0, mean[r][c].get<int>(), 1.0) << "row " << r << " frame " << c;
      }
  }

  const std::string chromium = FindChromium();
  if (chromium.empty()) GTEST_SKIP() << "Chromium is not installed (apt-get install chromium)";
  EXPECT_EQ(SelfTest(chromium, page), "PASS");
  // A head switch that does not switch fails it.
  const std::string handler = "state.head = Number(e.target.value);";
  ASSERT_NE(html.find(handler), std::string::npos);
  std::string broken = html;
  broken.replace(broken.find(handler), handler.size(), "state.head = 0;");
  std::ofstream(dir_->File("dead_switch.html")) << broken;
  EXPECT_NE(SelfTest(chromium, dir_->File("dead_switch.html"))
                .find("switching to head 2 did not select it"),
            std::string::npos);
}

}  // namespace
}  // namespace attend
