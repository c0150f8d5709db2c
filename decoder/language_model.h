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
  // ln P(token | state) for every token id in [0, vocab_size): what beam
  // search asks of each hypothesis at each step. This default scores them one
  // by one; a model that can share the work across tokens overrides it.
  virtual void ScoreAll(const LmState& state, int vocab_size, float* scores) const {
    for (int token = 0; token < vocab_size; ++token) scores[token] = Score(state, token, nullptr);
  }
};

}  // namespace attend::decoder
