// One decoding result (STYLE 14). Scores are natural-log; the parts are kept
// so a user can see why a hypothesis won:
//   score = (1 - ctc_weight)·attention_score + ctc_weight·ctc_score
//         + lm_weight·lm_score + length_penalty·(tokens + 1)
// and, with length normalization, divided by (tokens + 1). The "+ 1" is the
// end-of-sentence token: its log-probability is part of every score and it
// counts as one token, so an empty hypothesis still has length 1.
#pragma once

#include <vector>

#include "nn/tensor.h"

namespace attend::decoder {

struct Hypothesis {
  std::vector<int> tokens;    // output tokens, without <sos> and <eos>
  float score = 0;            // the ranking score above
  float attention_score = 0;  // Σ ln P_att(token) including <eos>
  float ctc_score = 0;        // ln P_ctc(prefix), the CTC prefix probability of tokens + <eos>
  float lm_score = 0;         // Σ ln P_lm(token) including <eos>
  // ln P_att and ln P_lm of each token, then of <eos> (they sum to
  // attention_score and lm_score).
  std::vector<float> token_attention_scores;
  std::vector<float> token_lm_scores;
  // [tokens + 1, T'] attention weights that produced each token and the
  // final <eos>; empty when the search was asked not to keep them.
  nn::Tensor attention;
  // [heads, tokens + 1, T'] each head's weights (`attention` is their mean),
  // when asked for and the decoder has more than one head; else empty.
  nn::Tensor head_attention;
};

}  // namespace attend::decoder
