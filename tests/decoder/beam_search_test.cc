// Beam search against exhaustive enumeration, with a fake step decoder whose
// scores depend on the whole prefix, and the CTC prefix scorer against a
// brute-force sum over all alignments.
#include "decoder/beam_search.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <map>
#include <set>

#include "base/error.h"
#include "base/random.h"
#include "decoder/ctc_prefix_scorer.h"
#include "tests/decoder/fake_step_decoder.h"

namespace attend::decoder {
namespace {

using testing::FakeStepDecoder;

constexpr int kBlank = 0;
constexpr int kEos = 1;

// Random CTC log-posteriors [T, N, V] tnc. As from a trained model, <eos>
// gets no CTC mass (ln 0 would do; -1e30 keeps the arithmetic finite), and
// each frame's distribution over the other ids sums to one.
nn::Tensor RandomCtc(int64_t T, int64_t N, int V, uint64_t seed) {
  Rng rng(seed, "ctc");
  nn::Tensor x({T, N, V});
  for (int64_t r = 0; r < T * N; ++r) {
    float* p = x.data() + r * V;
    double z = 0;
    for (int v = 0; v < V; ++v)
      if (v != kEos) z += std::exp(p[v] = rng.Uniform(-2, 2));
    for (int v = 0; v < V; ++v) p[v] = v == kEos ? -1e30f : p[v] - static_cast<float>(std::log(z));
  }
  return x;
}

// Encoder output whose first channel seeds the fake decoder per utterance.
nn::Tensor FakeEncoder(int64_t T, int64_t N) {
  nn::Tensor h({T, N, 2});
  for (int64_t u = 0; u < N; ++u) h[u * 2] = static_cast<float>(u + 1) * 0.137f;
  return h;
}

// Σ over every alignment of T frames whose CTC collapse starts with `prefix`
// (or equals it, when `complete`), by enumeration of all V^T paths.
double BruteForceCtc(const float* x, int64_t T, int V, const std::vector<int>& prefix,
                     bool complete) {
  double total = 0;
  std::vector<int> path(T, 0);
  while (true) {
    std::vector<int> out;
    int prev = -1;
    for (int t = 0; t < T; ++t) {
      if (path[t] != kBlank && path[t] != prev) out.push_back(path[t]);
      prev = path[t];
    }
    bool match = complete ? out == prefix
                          : out.size() >= prefix.size() &&
                                std::equal(prefix.begin(), prefix.end(), out.begin());
    bool uses_eos = std::find(path.begin(), path.end(), kEos) != path.end();
    if (match && !uses_eos) {
      double lp = 0;
      for (int t = 0; t < T; ++t) lp += x[t * V + path[t]];
      total += std::exp(lp);
    }
    int t = 0;
    while (t < T && ++path[t] == V) path[t++] = 0;
    if (t == T) break;
  }
  return total;
}

TEST(CtcPrefixScorer, MatchesBruteForceOverAlignments) {
  const int V = 4;  // blank, eos, a, b
  const int64_t T = 5;
  nn::Tensor x = RandomCtc(T, 1, V, 11);
  CtcPrefixScorer scorer(x.data(), T, V, kBlank, kEos);
  // Walk every prefix up to length 3 over {a, b}, repeats included.
  std::function<void(const CtcPrefixScorer::State&, std::vector<int>)> walk =
      [&](const CtcPrefixScorer::State& state, std::vector<int> prefix) {
        std::vector<int> cands = {2, 3, kEos};
        std::vector<float> scores;
        std::vector<CtcPrefixScorer::State> next;
        scorer.Score(state, cands, &scores, &next);
        for (size_t k = 0; k < cands.size(); ++k) {
          std::vector<int> p = prefix;
          bool complete = cands[k] == kEos;
          if (!complete) p.push_back(cands[k]);
          double expected = BruteForceCtc(x.data(), T, V, p, complete);
          if (expected == 0) {
            EXPECT_TRUE(std::isinf(scores[k]) && scores[k] < 0);
          } else {
            EXPECT_NEAR(scores[k], std::log(expected), 1e-4) << "prefix size " << p.size();
          }
          if (!complete && p.size() < 3) walk(next[k], p);
        }
      };
  walk(scorer.Initial(), {});
}

// Every token sequence up to max_len over ids 2..V-1, with its joint score.
struct Scored {
  std::vector<int> tokens;
  float score;
};
std::vector<Scored> Exhaustive(FakeStepDecoder& fake, int u, int V, int max_len, float lambda,
                               const float* ctc, int64_t T) {
  std::vector<Scored> all;
  std::function<void(std::vector<int>, float)> grow = [&](std::vector<int> prefix, float att) {
    std::vector<float> lp(V);  // per level: the recursion below reuses nothing
    fake.Table(u, prefix, lp.data());
    float full_att = att + lp[kEos];
    float score = full_att;
    if (lambda > 0) {
      CtcPrefixScorer scorer(ctc, T, V, kBlank, kEos);
      CtcPrefixScorer::State s = scorer.Initial();
      std::vector<float> sc;
      std::vector<CtcPrefixScorer::State> next;
      for (int t : prefix) {
        scorer.Score(s, {t}, &sc, &next);
        s = next[0];
      }
      scorer.Score(s, {kEos}, &sc, nullptr);
      score = (1 - lambda) * full_att + lambda * sc[0];
    }
    all.push_back({prefix, score});
    if (static_cast<int>(prefix.size()) == max_len) return;
    for (int c = 2; c < V; ++c) {
      std::vector<int> p = prefix;
      p.push_back(c);
      grow(p, att + lp[c]);
    }
  };
  grow({}, 0);
  std::sort(all.begin(), all.end(),
            [](const Scored& a, const Scored& b) { return a.score > b.score; });
  return all;
}

TEST(BeamSearch, AWideBeamFindsTheExhaustiveBest) {
  const int V = 5, max_len = 3;
  const int64_t T = 3;  // max_len_ratio 0 → max_len = encoder frames
  for (float lambda : {0.0f, 0.3f, 1.0f}) {
    FakeStepDecoder fake(V, 3.0f);
    nn::Tensor enc = FakeEncoder(T, 2);
    nn::Tensor ctc = RandomCtc(T, 2, V, 5);
    BeamSearchOptions opt;
    opt.beam = 40;  // ≥ the 40 sequences of length ≤ 3 over 3 tokens: search is exhaustive
    opt.nbest = 5;
    opt.ctc_weight = lambda;
    opt.pre_beam_ratio = 1;
    BeamSearch search(opt, &fake);
    auto results = search.Search(enc, {T, T}, lambda > 0 ? &ctc : nullptr);
    for (int u = 0; u < 2; ++u) {
      std::vector<float> ctc_u(T * V);
      for (int64_t t = 0; t < T; ++t)
        std::copy_n(ctc.data() + (t * 2 + u) * V, V, ctc_u.data() + t * V);
      auto expected = Exhaustive(fake, u, V, max_len, lambda, ctc_u.data(), T);
      ASSERT_EQ(results[u].size(), 5u);
      for (int k = 0; k < 5; ++k) {
        EXPECT_EQ(results[u][k].tokens, expected[k].tokens)
            << "lambda " << lambda << " utterance " << u << " rank " << k;
        EXPECT_NEAR(results[u][k].score, expected[k].score, 1e-4);
      }
    }
  }
}

// With CTC alone (weight 1) the attention scores are ignored, so every token
// is a candidate: here CTC puts its mass on the highest id, which a pre-beam
// of ratio·beam tokens by attention score (all equal to it) would not reach.
TEST(BeamSearch, CtcAloneConsidersEveryToken) {
  const int V = 10;
  const int64_t T = 4;
  nn::Tensor ctc({T, 1, V});
  for (int64_t t = 0; t < T; ++t)
    for (int v = 0; v < V; ++v) ctc[t * V + v] = v == V - 1 ? std::log(0.9f) : std::log(0.1f / 9);
  FakeStepDecoder fake(V);
  BeamSearchOptions opt;
  opt.beam = 2;
  opt.ctc_weight = 1;
  opt.pre_beam_ratio = 1;
  auto result = BeamSearch(opt, &fake).Search(FakeEncoder(T, 1), {T}, &ctc);
  ASSERT_EQ(result[0].size(), 1u);
  EXPECT_EQ(result[0][0].tokens, std::vector<int>({V - 1}));
}

TEST(BeamSearch, BeamOneIsGreedy) {
  const int V = 7;
  const int64_t T = 12;
  FakeStepDecoder fake(V);
  nn::Tensor enc = FakeEncoder(T, 1);
  BeamSearchOptions opt;
  opt.beam = 1;
  opt.ctc_weight = 0;
  BeamSearch search(opt, &fake);
  auto result = search.Search(enc, {T}, nullptr);
  ASSERT_EQ(result[0].size(), 1u);
  std::vector<int> greedy;
  std::vector<float> lp(V);
  float score = 0;
  while (true) {
    fake.Table(0, greedy, lp.data());
    int best = static_cast<int>(std::max_element(lp.begin() + 1, lp.end()) - lp.begin());
    if (static_cast<int>(greedy.size()) == T) best = kEos;
    score += lp[best];
    if (best == kEos) break;
    greedy.push_back(best);
  }
  EXPECT_EQ(result[0][0].tokens, greedy);
  EXPECT_NEAR(result[0][0].score, score, 1e-5);
  EXPECT_NEAR(result[0][0].attention_score, score, 1e-5);
}

TEST(BeamSearch, BatchedEqualsOneAtATime) {
  const int V = 6;
  const std::vector<int64_t> lengths = {9, 4, 7};
  const int64_t T = 9;
  nn::Tensor enc = FakeEncoder(T, 3);
  nn::Tensor ctc = RandomCtc(T, 3, V, 9);
  BeamSearchOptions opt;
  opt.beam = 4;
  opt.nbest = 3;
  FakeStepDecoder fake(V);
  BeamSearch search(opt, &fake);
  auto batched = search.Search(enc, lengths, &ctc);
  for (int u = 0; u < 3; ++u) {
    // The same utterance alone: its encoder seed, CTC rows and length.
    nn::Tensor enc1({lengths[u], 1, 2}), ctc1({lengths[u], 1, V});
    enc1[0] = enc[u * 2];
    for (int64_t t = 0; t < lengths[u]; ++t)
      std::copy_n(ctc.data() + (t * 3 + u) * V, V, ctc1.data() + t * V);
    FakeStepDecoder fake1(V);
    BeamSearch search1(opt, &fake1);
    auto alone = search1.Search(enc1, {lengths[u]}, &ctc1);
    ASSERT_EQ(alone[0].size(), batched[u].size()) << "utterance " << u;
    for (size_t k = 0; k < alone[0].size(); ++k) {
      EXPECT_EQ(alone[0][k].tokens, batched[u][k].tokens);
      EXPECT_EQ(alone[0][k].score, batched[u][k].score);
      EXPECT_EQ(alone[0][k].ctc_score, batched[u][k].ctc_score);
      EXPECT_EQ(nn::MaxAbsDiff(alone[0][k].attention, batched[u][k].attention), 0.0f);
    }
  }
}

TEST(BeamSearch, NbestIsSortedUniqueAndCarriesConsistentParts) {
  const int V = 8;
  const int64_t T = 10;
  FakeStepDecoder fake(V, 1.0f);  // flat distributions: many close hypotheses
  nn::Tensor enc = FakeEncoder(T, 1);
  nn::Tensor ctc = RandomCtc(T, 1, V, 3);
  BeamSearchOptions opt;
  opt.beam = 8;
  opt.nbest = 8;
  opt.ctc_weight = 0.5f;
  opt.length_penalty = -0.1f;
  BeamSearch search(opt, &fake);
  auto r = search.Search(enc, {T}, &ctc)[0];
  ASSERT_GE(r.size(), 2u);
  std::set<std::vector<int>> seen;
  for (size_t k = 0; k < r.size(); ++k) {
    EXPECT_TRUE(seen.insert(r[k].tokens).second) << "duplicate hypothesis at rank " << k;
    if (k > 0) {
      EXPECT_GE(r[k - 1].score, r[k].score);
    }
    float recomposed = 0.5f * r[k].attention_score + 0.5f * r[k].ctc_score +
                       opt.length_penalty * static_cast<float>(r[k].tokens.size() + 1);
    EXPECT_NEAR(r[k].score, recomposed, 1e-4);
    // Per-token attention scores: one per token plus <eos>, summing to the total.
    ASSERT_EQ(r[k].token_attention_scores.size(), r[k].tokens.size() + 1);
    ASSERT_EQ(r[k].token_lm_scores.size(), r[k].tokens.size() + 1);
    float sum = 0;
    for (float x : r[k].token_attention_scores) sum += x;
    EXPECT_NEAR(sum, r[k].attention_score, 1e-4);
    // One attention row per token plus <eos>, over the valid frames.
    EXPECT_EQ(r[k].attention.shape(), (nn::Shape{static_cast<int64_t>(r[k].tokens.size() + 1), T}));
  }
}

TEST(BeamSearch, RespectsLengthLimits) {
  const int V = 6;
  const int64_t T = 20;
  FakeStepDecoder fake(V);
  nn::Tensor enc = FakeEncoder(T, 1);
  BeamSearchOptions opt;
  opt.beam = 3;
  opt.nbest = 3;
  opt.ctc_weight = 0;
  opt.min_len_ratio = 0.25f;  // ≥ 5 tokens
  opt.max_len_ratio = 0.3f;   // ≤ 6 tokens
  BeamSearch search(opt, &fake);
  auto results = search.Search(enc, {T}, nullptr);
  ASSERT_FALSE(results[0].empty());
  for (const Hypothesis& h : results[0]) {
    EXPECT_GE(h.tokens.size(), 5u);
    EXPECT_LE(h.tokens.size(), 6u);
  }
}

TEST(BeamSearch, EmptyUtteranceEndsImmediately) {
  FakeStepDecoder fake(5);
  nn::Tensor enc = FakeEncoder(4, 2);
  BeamSearchOptions opt;
  opt.ctc_weight = 0;
  BeamSearch search(opt, &fake);
  auto r = search.Search(enc, {4, 0}, nullptr);
  ASSERT_EQ(r[1].size(), 1u);
  EXPECT_TRUE(r[1][0].tokens.empty());
}

TEST(BeamSearchOptions, RejectsBadValuesNamingTheFlag) {
  auto expect_error = [](BeamSearchOptions o, const std::string& flag) {
    try {
      o.Validate();
      ADD_FAILURE() << flag << " accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(flag), std::string::npos) << e.what();
    }
  };
  BeamSearchOptions o;
  o.beam = 0;
  expect_error(o, "--beam");
  o = {};
  o.nbest = 9;
  expect_error(o, "--nbest");
  o = {};
  o.ctc_weight = -0.1f;
  expect_error(o, "--ctc-weight");
  o = {};
  o.lm_weight = -1;
  expect_error(o, "--lm-weight");
  FakeStepDecoder fake(5);
  BeamSearchOptions needs_ctc;
  BeamSearch search(needs_ctc, &fake);
  EXPECT_THROW(search.Search(FakeEncoder(3, 1), {3}, nullptr), Error);
}

}  // namespace
}  // namespace attend::decoder
