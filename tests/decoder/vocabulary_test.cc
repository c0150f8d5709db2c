#include "decoder/vocabulary.h"

#include <gtest/gtest.h>

#include "base/error.h"
#include "decoder/text_normalizer.h"

namespace attend::decoder {
namespace {

TEST(TextNormalizer, LowercasesDropsPunctuationAndSpellsDigits) {
  TextNormalizer norm;
  EXPECT_EQ(norm.Normalize("  Hello,   World! "), "hello world");
  EXPECT_EQ(norm.Normalize("Don't stop."), "don't stop");
  EXPECT_EQ(norm.Normalize("'quoted'"), "quoted");
  EXPECT_EQ(norm.Normalize("I have 42 cats"), "i have forty two cats");
  EXPECT_EQ(norm.Normalize("in 1905"), "in one thousand nine hundred five");
  EXPECT_EQ(norm.Normalize("Ünïcode Stays"), "Ünïcode stays");
}

TEST(TextNormalizer, DigitModes) {
  TextNormalizerOptions keep;
  keep.digits = "keep";
  EXPECT_EQ(TextNormalizer(keep).Normalize("Room 101."), "room 101");
  TextNormalizerOptions remove;
  remove.digits = "remove";
  EXPECT_EQ(TextNormalizer(remove).Normalize("Room 101."), "room");
  TextNormalizerOptions bad;
  bad.digits = "roman";
  EXPECT_THROW(TextNormalizer{bad}, Error);
}

TEST(SpellNumber, CoversScales) {
  EXPECT_EQ(SpellNumber("0"), "zero");
  EXPECT_EQ(SpellNumber("007"), "seven");
  EXPECT_EQ(SpellNumber("19"), "nineteen");
  EXPECT_EQ(SpellNumber("100"), "one hundred");
  EXPECT_EQ(SpellNumber("2000001"), "two million one");
  EXPECT_EQ(SpellNumber("1234567"),
            "one million two hundred thirty four thousand five hundred sixty seven");
}

TEST(Vocabulary, SpecialsComeFirstAndCharactersAreSorted) {
  Vocabulary v = Vocabulary::FromTexts({"ba c", "é"});
  ASSERT_EQ(v.size(), 3 + 5);  // specials + ' ', a, b, c, é
  EXPECT_EQ(v.Token(0), "<blank>");
  EXPECT_EQ(v.Token(1), "<unk>");
  EXPECT_EQ(v.Token(2), "<sos/eos>");
  EXPECT_EQ(v.Token(3), "<space>");
  EXPECT_EQ(v.Token(4), "a");
  EXPECT_EQ(v.Token(7), "é");
  EXPECT_EQ(v.Id("<space>"), 3);
  EXPECT_EQ(v.Id("c"), 6);
  EXPECT_EQ(v.Id("z"), Vocabulary::kUnk);
}

TEST(Vocabulary, EncodeDecodeRoundTripAndUnknowns) {
  Vocabulary v = Vocabulary::FromTexts({"hello world"});
  std::vector<int> ids = v.Encode("hello world");
  EXPECT_EQ(ids.size(), 11u);
  EXPECT_EQ(v.Decode(ids), "hello world");
  std::vector<int> unk = v.Encode("hex");
  EXPECT_EQ(unk[2], Vocabulary::kUnk);
  EXPECT_EQ(v.Decode(unk), "he");  // specials are skipped
  EXPECT_THROW(v.Encode("bad \xff byte"), Error);
  EXPECT_THROW(v.Encode("cut \xc3"), Error);
}

TEST(Vocabulary, SavesIntoAndLoadsFromTheModelFile) {
  Vocabulary v = Vocabulary::FromTexts({"añb 𝄞"});
  nn::ModelFile model;
  v.Save(&model);
  nn::ModelFile parsed = nn::ModelFile::Parse(model.Serialize(), "memory");
  Vocabulary w = Vocabulary::Load(parsed, "memory");
  ASSERT_EQ(w.size(), v.size());
  for (int i = 0; i < v.size(); ++i) EXPECT_EQ(w.Token(i), v.Token(i));
  // A corrupted entry is refused with the file named.
  parsed.tensors["vocabulary.code_points"][4] = -7.0f;
  try {
    Vocabulary::Load(parsed, "model.bin");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("model.bin"), std::string::npos);
  }
  EXPECT_THROW(Vocabulary::Load(nn::ModelFile{}, "empty.bin"), Error);
}

}  // namespace
}  // namespace attend::decoder
