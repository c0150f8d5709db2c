#include "decoder/error_rate.h"

#include <gtest/gtest.h>

#include <cmath>

namespace attend::decoder {
namespace {

ErrorCounts Words(const std::string& ref, const std::string& hyp) {
  return Align(SplitWords(ref), SplitWords(hyp), nullptr);
}

TEST(ErrorRate, HandComputedCases) {
  ErrorCounts c = Words("the cat sat on the mat", "the cat sit on mat");
  EXPECT_EQ(c.reference, 6);
  EXPECT_EQ(c.substitutions, 1);
  EXPECT_EQ(c.deletions, 1);
  EXPECT_EQ(c.insertions, 0);
  EXPECT_EQ(c.correct, 4);
  EXPECT_NEAR(c.Rate(), 100.0 * 2 / 6, 1e-9);

  c = Words("a b c", "x a b c y");  // two insertions around a perfect match
  EXPECT_EQ(c.insertions, 2);
  EXPECT_EQ(c.substitutions + c.deletions, 0);

  c = Words("a b c d", "b c d e");  // a shift: 1 deletion + 1 insertion, not 4 substitutions
  EXPECT_EQ(c.deletions, 1);
  EXPECT_EQ(c.insertions, 1);
  EXPECT_EQ(c.substitutions, 0);

  c = Words("a b c d", "d c b a");  // a reversal shares one word at most: 4 edits
  EXPECT_EQ(c.errors(), 4);
}

TEST(ErrorRate, EmptyHypothesisAndEmptyReference) {
  ErrorCounts c = Words("one two three", "");
  EXPECT_EQ(c.deletions, 3);
  EXPECT_DOUBLE_EQ(c.Rate(), 100.0);
  c = Words("", "");
  EXPECT_EQ(c.errors(), 0);
  EXPECT_DOUBLE_EQ(c.Rate(), 0.0);
  c = Words("", "surprise");
  EXPECT_EQ(c.insertions, 1);
  EXPECT_TRUE(std::isinf(c.Rate()));
  c = Words("a", "b c d e");  // WER can exceed 100%
  EXPECT_DOUBLE_EQ(c.Rate(), 400.0);
}

TEST(ErrorRate, AlignmentListsEveryOperation) {
  std::vector<AlignedPair> a;
  Align(SplitWords("the cat sat"), SplitWords("the bat sat down"), &a);
  ASSERT_EQ(a.size(), 4u);
  EXPECT_EQ(a[0].op, 'C');
  EXPECT_EQ(a[1].op, 'S');
  EXPECT_EQ(a[1].ref, "cat");
  EXPECT_EQ(a[1].hyp, "bat");
  EXPECT_EQ(a[2].op, 'C');
  EXPECT_EQ(a[3].op, 'I');
  EXPECT_EQ(a[3].hyp, "down");
}

TEST(ErrorRate, CharactersAreCodePointsWithoutSpaces) {
  EXPECT_EQ(SplitCharacters("a bé"), (std::vector<std::string>{"a", "b", "é"}));
  ErrorCounts c = Align(SplitCharacters("hello world"), SplitCharacters("helo wordl"), nullptr);
  EXPECT_EQ(c.reference, 10);
  EXPECT_EQ(c.errors(), 3);  // one deletion, and a transposition costs two
}

}  // namespace
}  // namespace attend::decoder
