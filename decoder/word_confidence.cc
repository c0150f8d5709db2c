#include "decoder/word_confidence.h"

#include <algorithm>
#include <cmath>

#include "base/error.h"
#include "decoder/error_rate.h"

namespace attend::decoder {
namespace {

constexpr double kMinProbability = 1e-4;

double Clipped(double p) { return std::clamp(p, kMinProbability, 1 - kMinProbability); }
float Logit(double p) { return static_cast<float>(std::log(Clipped(p) / (1 - Clipped(p)))); }
float Log(double p) { return static_cast<float>(std::log(Clipped(p))); }

// Mean over the word's tokens of the attention mass within its frames ±1.
float AttentionInSpan(const std::vector<TokenSpan>& spans, const WordSpan& w,
                      const nn::Tensor& attention) {
  if (attention.rank() != 2 || attention.dim(0) < w.end_token || w.end_token <= w.first_token)
    return 0;
  const int64_t frames = attention.dim(1);
  const int64_t begin = std::max<int64_t>(0, spans[w.first_token].start_frame - 1);
  const int64_t end = std::min(frames, spans[w.end_token - 1].end_frame + 1);
  double sum = 0;
  for (int i = w.first_token; i < w.end_token; ++i) {
    const float* row = attention.data() + i * frames;
    for (int64_t t = begin; t < end; ++t) sum += row[t];
  }
  return static_cast<float>(sum / (w.end_token - w.first_token));
}

// Over the word's tokens and the one after it: the lowest and mean of
// `scores` (clipped below at ln 1e-4), and their sum; zeros when the scores
// are missing.
struct TokenScores {
  float min = 0, mean = 0, sum = 0;
};
TokenScores OverWord(const std::vector<float>& scores, const WordSpan& w) {
  TokenScores out;
  const int end = w.end_token + 1;
  if (static_cast<int>(scores.size()) < end || end <= w.first_token) return out;
  const float floor = static_cast<float>(std::log(kMinProbability));
  for (int i = w.first_token; i < end; ++i) {
    const float x = std::max(scores[i], floor);
    out.min = std::min(out.min, x);
    out.mean += x;
    out.sum += scores[i];
  }
  out.mean /= static_cast<float>(end - w.first_token);
  return out;
}

// Features 9-12: the hypothesis's, the same for each of its words.
void SetHypothesisFeatures(const Hypothesis& hyp, std::vector<WordFeatures>* features) {
  if (features->empty()) return;
  double attention = 0, ctc = 0;
  for (const WordFeatures& f : *features) attention += f[7], ctc += f[2];
  const double words = static_cast<double>(features->size());
  const double tokens = static_cast<double>(hyp.tokens.size() + 1);
  for (WordFeatures& f : *features) {
    f[9] = static_cast<float>(attention / words);
    f[10] = static_cast<float>(ctc / words);
    f[11] = static_cast<float>(hyp.attention_score / tokens);
    f[12] = static_cast<float>(hyp.ctc_score / tokens);
  }
}

}  // namespace

const std::array<const char*, kWordConfidenceFeatures>& WordFeatureNames() {
  static const std::array<const char*, kWordConfidenceFeatures> names = {"nbest_posterior",
                                                                         "ctc_min",
                                                                         "ctc_mean",
                                                                         "tokens",
                                                                         "hypothesis",
                                                                         "attention_in_span",
                                                                         "attention_min",
                                                                         "attention_mean",
                                                                         "lm",
                                                                         "utterance_attention",
                                                                         "utterance_ctc",
                                                                         "attention_per_token",
                                                                         "ctc_per_token"};
  return names;
}

std::vector<double> NbestPosteriors(const std::vector<float>& scores, float scale) {
  if (scores.empty()) return {};
  const float best = *std::max_element(scores.begin(), scores.end());
  std::vector<double> p(scores.size());
  double sum = 0;
  for (size_t i = 0; i < scores.size(); ++i)
    sum += p[i] = std::exp(static_cast<double>(scale) * (static_cast<double>(scores[i]) - best));
  for (double& x : p) x /= sum;
  return p;
}

std::vector<double> NbestWordPosteriors(const std::vector<std::vector<std::string>>& words,
                                        const std::vector<double>& posteriors, size_t target) {
  ATTEND_ASSERT(words.size() == posteriors.size() && target < words.size(), "n-best of ",
                words.size(), " word lists and ", posteriors.size(), " posteriors");
  const std::vector<std::string>& ref = words[target];
  std::vector<double> vote(ref.size(), 0.0);
  std::vector<AlignedPair> alignment;
  for (size_t h = 0; h < words.size(); ++h) {
    Align(ref, words[h], &alignment);
    size_t i = 0;  // the position in ref
    for (const AlignedPair& pair : alignment) {
      if (pair.op == 'I') continue;
      if (pair.op == 'C') vote[i] += posteriors[h];
      ++i;
    }
  }
  return vote;
}

std::vector<WordFeatures> ComputeWordFeatures(const Hypothesis& hyp,
                                              const std::vector<TokenSpan>& spans,
                                              const std::vector<WordSpan>& words,
                                              const std::vector<double>& word_posteriors,
                                              double hypothesis_posterior) {
  ATTEND_ASSERT(words.size() == word_posteriors.size(), words.size(), " words and ",
                word_posteriors.size(), " posteriors");
  std::vector<WordFeatures> features(words.size());
  for (size_t w = 0; w < words.size(); ++w) {
    const WordSpan& word = words[w];
    double lowest = 1, sum = 0;
    for (int i = word.first_token; i < word.end_token; ++i) {
      lowest = std::min<double>(lowest, spans[i].confidence);
      sum += spans[i].confidence;
    }
    const int tokens = std::max(1, word.end_token - word.first_token);
    const TokenScores att = OverWord(hyp.token_attention_scores, word);
    features[w] = {Logit(word_posteriors[w]),
                   Log(lowest),
                   Log(sum / tokens),
                   static_cast<float>(std::log(tokens)),
                   Logit(hypothesis_posterior),
                   AttentionInSpan(spans, word, hyp.attention),
                   att.min,
                   att.mean,
                   OverWord(hyp.token_lm_scores, word).sum};
  }
  SetHypothesisFeatures(hyp, &features);
  return features;
}

float ConfidenceCalibration::Probability(const WordFeatures& f) const {
  double z = weights[0];
  for (int i = 0; i < kWordConfidenceFeatures; ++i) z += weights[i + 1] * f[i];
  return static_cast<float>(1 / (1 + std::exp(-z)));
}

void ConfidenceCalibration::Validate() const {
  ATTEND_CHECK(weights.empty() || weights.size() == kWordConfidenceFeatures + 1,
               "--confidence-weights needs ", kWordConfidenceFeatures + 1,
               " numbers (bias, then one per feature), got ", weights.size());
  for (float w : weights)
    ATTEND_CHECK(std::isfinite(w), "--confidence-weights must be finite numbers, got ", w);
  ATTEND_CHECK(nbest_scale > 0 && std::isfinite(nbest_scale),
               "--confidence-nbest-scale must be > 0, got ", nbest_scale);
}

}  // namespace attend::decoder
