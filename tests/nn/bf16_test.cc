#include "nn/bf16.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace attend::nn {
namespace {

uint32_t Bits(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  return bits;
}

float FromBits(uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, sizeof(value));
  return value;
}

TEST(Bf16, RoundsToNearestEven) {
  EXPECT_EQ(FloatToBf16(1.0f), 0x3f80);
  EXPECT_EQ(FloatToBf16(FromBits(0x3f808000u)), 0x3f80);  // tie, even stays
  EXPECT_EQ(FloatToBf16(FromBits(0x3f818000u)), 0x3f82);  // tie, odd rounds up
  EXPECT_EQ(FloatToBf16(FromBits(0x3f808001u)), 0x3f81);  // above the tie
  EXPECT_EQ(FloatToBf16(-2.0f), 0xc000);
  EXPECT_EQ(FloatToBf16(std::numeric_limits<float>::infinity()), 0x7f80);
  EXPECT_EQ(FloatToBf16(std::numeric_limits<float>::max()), 0x7f80);  // rounds to inf
  EXPECT_EQ(FloatToBf16(FromBits(0x00012345u)), 0x0001);              // denormals kept
  const bf16_t nan = FloatToBf16(FromBits(0x7f800001u));              // a NaN stays a (quiet) NaN
  EXPECT_TRUE(std::isnan(Bf16ToFloat(nan)));
  EXPECT_EQ(Bf16ToFloat(0x3f80), 1.0f);
}

// The array versions (vectorized) agree bit for bit with the scalar ones.
TEST(Bf16, ArraysMatchScalars) {
  std::vector<float> values;
  for (uint32_t bits = 0; bits < 0xffffffffu - 0x10000u; bits += 0x10001u * 37u)
    values.push_back(FromBits(bits));
  values.push_back(std::numeric_limits<float>::quiet_NaN());
  values.push_back(-std::numeric_limits<float>::infinity());
  std::vector<bf16_t> halves(values.size());
  FloatToBf16(values.data(), halves.data(), static_cast<int64_t>(values.size()));
  std::vector<float> back(values.size());
  Bf16ToFloat(halves.data(), back.data(), static_cast<int64_t>(values.size()));
  for (size_t i = 0; i < values.size(); ++i) {
    ASSERT_EQ(halves[i], FloatToBf16(values[i])) << "bits " << std::hex << Bits(values[i]);
    ASSERT_EQ(Bits(back[i]), Bits(Bf16ToFloat(halves[i])));
  }
}

}  // namespace
}  // namespace attend::nn
