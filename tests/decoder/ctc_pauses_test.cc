#include "decoder/ctc_pauses.h"

#include <gtest/gtest.h>

#include <cmath>

#include "base/error.h"

namespace attend::decoder {
namespace {

constexpr int kBlank = 0, kSpace = 3, kV = 6;

// [frames, kV] log-posteriors where frame t puts probability `peak` on ids[t].
std::vector<float> Peaked(const std::vector<int>& ids, float peak = 0.6f) {
  std::vector<float> x(ids.size() * kV);
  for (size_t t = 0; t < ids.size(); ++t)
    for (int v = 0; v < kV; ++v)
      x[t * kV + v] = std::log(v == ids[t] ? peak : (1 - peak) / (kV - 1));
  return x;
}

TEST(CtcPauses, LetterlessStretchesOfAtLeastMinFrames) {
  // frames 0-2 blank, 3 letter, 4-5 blank, 6 letter, 7-11 blank and space, 12 letter, 13-15 blank
  const std::vector<int> ids = {0, 0, 0, 4, 0, 0, 5, 0, 0, kSpace, 0, 0, 4, 0, 0, 0};
  const auto x = Peaked(ids);
  const auto pauses = CtcPauses(x.data(), 16, kV, kBlank, kSpace, 3);
  ASSERT_EQ(pauses.size(), 3u);
  EXPECT_EQ(pauses[0].start, 0);  // a leading pause
  EXPECT_EQ(pauses[0].end, 3);
  EXPECT_EQ(pauses[1].start, 7);  // the word separator does not end a pause
  EXPECT_EQ(pauses[1].end, 12);
  EXPECT_EQ(pauses[2].start, 13);  // a trailing pause, closed by the end
  EXPECT_EQ(pauses[2].end, 16);
  // Longer runs only.
  EXPECT_EQ(CtcPauses(x.data(), 16, kV, kBlank, kSpace, 4).size(), 1u);
  // With no separator, id 3 is a letter: it splits 7-11 into two short runs.
  const auto no_space = CtcPauses(x.data(), 16, kV, kBlank, -1, 2);
  ASSERT_EQ(no_space.size(), 5u);
  EXPECT_EQ(no_space[2].end, 9);
  EXPECT_EQ(no_space[3].start, 10);
}

TEST(CtcPauses, TheMostLikelyTokenDecides) {
  // A letter at 0.4 against a blank at 0.3: greedy decoding writes the letter.
  std::vector<float> x(5 * kV, std::log(0.3f / (kV - 2)));
  for (int t = 0; t < 5; ++t) x[t * kV + kBlank] = std::log(0.3f);
  x[2 * kV + 4] = std::log(0.4f);
  const auto pauses = CtcPauses(x.data(), 5, kV, kBlank, kSpace, 2);
  ASSERT_EQ(pauses.size(), 2u);
  EXPECT_EQ(pauses[0].end, 2);
  EXPECT_EQ(pauses[1].start, 3);
  EXPECT_TRUE(CtcPauses(x.data(), 0, kV, kBlank, kSpace, 1).empty());
  EXPECT_THROW(CtcPauses(x.data(), 5, kV, kBlank, kSpace, 0), Error);
}

}  // namespace
}  // namespace attend::decoder
