// End-to-end: `attend features` and `attend compute-cmvn` as a user runs them.
#include <gtest/gtest.h>

#include <fstream>

#include "frontend/audio_reader.h"
#include "frontend/cmvn.h"
#include "frontend/fbank.h"
#include "frontend/kaldi_archive.h"
#include "tests/test_support.h"

namespace attend::frontend {
namespace {

using testing::RunAttend;

std::string Fixture(const std::string& name) {
  return testing::DataPath("frontend/fixtures/" + name);
}

TEST(FeaturesCli, BatchSkipsBadItemsAndSaysSo) {
  testing::TempDir dir;
  std::ofstream(dir.File("bad.wav")) << "not audio at all";
  std::ofstream(dir.File("wav.scp")) << "a " << Fixture("speech.wav") << "\n"
                                     << "bad " << dir.File("bad.wav") << "\n"
                                     << "b cat " << Fixture("speech_44k.wav") << " |\n"
                                     << "missing " << dir.File("missing.wav") << "\n";
  auto r = RunAttend("features scp:" + dir.File("wav.scp") + " ark,scp:" + dir.File("f.ark") + "," +
                     dir.File("f.scp"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("attend: error: bad: "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(dir.File("bad.wav")), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(dir.File("missing.wav")), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("2 of 4 utterances"), std::string::npos) << r.output;

  // The good ones are there, equal to the library's features.
  MatrixArchiveReader reader("scp:" + dir.File("f.scp"));
  ASSERT_FALSE(reader.Done());
  EXPECT_EQ(reader.Key(), "a");
  Fbank fbank{FbankOptions()};
  EXPECT_EQ(reader.Value(), fbank.Compute(ReadAudio(Fixture("speech.wav"), AudioOptions())));
  reader.Next();
  ASSERT_FALSE(reader.Done());
  EXPECT_EQ(reader.Key(), "b");
  EXPECT_EQ(reader.Value().cols(), 80);
  reader.Next();
  EXPECT_TRUE(reader.Done());
}

TEST(FeaturesCli, SingleFileTextOutputAndOptions) {
  testing::TempDir dir;
  auto r = RunAttend("features --num-mel-bins 40 --use-energy true " + Fixture("sweep.wav") +
                     " ark,t:" + dir.File("f.txt"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  MatrixArchiveReader reader("ark:" + dir.File("f.txt"));
  ASSERT_FALSE(reader.Done());
  EXPECT_EQ(reader.Key(), "sweep");
  EXPECT_EQ(reader.Value().cols(), 41);
  EXPECT_EQ(reader.Value().rows(), 78);
}

TEST(FeaturesCli, BadSingleFileAndBadOptionsAreOneLineErrors) {
  testing::TempDir dir;
  std::ofstream(dir.File("empty.wav"));
  auto r = RunAttend("features " + dir.File("empty.wav") + " ark:" + dir.File("f.ark"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_EQ(r.output.rfind("attend: error: ", 0), 0u) << r.output;
  EXPECT_NE(r.output.find(dir.File("empty.wav")), std::string::npos) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
  r = RunAttend("features --window-type triangle " + Fixture("speech.wav") +
                " ark:" + dir.File("f.ark"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("--window-type"), std::string::npos) << r.output;
  r = RunAttend("features " + Fixture("speech.wav") + " feats.ark");
  EXPECT_EQ(r.exit_code, 2) << r.output;
}

TEST(FeaturesCli, ComputeCmvnThenApplyIt) {
  testing::TempDir dir;
  std::ofstream(dir.File("wav.scp"))
      << "a " << Fixture("speech.wav") << "\nb " << Fixture("noise.wav") << "\n";
  auto r = RunAttend("features scp:" + dir.File("wav.scp") + " ark:" + dir.File("f.ark"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = RunAttend("compute-cmvn ark:" + dir.File("f.ark") + " " + dir.File("cmvn"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = RunAttend("compute-cmvn --audio scp:" + dir.File("wav.scp") + " " + dir.File("cmvn2"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  CmvnStats s1 = CmvnStats::Read(dir.File("cmvn")), s2 = CmvnStats::Read(dir.File("cmvn2"));
  EXPECT_EQ(s1.Count(), 118 + 48);
  EXPECT_EQ(s1.matrix(), s2.matrix());
  r = RunAttend("features --cmvn-stats " + dir.File("cmvn") + " scp:" + dir.File("wav.scp") +
                " ark:" + dir.File("n.ark"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  CmvnStats normalized;
  for (MatrixArchiveReader reader("ark:" + dir.File("n.ark")); !reader.Done(); reader.Next()) {
    normalized.Accumulate(reader.Value());
  }
  for (int d = 0; d < 80; ++d) EXPECT_NEAR(normalized.matrix()(0, d) / normalized.Count(), 0, 1e-3);
}

}  // namespace
}  // namespace attend::frontend
