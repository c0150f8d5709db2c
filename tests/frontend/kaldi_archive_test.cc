// Kaldi archives: exact bytes of Kaldi's binary and text formats (written by
// hand from Kaldi's io conventions, not by our writer), round trips through
// ark, ark,t and ark,scp, scp offsets, compressed matrices, specifiers.
#include "frontend/kaldi_archive.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "base/error.h"
#include "tests/test_support.h"

namespace attend::frontend {
namespace {

Matrix Sample(int rows, int cols, float base) {
  Matrix m(rows, cols);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) m(r, c) = base + r * 10.0f + c * 0.25f;
  return m;
}

TEST(KaldiArchive, BinaryBytesAreKaldis) {
  testing::TempDir dir;
  {
    MatrixArchiveWriter w("ark:" + dir.File("a.ark"));
    w.Write("utt1", Sample(2, 3, 1.0f));
    w.Close();
  }
  // "utt1 " "\0B" "FM " <4><int32 rows> <4><int32 cols> <float32 x 6>
  std::string expected = "utt1 ";
  expected += std::string("\0B", 2) + "FM ";
  auto put_int = [&](int32_t v) {
    expected += '\4';
    expected.append(reinterpret_cast<const char*>(&v), 4);
  };
  put_int(2);
  put_int(3);
  const Matrix m = Sample(2, 3, 1.0f);
  expected.append(reinterpret_cast<const char*>(m.data()), 24);
  EXPECT_EQ(testing::ReadFileBytes(dir.File("a.ark")), expected);
}

TEST(KaldiArchive, TextBytesAreKaldis) {
  testing::TempDir dir;
  {
    MatrixArchiveWriter w("ark,t:" + dir.File("a.txt"));
    Matrix m(2, 2);
    m(0, 0) = 1;
    m(0, 1) = -2.5f;
    m(1, 0) = 0.125f;
    m(1, 1) = 3;
    w.Write("utt1", m);
    w.Write("empty", Matrix());
  }
  EXPECT_EQ(testing::ReadFileBytes(dir.File("a.txt")),
            "utt1  [\n  1 -2.5 \n  0.125 3 ]\nempty  [ ]\n");
}

TEST(KaldiArchive, RoundTripsThroughEveryForm) {
  testing::TempDir dir;
  const Matrix a = Sample(5, 80, -3.3f), b = Sample(1, 80, 7.7f), c = Sample(0, 0, 0);
  for (const std::string& wspec : {"ark:" + dir.File("x.ark"), "ark,t:" + dir.File("x.txt"),
                                   "ark,scp:" + dir.File("y.ark") + "," + dir.File("y.scp")}) {
    SCOPED_TRACE(wspec);
    {
      MatrixArchiveWriter w(wspec);
      w.Write("a", a);
      w.Write("b", b);
      w.Write("c", c);
    }
    const TableSpecifier spec = ParseTableSpecifier(wspec, true);
    std::vector<std::string> rspecs = {"ark:" + spec.ark_path};
    if (!spec.scp_path.empty()) rspecs.push_back("scp:" + spec.scp_path);
    for (const std::string& rspec : rspecs) {
      SCOPED_TRACE(rspec);
      MatrixArchiveReader r(rspec);
      ASSERT_FALSE(r.Done());
      EXPECT_EQ(r.Key(), "a");
      EXPECT_EQ(r.Value(), a);  // text uses max_digits10: lossless
      r.Next();
      ASSERT_FALSE(r.Done());
      EXPECT_EQ(r.Key(), "b");
      EXPECT_EQ(r.Value(), b);
      r.Next();
      ASSERT_FALSE(r.Done());
      EXPECT_EQ(r.Key(), "c");
      EXPECT_EQ(r.Value().rows(), 0);
      r.Next();
      EXPECT_TRUE(r.Done());
    }
  }
  // scp offsets point just past "key ", as Kaldi's do.
  std::ifstream scp(dir.File("y.scp"));
  std::string key, target;
  scp >> key >> target;
  EXPECT_EQ(target, dir.File("y.ark") + ":2");
}

TEST(KaldiArchive, ReadsCompressedMatrices) {
  // CM2 (two bytes per value): header {min, range, rows, cols} then uint16s.
  std::string blob = std::string("\0B", 2) + "CM2 ";
  struct {
    float min_value = -1.0f, range = 2.0f;
    int32_t rows = 1, cols = 3;
  } h;
  blob.append(reinterpret_cast<const char*>(&h), sizeof(h));
  const uint16_t v[3] = {0, 65535, 32768};
  blob.append(reinterpret_cast<const char*>(v), sizeof(v));
  std::istringstream in(blob);
  Matrix m;
  ReadKaldiMatrix(in, "cm2", &m);
  ASSERT_EQ(m.rows(), 1);
  ASSERT_EQ(m.cols(), 3);
  EXPECT_FLOAT_EQ(m(0, 0), -1.0f);
  EXPECT_NEAR(m(0, 1), 1.0f, 1e-6);
  EXPECT_NEAR(m(0, 2), 0.0f, 1e-4);

  // CM (one byte per value with per-column percentile headers), column-major.
  blob = std::string("\0B", 2) + "CM ";
  h.rows = 3;
  h.cols = 1;
  h.min_value = 0.0f;
  h.range = 65535.0f;  // so percentile codes map to their own value
  blob.append(reinterpret_cast<const char*>(&h), sizeof(h));
  const uint16_t percentiles[4] = {0, 64, 192, 255};
  blob.append(reinterpret_cast<const char*>(percentiles), sizeof(percentiles));
  const uint8_t bytes[3] = {0, 64, 255};  // -> p0, p25, p100
  blob.append(reinterpret_cast<const char*>(bytes), sizeof(bytes));
  std::istringstream in2(blob);
  ReadKaldiMatrix(in2, "cm", &m);
  ASSERT_EQ(m.rows(), 3);
  EXPECT_NEAR(m(0, 0), 0.0f, 1e-3);
  EXPECT_NEAR(m(1, 0), 64.0f, 1e-3);
  EXPECT_NEAR(m(2, 0), 255.0f, 1e-3);
}

// A corrupt header announcing gigabytes over a few bytes of data fails as
// truncated before anything that size is allocated.
TEST(KaldiArchive, HugeHeaderOverTruncatedDataFails) {
  testing::TempDir dir;
  const int32_t huge = 0x7fffffff, two = 2;
  for (const std::string token : {"FM ", "DM ", "CM ", "CM2 ", "CM3 "}) {
    std::string bytes = "utt1 " + std::string("\0B", 2) + token;
    if (token == "FM " || token == "DM ") {
      bytes += '\4' + std::string(reinterpret_cast<const char*>(&huge), 4) + '\4' +
               std::string(reinterpret_cast<const char*>(&two), 4);
    } else {
      const float min_range[2] = {0.0f, 1.0f};
      bytes += std::string(reinterpret_cast<const char*>(min_range), 8) +
               std::string(reinterpret_cast<const char*>(&huge), 4) +
               std::string(reinterpret_cast<const char*>(&two), 4);
    }
    bytes += std::string(64, '\1');
    std::ofstream(dir.File("huge.ark"), std::ios::binary) << bytes;
    try {
      MatrixArchiveReader r("ark:" + dir.File("huge.ark"));
      FAIL() << token << ": no error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
    }
  }
}

TEST(KaldiArchive, SpecifiersAndErrors) {
  EXPECT_TRUE(IsTableSpecifier("ark,t:-"));
  EXPECT_TRUE(IsTableSpecifier("scp:wav.scp"));
  EXPECT_FALSE(IsTableSpecifier("a.wav"));
  EXPECT_FALSE(IsTableSpecifier("C:dir"));
  TableSpecifier s = ParseTableSpecifier("ark,scp,t:a.ark,a.scp", true);
  EXPECT_TRUE(s.text);
  EXPECT_EQ(s.ark_path, "a.ark");
  EXPECT_EQ(s.scp_path, "a.scp");
  EXPECT_THROW(ParseTableSpecifier("ark,scp:a.ark", true), Error);
  EXPECT_THROW(ParseTableSpecifier("ark,scp:-,a.scp", true), Error);
  EXPECT_THROW(ParseTableSpecifier("scp:a.scp", true), Error);
  EXPECT_THROW(ParseTableSpecifier("ark,zz:a", false), Error);
  testing::TempDir dir;
  std::ofstream(dir.File("bad.ark")) << "utt1 garbage";
  EXPECT_THROW(MatrixArchiveReader("ark:" + dir.File("bad.ark")), Error);
  std::ofstream(dir.File("bad.scp")) << "utt1 " << dir.File("missing.ark") << ":10\n";
  try {
    MatrixArchiveReader r("scp:" + dir.File("bad.scp"));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("missing.ark"), std::string::npos) << e.what();
  }
  // p (permissive): unreadable entries are skipped.
  MatrixArchiveReader r("scp,p:" + dir.File("bad.scp"));
  EXPECT_TRUE(r.Done());
}

}  // namespace
}  // namespace attend::frontend
