#include "base/text_table.h"

#include <gtest/gtest.h>

#include <sstream>

#include "base/error.h"

namespace attend {
namespace {

TEST(TextTable, KeysValuesAndEmptyValues) {
  std::istringstream in("utt1 hello  world \n\n  utt2\tsox a.mp3 -t wav - |\nutt3\n");
  auto t = ParseTextTable(in, "text");
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].key, "utt1");
  EXPECT_EQ(t[0].value, "hello  world");
  EXPECT_EQ(t[1].key, "utt2");
  EXPECT_EQ(t[1].value, "sox a.mp3 -t wav - |");
  EXPECT_EQ(t[1].line, 3);
  EXPECT_EQ(t[2].value, "");
}

TEST(TextTable, DuplicateKeyNamesLinesAndFile) {
  std::istringstream in("a x\nb y\na z\n");
  try {
    ParseTextTable(in, "data/text");
    FAIL() << "duplicate accepted";
  } catch (const Error& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("line 3"), std::string::npos) << m;
    EXPECT_NE(m.find("data/text"), std::string::npos) << m;
  }
}

TEST(TextTable, BinaryDataIsAnErrorNamingLineAndFile) {
  std::istringstream in("utt1 caf\xc3\xa9\r\nutt2 a\x1b[2Jb\n");
  try {
    ParseTextTable(in, "data/wav.scp");
    FAIL() << "binary data accepted";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "line 2 holds a control character (byte 27 at column 7): binary data, not a text "
              "table (data/wav.scp)");
  }
  std::istringstream nul(std::string("a\0b c\n", 6));
  EXPECT_THROW(ParseTextTable(nul, "text"), Error);
}

TEST(TextTable, MissingFileIsAnError) { EXPECT_THROW(ReadTextTable("/nonexistent/text"), Error); }

}  // namespace
}  // namespace attend
