// Two language models fused at once (a character LM and a word LM, say):
// the score is the weighted sum of theirs, the state both states side by side.
#pragma once

#include <vector>

#include "decoder/language_model.h"

namespace attend::decoder {

class LmSum : public LanguageModel {
 public:
  // Neither model is owned; both must outlive this.
  LmSum(const LanguageModel* first, float first_weight, const LanguageModel* second,
        float second_weight);

  LmState Start() const override;
  float Score(const LmState& state, int token, LmState* next) const override;
  void ScoreAll(const LmState& state, int vocab_size, float* scores) const override;

 private:
  // state = [size of the first model's state, its state..., the second's...]
  static LmState Join(const LmState& first, const LmState& second);
  static void Split(const LmState& state, LmState* first, LmState* second);

  const LanguageModel* first_;
  const LanguageModel* second_;
  float first_weight_, second_weight_;
};

}  // namespace attend::decoder
