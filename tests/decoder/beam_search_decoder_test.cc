// Beam search driving the real AttentionDecoder (small, random weights):
// exhaustive agreement on short outputs, and batched = one utterance at a time.
#include <gtest/gtest.h>

#include <functional>

#include "base/random.h"
#include "decoder/attention_decoder.h"
#include "decoder/beam_search.h"

namespace attend::decoder {
namespace {

constexpr int kV = 5;  // blank, unk, sos/eos, two letters
constexpr int kSosEos = 2;

// hidden_dim: the decoder state's size (dot attention needs the encoder's, 10).
std::unique_ptr<AttentionDecoder> MakeDecoder(const std::string& type, int heads = 1,
                                              int hidden_dim = 12) {
  AttentionDecoderConfig c;
  c.embedding_dim = 6;
  c.hidden_dim = hidden_dim;
  c.attention.type = type;
  c.attention.attention_dim = 8;
  c.attention.num_heads = heads;
  auto d = std::make_unique<AttentionDecoder>("decoder", c, 10, kV, kSosEos);
  Rng rng(17, "init");
  d->Init(&rng);
  // Random weights give flat distributions; sharpen the output layer so that
  // hypotheses differ clearly and ties cannot decide the comparison.
  for (nn::Parameter* p : d->Parameters())
    if (p->name.find("output") != std::string::npos) {
      for (int64_t i = 0; i < p->value.size(); ++i) p->value[i] *= 4;
      p->MarkUpdated();
    }
  return d;
}

nn::Tensor Encoder(int64_t T, int64_t N, uint64_t seed) {
  Rng rng(seed, "enc");
  nn::Tensor h({T, N, 10});
  for (int64_t i = 0; i < h.size(); ++i) h[i] = rng.Uniform(-1, 1);
  return h;
}

// ln P(prefix + <eos>) by stepping a single row through the prefix.
float SequenceScore(AttentionDecoder& d, const nn::Tensor& enc, int64_t length,
                    const std::vector<int>& prefix) {
  auto state = d.NewState();
  d.Start(enc, {length}, 1, state.get());
  nn::Tensor lp;
  float total = 0;
  int prev = kSosEos;
  for (size_t i = 0; i <= prefix.size(); ++i) {
    d.Step({prev}, state.get(), &lp, nullptr);
    const int next = i < prefix.size() ? prefix[i] : kSosEos;
    total += lp[next];
    prev = next;
  }
  return total;
}

TEST(BeamSearchWithAttentionDecoder, WideBeamEqualsExhaustiveSearch) {
  for (const std::string type : {"additive", "location", "general"}) {
    auto d = MakeDecoder(type);
    const int64_t T = 3;  // max output length = encoder frames = 3
    nn::Tensor enc = Encoder(T, 1, 5);
    BeamSearchOptions opt;
    opt.beam = 40;  // = 1 + 3 + 9 + 27 sequences of length ≤ 3 over <unk> and two letters
    opt.nbest = 4;
    opt.ctc_weight = 0;
    BeamSearch search(opt, d.get());
    auto got = search.Search(enc, {T}, nullptr)[0];

    std::vector<std::pair<float, std::vector<int>>> all;
    std::function<void(std::vector<int>)> grow = [&](std::vector<int> p) {
      all.push_back({SequenceScore(*d, enc, T, p), p});
      if (p.size() == 3) return;
      for (int c : {1, 3, 4}) {  // everything but <blank> and <sos/eos>
        auto q = p;
        q.push_back(c);
        grow(q);
      }
    };
    grow({});
    std::sort(all.begin(), all.end(), [](auto& a, auto& b) { return a.first > b.first; });
    ASSERT_EQ(got.size(), 4u) << type;
    for (int k = 0; k < 4; ++k) {
      EXPECT_EQ(got[k].tokens, all[k].second) << type << " rank " << k;
      EXPECT_NEAR(got[k].score, all[k].first, 1e-4) << type << " rank " << k;
    }
  }
}

TEST(BeamSearchWithAttentionDecoder, BatchedEqualsOneAtATime) {
  auto d = MakeDecoder("location");
  const std::vector<int64_t> lengths = {9, 5, 7};
  nn::Tensor enc = Encoder(9, 3, 8);
  BeamSearchOptions opt;
  opt.beam = 4;
  opt.nbest = 2;
  opt.ctc_weight = 0;
  BeamSearch search(opt, d.get());
  auto batched = search.Search(enc, lengths, nullptr);
  for (int u = 0; u < 3; ++u) {
    nn::Tensor one({lengths[u], 1, 10});
    for (int64_t t = 0; t < lengths[u]; ++t)
      std::copy_n(enc.data() + (t * 3 + u) * 10, 10, one.data() + t * 10);
    auto alone = search.Search(one, {lengths[u]}, nullptr)[0];
    ASSERT_EQ(alone.size(), batched[u].size());
    for (size_t k = 0; k < alone.size(); ++k) {
      EXPECT_EQ(alone[k].tokens, batched[u][k].tokens) << "utterance " << u << " rank " << k;
      EXPECT_NEAR(alone[k].score, batched[u][k].score, 1e-4);
      // Attention over the utterance's own frames, identical up to rounding.
      ASSERT_EQ(alone[k].attention.shape(), batched[u][k].attention.shape());
      EXPECT_LT(nn::MaxAbsDiff(alone[k].attention, batched[u][k].attention), 1e-5f);
    }
  }
}

// With keep_head_attention, a multi-head decoder's hypotheses carry each
// head's matrix [heads, tokens + 1, T]: rows that sum to one over the
// utterance's frames, whose mean is the kept attention, and which differ
// between heads. Without it (or with one head), none.
TEST(BeamSearchWithAttentionDecoder, KeepsEachHeadsAttention) {
  for (const std::string type : {"location", "dot"}) {
    // Dot attention scores with the decoder state itself: it is as wide as the encoder's.
    auto d = MakeDecoder(type, 2, type == "dot" ? 10 : 12);
    const std::vector<int64_t> lengths = {9, 6};
    nn::Tensor enc = Encoder(9, 2, 4);
    BeamSearchOptions opt;
    opt.beam = 3;
    opt.nbest = 2;
    opt.ctc_weight = 0;
    opt.keep_head_attention = true;
    auto results = BeamSearch(opt, d.get()).Search(enc, lengths, nullptr);
    for (int u = 0; u < 2; ++u) {
      ASSERT_FALSE(results[u].empty());
      for (const Hypothesis& h : results[u]) {
        const int64_t rows = static_cast<int64_t>(h.tokens.size()) + 1, T = lengths[u];
        ASSERT_EQ(h.attention.shape(), nn::Shape({rows, T}));
        ASSERT_EQ(h.head_attention.shape(), nn::Shape({2, rows, T})) << type;
        float head_difference = 0;
        for (int64_t r = 0; r < rows; ++r) {
          for (int k = 0; k < 2; ++k) {
            double sum = 0;
            for (int64_t t = 0; t < T; ++t) sum += h.head_attention[(k * rows + r) * T + t];
            EXPECT_NEAR(sum, 1.0, 1e-5) << type << " head " << k << " row " << r;
          }
          for (int64_t t = 0; t < T; ++t) {
            const float a = h.head_attention[r * T + t], b = h.head_attention[(rows + r) * T + t];
            EXPECT_NEAR((a + b) / 2, h.attention[r * T + t], 1e-6f);
            head_difference = std::max(head_difference, std::abs(a - b));
          }
        }
        EXPECT_GT(head_difference, 1e-3f) << type << ": the heads attend alike";
      }
    }
    opt.keep_head_attention = false;
    const auto without = BeamSearch(opt, d.get()).Search(enc, lengths, nullptr);
    for (const Hypothesis& h : without[0]) EXPECT_EQ(h.head_attention.size(), 0);
  }
  BeamSearchOptions opt;
  opt.ctc_weight = 0;
  opt.keep_head_attention = true;
  auto one_head = MakeDecoder("location");
  const auto single = BeamSearch(opt, one_head.get()).Search(Encoder(5, 1, 2), {5}, nullptr);
  for (const Hypothesis& h : single[0]) EXPECT_EQ(h.head_attention.size(), 0);
}

}  // namespace
}  // namespace attend::decoder
