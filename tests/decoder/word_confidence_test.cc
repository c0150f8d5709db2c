#include "decoder/word_confidence.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

namespace attend::decoder {
namespace {

TEST(NbestPosteriors, SoftmaxOfScaledScores) {
  auto p = NbestPosteriors({-1.0f, -2.0f, -4.0f}, 1.0f);
  ASSERT_EQ(p.size(), 3u);
  EXPECT_NEAR(p[0] + p[1] + p[2], 1.0, 1e-12);
  EXPECT_NEAR(p[0] / p[1], std::exp(1.0), 1e-9);
  // Scale 0.5 flattens: the ratio is e^(0.5·1).
  auto flat = NbestPosteriors({-1.0f, -2.0f}, 0.5f);
  EXPECT_NEAR(flat[0] / flat[1], std::exp(0.5), 1e-9);
  EXPECT_TRUE(NbestPosteriors({}, 1.0f).empty());
}

TEST(NbestWordPosteriors, VotesOfAlignedHypotheses) {
  // "a b c" (0.5), "a x c" (0.3: substitutes b), "a c" (0.2: deletes b),
  // "a b c d" (0: an insertion does not shift the others).
  std::vector<std::vector<std::string>> words = {
      {"a", "b", "c"}, {"a", "x", "c"}, {"a", "c"}, {"a", "b", "c", "d"}};
  auto vote = NbestWordPosteriors(words, {0.5, 0.3, 0.2, 0.0}, 0);
  ASSERT_EQ(vote.size(), 3u);
  EXPECT_NEAR(vote[0], 1.0, 1e-12);
  EXPECT_NEAR(vote[1], 0.5, 1e-12);
  EXPECT_NEAR(vote[2], 1.0, 1e-12);
  // The second hypothesis's own words: x has only its own 0.3.
  auto second = NbestWordPosteriors(words, {0.5, 0.3, 0.2, 0.0}, 1);
  EXPECT_NEAR(second[1], 0.3, 1e-12);
}

TEST(ComputeWordFeatures, FromSpansPosteriorsAndAttention) {
  // Tokens: w1 = spans 0-1 (frames 0-2), space = span 2, w2 = span 3 (frames 6-8).
  std::vector<TokenSpan> spans = {
      {5, 0, 1, 0.8f}, {6, 1, 2, 0.2f}, {1, 3, 4, 0.9f}, {7, 6, 8, 1.0f}};
  std::vector<WordSpan> words = {{"w1", 0, 2, 0.2f, 0, 2}, {"w2", 6, 8, 1.0f, 3, 4}};
  // Attention [5 rows, 10 frames]: rows 0, 1 on frame 1; row 3 half on frame 7, half on 0.
  nn::Tensor attention({5, 10});
  attention.Fill(0.0f);
  attention.data()[0 * 10 + 1] = 1.0f;
  attention.data()[1 * 10 + 1] = 1.0f;
  attention.data()[3 * 10 + 7] = 0.5f;
  attention.data()[3 * 10 + 0] = 0.5f;
  Hypothesis hyp;
  hyp.tokens = {5, 6, 1, 7};
  hyp.attention = attention;
  // Per token then <eos>: w1's tokens and the space after it, then w2 and <eos>.
  hyp.token_attention_scores = {-0.5f, -1.5f, -20.0f, -0.1f, -0.3f};
  hyp.token_lm_scores = {-1.0f, -2.0f, -3.0f, 0.0f, -0.5f};
  auto f = ComputeWordFeatures(hyp, spans, words, {0.5, 1.0}, 0.9);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_NEAR(f[0][0], 0.0f, 1e-5);                        // logit(0.5)
  EXPECT_NEAR(f[1][0], std::log(0.9999f / 1e-4f), 1e-2);   // clipped posterior 1
  EXPECT_NEAR(f[0][1], std::log(0.2f), 1e-5);              // lowest token
  EXPECT_NEAR(f[0][2], std::log(0.5f), 1e-5);              // mean token
  EXPECT_NEAR(f[0][3], std::log(2.0f), 1e-5);              // two tokens
  EXPECT_NEAR(f[0][4], std::log(0.9f / 0.1f), 1e-4);       // hypothesis posterior
  EXPECT_NEAR(f[0][5], 1.0f, 1e-6);                        // all attention in frames 0-2
  EXPECT_NEAR(f[1][5], 0.5f, 1e-6);                        // half of it in frames 5-8
  const float floor = std::log(1e-4f);                     // -20 is clipped to ln 1e-4
  EXPECT_NEAR(f[0][6], floor, 1e-4);                       // the space after w1 is its worst
  EXPECT_NEAR(f[0][7], (-0.5f - 1.5f + floor) / 3, 1e-4);  // mean over a, b, space
  EXPECT_NEAR(f[0][8], -6.0f, 1e-6);                       // LM sum over a, b, space
  EXPECT_NEAR(f[1][6], -0.3f, 1e-6);                       // w2 and <eos>
  EXPECT_NEAR(f[1][7], -0.2f, 1e-6);
  EXPECT_NEAR(f[1][8], -0.5f, 1e-6);
  // The hypothesis's: means over its words, scores per token (4 tokens + <eos>).
  hyp.attention_score = -10.0f;
  hyp.ctc_score = -5.0f;
  f = ComputeWordFeatures(hyp, spans, words, {0.5, 1.0}, 0.9);
  for (const WordFeatures& word : f) {
    EXPECT_NEAR(word[9], (f[0][7] + f[1][7]) / 2, 1e-6);
    EXPECT_NEAR(word[10], (f[0][2] + f[1][2]) / 2, 1e-6);
    EXPECT_NEAR(word[11], -2.0f, 1e-6);
    EXPECT_NEAR(word[12], -1.0f, 1e-6);
  }
  // Without attention or token scores those features are 0.
  Hypothesis bare;
  bare.tokens = hyp.tokens;
  auto g = ComputeWordFeatures(bare, spans, words, {0.5, 1.0}, 0.9);
  EXPECT_EQ(g[0][5], 0.0f);
  EXPECT_EQ(g[0][6], 0.0f);
  EXPECT_EQ(g[0][8], 0.0f);
}

TEST(ConfidenceCalibration, LogisticOverTheFeatures) {
  ConfidenceCalibration c;
  EXPECT_FALSE(c.enabled());
  c.weights = {0.5f, 1.0f, 0, 0, 0, 0, -2.0f, 0, 0, 0, 0, 0, 0, 0};
  c.Validate();
  WordFeatures f = {1.0f, 0, 0, 0, 0, 0.25f, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_NEAR(c.Probability(f), 1 / (1 + std::exp(-(0.5 + 1.0 - 0.5))), 1e-6);
  c.weights = {1.0f, 2.0f};
  EXPECT_THROW(c.Validate(), std::runtime_error);
  c.weights = {};
  c.nbest_scale = 0;
  EXPECT_THROW(c.Validate(), std::runtime_error);
}

}  // namespace
}  // namespace attend::decoder
