// What the ARPA fuzz targets share: a small character vocabulary's token
// names and a walk that queries an LM along a few token sequences.
#pragma once

#include <string>
#include <vector>

#include "decoder/language_model.h"
#include "decoder/vocabulary.h"

namespace attend::fuzz {

inline const std::vector<std::string>& CharacterTokens() {
  static const std::vector<std::string> tokens = [] {
    const auto vocab = decoder::Vocabulary::FromTexts({"the cat sat on a mat", "xyz"});
    std::vector<std::string> t;
    for (int i = 0; i < vocab.size(); ++i) t.push_back(vocab.Token(i));
    return t;
  }();
  return tokens;
}

// From the start state, scores every token (ScoreAll) and steps on one token,
// four steps from each first token.
inline void QueryLm(const decoder::LanguageModel& lm) {
  const int v = static_cast<int>(CharacterTokens().size());
  std::vector<float> scores(v);
  for (int first = 0; first < v; ++first) {
    decoder::LmState state = lm.Start();
    for (int step = 0; step < 4; ++step) {
      lm.ScoreAll(state, v, scores.data());
      decoder::LmState next;
      lm.Score(state, (first + 3 * step) % v, &next);
      state = next;
    }
  }
}

}  // namespace attend::fuzz
