#include "base/crc32.h"

#include <gtest/gtest.h>

#include <string>

namespace attend {
namespace {

TEST(Crc32, MatchesTheStandardCheckValue) {
  // The catalogue check value of CRC-32/ISO-HDLC (zlib's crc32).
  const std::string s = "123456789";
  EXPECT_EQ(Crc32(s.data(), s.size()), 0xCBF43926u);
  EXPECT_EQ(Crc32(nullptr, 0), 0u);
}

TEST(Crc32, ContinuesAcrossPieces) {
  const std::string s = "the quick brown fox";
  uint32_t whole = Crc32(s.data(), s.size());
  uint32_t first = Crc32(s.data(), 7);
  EXPECT_EQ(Crc32(s.data() + 7, s.size() - 7, first), whole);
}

}  // namespace
}  // namespace attend
