// A token-level language model for shallow fusion in beam search. Its
// vocabulary is the decoder's: token ids in, natural-log probabilities out.
// The state is the history the model conditions on (for an n-gram model, the
// last n-1 tokens); search keeps one per hypothesis.
#pragma once

#include <vector>

namespace attend::decoder {

using LmState = std::vector<int>;

class LanguageModel {
 public:
  virtual ~LanguageModel() = default;
  // The state before the first token (after the sentence start).
  virtual LmState Start() const = 0;
  // ln P(token | state), and the state after it. `token` is a decoder token
  // id; the end-of-sentence id scores the sentence end.
  virtual float Score(const LmState& state, int token, LmState* next) const = 0;
};

}  // namespace attend::decoder
