// End-to-end: `attend score` as a user runs it.
#include <gtest/gtest.h>

#include <fstream>

#include "tests/test_support.h"

namespace attend {
namespace {

using testing::RunAttend;

TEST(ScoreCli, PrintsKaldiStyleRates) {
  testing::TempDir dir;
  std::ofstream(dir.File("ref")) << "u1 the cat sat on the mat\nu2 hello world\nu3\n";
  std::ofstream(dir.File("hyp")) << "u1 the cat sit on mat\nu3 extra\n";
  auto r = RunAttend("score --ref " + dir.File("ref") + " --hyp " + dir.File("hyp"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  // u1: 1 sub + 1 del; u2 missing: 2 del; u3: 1 ins → 5 errors over 8 words.
  EXPECT_NE(r.output.find("%WER 62.50 [ 5 / 8, 1 ins, 3 del, 1 sub ]"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("1 not present in hyp"), std::string::npos) << r.output;
}

// --groups: sclite's per-speaker report, from an utt2spk-style file.
TEST(ScoreCli, GroupsBreakDownTheRates) {
  testing::TempDir dir;
  std::ofstream(dir.File("ref")) << "u1 the cat sat on the mat\nu2 hello world\nu3 ab\n";
  std::ofstream(dir.File("hyp")) << "u1 the cat sit on mat\nu2 hello world\nu3 ab cd\n";
  std::ofstream(dir.File("utt2spk")) << "u1 alice\nu2 bob\nu3 bob\nu9 carol\n";
  auto r = RunAttend("score --ref " + dir.File("ref") + " --hyp " + dir.File("hyp") + " --groups " +
                     dir.File("utt2spk"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("%WER 33.33 [ 3 / 9, 1 ins, 1 del, 1 sub ]"), std::string::npos)
      << r.output;
  // alice: 2 word errors / 6 words; "sat"->"sit" and "the" deleted: 4 / 17 letters.
  EXPECT_NE(r.output.find("alice      1       6   33.33   23.53"), std::string::npos) << r.output;
  // bob: one inserted word over 3 words, two inserted letters over 12 letters.
  EXPECT_NE(r.output.find("bob        2       3   33.33   16.67"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("carol"), std::string::npos) << r.output;  // no utterance in ref

  std::ofstream(dir.File("partial")) << "u1 alice\n";
  r = RunAttend("score --ref " + dir.File("ref") + " --hyp " + dir.File("hyp") + " --groups " +
                dir.File("partial"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_EQ(r.output.rfind("attend: error: utterance 'u2' has no group (", 0), 0u) << r.output;
}

// A CTM hypothesis (attend transcribe --format ctm): the same rates, and the
// NCE of its confidences as sclite computes it.
TEST(ScoreCli, CtmHypothesisAddsTheNce) {
  testing::TempDir dir;
  std::ofstream(dir.File("ref")) << "u1 a b c d\nu2 e\n";
  std::ofstream(dir.File("hyp.ctm")) << ";; comment\nu1 1 0.0 0.1 a 0.9\nu1 1 0.1 0.1 x 0.2\n"
                                        "u1 1 0.2 0.1 c 0.8\nu1 1 0.3 0.1 d 0.6\n";
  auto r = RunAttend("score --ref " + dir.File("ref") + " --hyp " + dir.File("hyp.ctm"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("%WER 40.00 [ 2 / 5, 0 ins, 1 del, 1 sub ]"), std::string::npos)
      << r.output;
  // 3 of 4 words right: (H(0.75) - H(conf)) / H(0.75) = 0.5277 in bits.
  EXPECT_NE(r.output.find("NCE 0.528 [ 3 of 4 hypothesis words right ]"), std::string::npos)
      << r.output;
  std::ofstream(dir.File("bad.ctm")) << "u1 1 0.0 0.1 a 1.5\n";
  r = RunAttend("score --ref " + dir.File("ref") + " --hyp " + dir.File("bad.ctm"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_EQ(r.output.rfind("attend: error: confidence 1.5 outside [0, 1] on line 1 (", 0), 0u)
      << r.output;
}

TEST(ScoreCli, BadInputIsAOneLineError) {
  testing::TempDir dir;
  std::ofstream(dir.File("ref")) << "u1 a\nu1 b\n";
  std::ofstream(dir.File("hyp")) << "u1 a\n";
  auto r = RunAttend("score --ref " + dir.File("ref") + " --hyp " + dir.File("hyp"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_EQ(r.output.rfind("attend: error: duplicate key 'u1'", 0), 0u) << r.output;
  std::ofstream(dir.File("ref2")) << "u1 a\n";
  std::ofstream(dir.File("hyp2")) << "u9 a\n";
  r = RunAttend("score --ref " + dir.File("ref2") + " --hyp " + dir.File("hyp2"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  r = RunAttend("score --ref " + dir.File("ref2"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
}

}  // namespace
}  // namespace attend
