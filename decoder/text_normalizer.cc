#include "decoder/text_normalizer.h"

#include <boost/program_options.hpp>
#include <cctype>
#include <sstream>

#include "base/error.h"

namespace attend::decoder {

namespace po = boost::program_options;

void TextNormalizerOptions::Register(po::options_description* desc) {
  desc->add_options()("text-lowercase", po::value(&lowercase)->default_value(lowercase),
                      "map A-Z to a-z before tokenizing")(
      "text-keep-punctuation", po::value(&keep_punctuation)->default_value(keep_punctuation),
      "keep ASCII punctuation (false: drop it, except apostrophes inside words)")(
      "text-digits", po::value(&digits)->default_value(digits),
      "digits: spell (42 -> forty two), keep, or remove");
}

void TextNormalizerOptions::Validate() const {
  ATTEND_CHECK(digits == "spell" || digits == "keep" || digits == "remove",
               "--text-digits must be spell, keep or remove, got '", digits, "'");
}

std::string TextNormalizerOptions::ToString() const {
  std::ostringstream out;
  out << "text-lowercase=" << lowercase << " text-keep-punctuation=" << keep_punctuation
      << " text-digits=" << digits;
  return out.str();
}

namespace {

const char* const kOnes[] = {"zero",    "one",     "two",       "three",    "four",
                             "five",    "six",     "seven",     "eight",    "nine",
                             "ten",     "eleven",  "twelve",    "thirteen", "fourteen",
                             "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"};
const char* const kTens[] = {"",      "",      "twenty",  "thirty", "forty",
                             "fifty", "sixty", "seventy", "eighty", "ninety"};
const char* const kScales[] = {"", "thousand", "million", "billion", "trillion"};

// Words for 1..999 appended to `out` (space separated).
void SpellBelowThousand(int n, std::string* out) {
  auto add = [out](const char* word) {
    if (!out->empty()) *out += ' ';
    *out += word;
  };
  if (n >= 100) {
    add(kOnes[n / 100]);
    add("hundred");
    n %= 100;
  }
  if (n >= 20) {
    add(kTens[n / 10]);
    n %= 10;
    if (n > 0) add(kOnes[n]);
  } else if (n > 0) {
    add(kOnes[n]);
  }
}

}  // namespace

std::string SpellNumber(const std::string& digits) {
  size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) return "zero";
  std::string d = digits.substr(first);
  std::string out;
  if (d.size() > 15) {  // too long to read as a number: digit by digit
    for (char c : digits) {
      if (!out.empty()) out += ' ';
      out += kOnes[c - '0'];
    }
    return out;
  }
  int groups = static_cast<int>((d.size() + 2) / 3);
  size_t pos = 0;
  for (int g = groups - 1; g >= 0; --g) {
    size_t len = d.size() - pos - 3 * static_cast<size_t>(g);
    int value = std::stoi(d.substr(pos, len));
    pos += len;
    if (value == 0) continue;
    SpellBelowThousand(value, &out);
    if (g > 0) out += std::string(" ") + kScales[g];
  }
  return out;
}

TextNormalizer::TextNormalizer(const TextNormalizerOptions& options) : options_(options) {
  options_.Validate();
}

std::string TextNormalizer::Normalize(const std::string& text) const {
  // Pass 1: digits and case, punctuation to spaces.
  std::string s;
  s.reserve(text.size() * 2);
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (std::isdigit(c)) {
      size_t j = i;
      while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j]))) ++j;
      if (options_.digits == "spell") {
        s += ' ' + SpellNumber(text.substr(i, j - i)) + ' ';
      } else if (options_.digits == "keep") {
        s += text.substr(i, j - i);
      } else {
        s += ' ';
      }
      i = j - 1;
      continue;
    }
    if (c < 0x80 && std::isspace(c)) {
      s += ' ';
    } else if (c < 0x80 && std::ispunct(c) && !options_.keep_punctuation) {
      // An apostrophe between two letters is part of the word (don't, o'clock).
      bool in_word = c == '\'' && i > 0 && i + 1 < text.size() &&
                     std::isalpha(static_cast<unsigned char>(text[i - 1])) &&
                     std::isalpha(static_cast<unsigned char>(text[i + 1]));
      s += in_word ? '\'' : ' ';
    } else if (options_.lowercase && c < 0x80) {
      s += static_cast<char>(std::tolower(c));
    } else {
      s += static_cast<char>(c);
    }
  }
  // Pass 2: collapse whitespace.
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == ' ') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace attend::decoder
