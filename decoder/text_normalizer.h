// The one text normalizer used everywhere text meets the model: building the
// vocabulary, encoding training targets, and scoring references. Keeping it in
// one place is what makes a WER honest (training and scoring see the same text).
//
// Steps, in order: digits (spelled out in English, kept, or removed), case
// (lowercase), punctuation (removed except apostrophes inside words, or kept),
// whitespace (runs collapsed to one space, trimmed). Text is UTF-8; only ASCII
// letters change case, other code points pass through untouched.
#pragma once

#include <string>

#include <boost/program_options/options_description.hpp>

namespace attend::decoder {

struct TextNormalizerOptions {
  bool lowercase = true;          // map A-Z to a-z
  bool keep_punctuation = false;  // false: drop ASCII punctuation except in-word apostrophes
  std::string digits = "spell";   // "spell" (42 -> forty two), "keep", or "remove"

  void Register(boost::program_options::options_description* desc);
  // Throws attend::Error naming --text-digits when `digits` is unknown.
  void Validate() const;
  std::string ToString() const;
};

class TextNormalizer {
 public:
  explicit TextNormalizer(const TextNormalizerOptions& options = {});

  // The normalized form of `text` (UTF-8 in, UTF-8 out).
  std::string Normalize(const std::string& text) const;

 private:
  TextNormalizerOptions options_;
};

// English words for a non-negative integer given as a digit string
// ("1905" -> "one thousand nine hundred five"); digit by digit beyond 10^15.
std::string SpellNumber(const std::string& digits);

}  // namespace attend::decoder
