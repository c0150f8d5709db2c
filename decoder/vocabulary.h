// The token inventory: characters (Unicode code points) built from normalized
// training text, plus three special tokens at fixed ids:
//   0 <blank>    the CTC blank (never emitted by the attention decoder)
//   1 <unk>      any character not seen when the vocabulary was built
//   2 <sos/eos>  start of the decoder's input and end of its output
// The space between words is a token of its own, written "<space>" in lists.
// The vocabulary lives inside the model file as the tensor "vocabulary.code_points"
// (one float per token: the code point, or -1/-2/-3 for the specials; every
// code point ≤ 0x10FFFF is exact in float32).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nn/model_file.h"

namespace attend::decoder {

class Vocabulary {
 public:
  static constexpr int kBlank = 0;
  static constexpr int kUnk = 1;
  static constexpr int kSosEos = 2;
  static constexpr int kNumSpecial = 3;

  // Only the special tokens.
  Vocabulary();

  // Every code point in `texts` (already normalized), in code-point order after
  // the specials. Throws attend::Error on invalid UTF-8 (naming the text index).
  static Vocabulary FromTexts(const std::vector<std::string>& texts);

  int size() const { return static_cast<int>(code_points_.size()); }
  // "<blank>", "<unk>", "<sos/eos>", "<space>" or the UTF-8 character.
  std::string Token(int id) const;
  // The id of a token written as Token() writes it; kUnk when unknown.
  int Id(const std::string& token) const;

  // UTF-8 text -> ids (unknown characters -> kUnk; no <sos/eos> added).
  std::vector<int> Encode(const std::string& text) const;
  // Ids -> UTF-8 text; specials are skipped.
  std::string Decode(const std::vector<int>& ids) const;

  // Adds/reads the tensor "vocabulary.code_points"; Load throws attend::Error
  // naming `file` when it is missing or malformed.
  void Save(nn::ModelFile* model) const;
  static Vocabulary Load(const nn::ModelFile& model, const std::string& file = "");

 private:
  int IdOfCodePoint(int32_t cp) const;
  std::vector<int32_t> code_points_;  // by id; negative for the specials
};

// Splits UTF-8 into code points; throws attend::Error on malformed input.
std::vector<int32_t> DecodeUtf8(const std::string& text);
std::string EncodeUtf8(int32_t code_point);

}  // namespace attend::decoder
