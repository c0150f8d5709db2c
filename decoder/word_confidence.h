// Word confidences from what the search knows about a hypothesis, mapped to a
// probability of the word being right by a logistic calibration fitted on a
// dev set (recipes/confidence). The features of a word:
//   0 nbest_posterior    logit of the word's posterior in the final n-best: the
//                        summed posterior of the hypotheses whose word alignment
//                        to this one puts the same word at its place (a
//                        ROVER-style vote, as a confusion network over the beam)
//   1 ctc_min            ln of its lowest token CTC posterior (the token
//                        confidence: mean posterior over the token's frames)
//   2 ctc_mean           ln of its mean token CTC posterior
//   3 tokens             ln of its token count
//   4 hypothesis         logit of the whole hypothesis's n-best posterior
//   5 attention_in_span  mean over its tokens of the attention weight inside the
//                        word's CTC frames (±1 frame): where the attention and
//                        CTC branches agree, 1; 0 without attention
//   6 attention_min      the lowest ln P_att of its tokens and the token after
//                        it (<space> or <eos>: that the word ends there)
//   7 attention_mean     their mean ln P_att
//   8 lm                 their summed ln P_lm (the word LM scores a word at its end)
// and of the whole hypothesis, which tell how well the model knows this audio
// (a word of a voice or channel it never heard is less likely right):
//   9 utterance_attention   the mean of attention_mean over its words
//  10 utterance_ctc         the mean of ctc_mean over its words
//  11 attention_per_token   its ln P_att per token (<eos> counted)
//  12 ctc_per_token         its ln P_ctc per token (<eos> counted)
// Probabilities are clipped to [1e-4, 1 - 1e-4] before logs and logits; ln P
// to >= ln 1e-4.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "decoder/hypothesis.h"
#include "decoder/timestamps.h"

namespace attend::decoder {

inline constexpr int kWordConfidenceFeatures = 13;
using WordFeatures = std::array<float, kWordConfidenceFeatures>;

// The names above, in order (for reports and the fitting script).
const std::array<const char*, kWordConfidenceFeatures>& WordFeatureNames();

// Posterior of each hypothesis: softmax of scale·score over the n-best
// (scale < 1 flattens it, as a lattice's acoustic scale does).
std::vector<double> NbestPosteriors(const std::vector<float>& scores, float scale);

// For each word of words[target]: the summed posteriors of the hypotheses
// (target included) whose Levenshtein alignment to words[target] has the same
// word in its place. posteriors[i] belongs to words[i].
std::vector<double> NbestWordPosteriors(const std::vector<std::vector<std::string>>& words,
                                        const std::vector<double>& posteriors, size_t target);

// The features of each word of `hyp`. spans: its token spans (CTC alignment
// or attention peaks) that `words` were grouped from; word_posteriors: per
// word (NbestWordPosteriors). hyp's attention and per-token scores may be
// empty (those features are then 0).
std::vector<WordFeatures> ComputeWordFeatures(const Hypothesis& hyp,
                                              const std::vector<TokenSpan>& spans,
                                              const std::vector<WordSpan>& words,
                                              const std::vector<double>& word_posteriors,
                                              double hypothesis_posterior);

// P(word right) = σ(weights[0] + Σ_i weights[i + 1]·feature_i).
struct ConfidenceCalibration {
  std::vector<float> weights;  // bias first, then one per feature; empty: no calibration
  float nbest_scale = 1.0f;    // the `scale` of NbestPosteriors

  bool enabled() const { return !weights.empty(); }
  float Probability(const WordFeatures& features) const;
  // Throws attend::Error naming --confidence-weights / --confidence-nbest-scale.
  void Validate() const;
};

}  // namespace attend::decoder
