#include "decoder/error_rate.h"

#include <algorithm>
#include <cctype>
#include <limits>
#include <sstream>

#include "decoder/vocabulary.h"

namespace attend::decoder {

double ErrorCounts::Rate() const {
  if (reference == 0) return errors() == 0 ? 0.0 : std::numeric_limits<double>::infinity();
  return 100.0 * static_cast<double>(errors()) / static_cast<double>(reference);
}

ErrorCounts& ErrorCounts::operator+=(const ErrorCounts& o) {
  reference += o.reference;
  correct += o.correct;
  substitutions += o.substitutions;
  deletions += o.deletions;
  insertions += o.insertions;
  return *this;
}

ErrorCounts Align(const std::vector<std::string>& ref, const std::vector<std::string>& hyp,
                  std::vector<AlignedPair>* alignment) {
  const size_t R = ref.size(), H = hyp.size();
  // cost[i][j]: edits to turn ref[0, i) into hyp[0, j).
  std::vector<int64_t> cost((R + 1) * (H + 1));
  auto at = [&](size_t i, size_t j) -> int64_t& { return cost[i * (H + 1) + j]; };
  for (size_t i = 0; i <= R; ++i) at(i, 0) = static_cast<int64_t>(i);
  for (size_t j = 0; j <= H; ++j) at(0, j) = static_cast<int64_t>(j);
  for (size_t i = 1; i <= R; ++i)
    for (size_t j = 1; j <= H; ++j)
      at(i, j) = std::min({at(i - 1, j - 1) + (ref[i - 1] == hyp[j - 1] ? 0 : 1), at(i - 1, j) + 1,
                           at(i, j - 1) + 1});
  ErrorCounts counts;
  counts.reference = static_cast<int64_t>(R);
  std::vector<AlignedPair> pairs;
  size_t i = R, j = H;
  while (i > 0 || j > 0) {
    if (i > 0 && j > 0 && at(i, j) == at(i - 1, j - 1) + (ref[i - 1] == hyp[j - 1] ? 0 : 1)) {
      bool same = ref[i - 1] == hyp[j - 1];
      (same ? counts.correct : counts.substitutions)++;
      pairs.push_back({ref[i - 1], hyp[j - 1], same ? 'C' : 'S'});
      --i;
      --j;
    } else if (i > 0 && at(i, j) == at(i - 1, j) + 1) {
      counts.deletions++;
      pairs.push_back({ref[i - 1], "", 'D'});
      --i;
    } else {
      counts.insertions++;
      pairs.push_back({"", hyp[j - 1], 'I'});
      --j;
    }
  }
  if (alignment != nullptr) {
    std::reverse(pairs.begin(), pairs.end());
    *alignment = std::move(pairs);
  }
  return counts;
}

std::vector<std::string> SplitWords(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  std::string w;
  while (in >> w) words.push_back(w);
  return words;
}

std::vector<std::string> SplitCharacters(const std::string& text) {
  std::vector<std::string> chars;
  for (int32_t cp : DecodeUtf8(text))
    if (!(cp < 128 && std::isspace(cp))) chars.push_back(EncodeUtf8(cp));
  return chars;
}

}  // namespace attend::decoder
