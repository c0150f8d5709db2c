#include "decoder/timestamps.h"

#include <gtest/gtest.h>

#include <cmath>

#include "base/random.h"

namespace attend::decoder {
namespace {

constexpr int kBlank = 0;

// [frames, V] log-posteriors where frame t puts probability `peak` on ids[t].
std::vector<float> Peaked(const std::vector<int>& ids, int V, float peak = 0.9f) {
  std::vector<float> x(ids.size() * V);
  for (size_t t = 0; t < ids.size(); ++t)
    for (int v = 0; v < V; ++v) x[t * V + v] = std::log(v == ids[t] ? peak : (1 - peak) / (V - 1));
  return x;
}

TEST(CtcAlign, FindsTheFramesOfEachToken) {
  // frames: _ a a _ b _ _ c
  const int V = 5;
  auto x = Peaked({0, 2, 2, 0, 3, 0, 0, 4}, V);
  auto spans = CtcAlign(x.data(), 8, V, kBlank, {2, 3, 4});
  ASSERT_EQ(spans.size(), 3u);
  EXPECT_EQ(spans[0].start_frame, 1);
  EXPECT_EQ(spans[0].end_frame, 3);
  EXPECT_EQ(spans[1].start_frame, 4);
  EXPECT_EQ(spans[1].end_frame, 5);
  EXPECT_EQ(spans[2].start_frame, 7);
  EXPECT_EQ(spans[2].end_frame, 8);
  EXPECT_NEAR(spans[0].confidence, 0.9f, 1e-5);
}

TEST(CtcAlign, RepeatedTokensNeedABlankBetween) {
  const int V = 4;
  auto x = Peaked({2, 2, 0, 2}, V);
  auto spans = CtcAlign(x.data(), 4, V, kBlank, {2, 2});
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans[0].end_frame, 2);
  EXPECT_EQ(spans[1].start_frame, 3);
  // Three repeats need five frames; four frames cannot hold them.
  EXPECT_TRUE(CtcAlign(x.data(), 4, V, kBlank, {2, 2, 2}).empty());
}

// The best path's log-probability, by enumerating every V^T path.
double BestPathBruteForce(const std::vector<float>& x, int T, int V,
                          const std::vector<int>& tokens) {
  double best = -INFINITY;
  std::vector<int> path(T, 0);
  while (true) {
    std::vector<int> out;
    int prev = -1;
    for (int t = 0; t < T; ++t) {
      if (path[t] != kBlank && path[t] != prev) out.push_back(path[t]);
      prev = path[t];
    }
    if (out == tokens) {
      double lp = 0;
      for (int t = 0; t < T; ++t) lp += x[t * V + path[t]];
      best = std::max(best, lp);
    }
    int t = 0;
    while (t < T && ++path[t] == V) path[t++] = 0;
    if (t == T) break;
  }
  return best;
}

TEST(CtcAlign, IsTheViterbiPathMonotonicAndInside) {
  Rng rng(5, "align");
  const int V = 4, T = 7;
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<float> x(T * V);
    for (int t = 0; t < T; ++t) {
      double z = 0;
      for (int v = 0; v < V; ++v) z += std::exp(x[t * V + v] = rng.Uniform(-3, 3));
      for (int v = 0; v < V; ++v) x[t * V + v] -= static_cast<float>(std::log(z));
    }
    std::vector<int> tokens;
    const int L = static_cast<int>(rng.UniformInt(1, 3));
    for (int i = 0; i < L; ++i) tokens.push_back(static_cast<int>(rng.UniformInt(1, V - 1)));
    auto spans = CtcAlign(x.data(), T, V, kBlank, tokens);
    ASSERT_EQ(spans.size(), tokens.size());
    // Rebuild the path the spans describe and compare its score to the best.
    std::vector<int> path(T, kBlank);
    int64_t prev_end = 0;
    for (size_t i = 0; i < spans.size(); ++i) {
      EXPECT_EQ(spans[i].token, tokens[i]);
      EXPECT_GE(spans[i].start_frame, prev_end);
      EXPECT_GT(spans[i].end_frame, spans[i].start_frame);
      EXPECT_LE(spans[i].end_frame, T);
      prev_end = spans[i].end_frame;
      for (int64_t t = spans[i].start_frame; t < spans[i].end_frame; ++t) path[t] = tokens[i];
    }
    double lp = 0;
    for (int t = 0; t < T; ++t) lp += x[t * V + path[t]];
    EXPECT_NEAR(lp, BestPathBruteForce(x, T, V, tokens), 1e-4) << "trial " << trial;
  }
}

TEST(AttentionAlign, FollowsPeaksMonotonically) {
  nn::Tensor att({4, 6});  // 3 tokens + <eos>
  att[0 * 6 + 1] = 1;
  att[1 * 6 + 0] = 0.6f;  // a peak left of the previous one is held at the previous
  att[1 * 6 + 3] = 0.4f;
  att[2 * 6 + 4] = 1;
  att[3 * 6 + 5] = 1;
  auto spans = AttentionAlign(att, {5, 6, 7});
  ASSERT_EQ(spans.size(), 3u);
  for (size_t i = 0; i < spans.size(); ++i) {
    EXPECT_LT(spans[i].start_frame, spans[i].end_frame);
    if (i > 0) {
      EXPECT_LE(spans[i - 1].start_frame, spans[i].start_frame);
    }
  }
  EXPECT_EQ(spans[0].start_frame, 1);
  EXPECT_EQ(spans[1].start_frame, 3);
  EXPECT_EQ(spans[2].start_frame, 4);
}

TEST(GroupWords, SplitsAtSpaces) {
  Vocabulary vocab = Vocabulary::FromTexts({"ab c"});
  std::vector<int> ids = vocab.Encode("ab c");
  std::vector<TokenSpan> spans;
  for (size_t i = 0; i < ids.size(); ++i)
    spans.push_back({ids[i], static_cast<int64_t>(2 * i), static_cast<int64_t>(2 * i + 1),
                     0.5f + 0.1f * static_cast<float>(i)});
  auto words = GroupWords(spans, vocab);
  ASSERT_EQ(words.size(), 2u);
  EXPECT_EQ(words[0].word, "ab");
  EXPECT_EQ(words[0].start_frame, 0);
  EXPECT_EQ(words[0].end_frame, 3);
  EXPECT_NEAR(words[0].confidence, 0.5f, 1e-6);
  EXPECT_EQ(words[1].word, "c");
  EXPECT_EQ(words[1].start_frame, 6);
  // Each word knows its tokens: "a b" are spans 0-1, "c" span 3 (2 is the space).
  EXPECT_EQ(words[0].first_token, 0);
  EXPECT_EQ(words[0].end_token, 2);
  EXPECT_EQ(words[1].first_token, 3);
  EXPECT_EQ(words[1].end_token, 4);
}

}  // namespace
}  // namespace attend::decoder
