#include "decoder/lm_sum.h"

#include "base/error.h"

namespace attend::decoder {

LmSum::LmSum(const LanguageModel* first, float first_weight, const LanguageModel* second,
             float second_weight)
    : first_(first), second_(second), first_weight_(first_weight), second_weight_(second_weight) {
  ATTEND_ASSERT(first != nullptr && second != nullptr, "LmSum needs two models");
}

LmState LmSum::Join(const LmState& first, const LmState& second) {
  LmState state = {static_cast<int>(first.size())};
  state.insert(state.end(), first.begin(), first.end());
  state.insert(state.end(), second.begin(), second.end());
  return state;
}

void LmSum::Split(const LmState& state, LmState* first, LmState* second) {
  const auto middle = state.begin() + 1 + state[0];
  first->assign(state.begin() + 1, middle);
  second->assign(middle, state.end());
}

LmState LmSum::Start() const { return Join(first_->Start(), second_->Start()); }

float LmSum::Score(const LmState& state, int token, LmState* next) const {
  LmState first, second, first_next, second_next;
  Split(state, &first, &second);
  const bool want_next = next != nullptr;
  const float score =
      first_weight_ * first_->Score(first, token, want_next ? &first_next : nullptr) +
      second_weight_ * second_->Score(second, token, want_next ? &second_next : nullptr);
  if (want_next) *next = Join(first_next, second_next);
  return score;
}

void LmSum::ScoreAll(const LmState& state, int vocab_size, float* scores) const {
  LmState first, second;
  Split(state, &first, &second);
  std::vector<float> second_scores(vocab_size);
  first_->ScoreAll(first, vocab_size, scores);
  second_->ScoreAll(second, vocab_size, second_scores.data());
  for (int token = 0; token < vocab_size; ++token)
    scores[token] = first_weight_ * scores[token] + second_weight_ * second_scores[token];
}

}  // namespace attend::decoder
