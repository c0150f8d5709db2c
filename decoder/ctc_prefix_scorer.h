// CTC prefix scores for joint CTC/attention decoding (Watanabe et al. 2017;
// ESPnet's CTCPrefixScore), in log space. For a prefix g, the forward
// variables r_t^n(g) (paths ending in a non-blank at t) and r_t^b(g) (ending
// in blank) give the prefix probability
//   ψ(g·c) = Σ_t φ_{t-1}(g, c) · x_t(c),  φ = r^n + r^b, or r^b when c repeats g's last token,
// and ψ(g·<eos>) = r_T^n(g) + r_T^b(g). Search adds ψ(g·c) − ψ(g) per token.
// One scorer serves one utterance; states are per hypothesis. Score() keeps
// scratch buffers in the scorer, so one scorer is used by one thread at a time.
// Candidates are advanced 16 at a time, one per SIMD lane, with branch-free
// exp/log1p approximations (within ~3e-7 relative of libm's). An extension of
// a prefix of L tokens cannot have emitted them all before frame L, so its
// forward variables start there (as ESPnet's); the frames skipped are exactly
// -inf, so the scores are the same bit for bit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace attend::decoder {

class CtcPrefixScorer {
 public:
  struct State {
    std::vector<float> r_n, r_b;  // [T] forward variables, natural log
    float prefix_score = 0;       // ψ(g)
    int last_token = -1;          // -1 for the empty prefix
    int64_t length = 0;  // tokens in g: r^n is -inf before frame length-1, r^b before length
  };

  // log_probs: row-major [frames, vocab] CTC log-posteriors of one utterance
  // (valid frames only; the memory must outlive the scorer). `eos` is the
  // decoder's end token: extending by it scores the complete sentence.
  CtcPrefixScorer(const float* log_probs, int64_t frames, int vocab, int blank, int eos);

  // The state of the empty prefix (ψ = 0).
  State Initial() const;

  // The scored extensions g·c of one prefix: ψ per candidate, and their
  // forward variables in the kernel's lane layout, from which Extract() copies
  // the state of the few that search keeps (8 of 8 × 12 candidates a step).
  struct Extensions {
    std::vector<int> tokens;    // the candidates c
    std::vector<float> scores;  // ψ(g·c) per candidate
    std::vector<int> lane;      // its lane in rn/rb, -1 when no frame can continue it (<eos>)
    std::vector<float> rn, rb;  // [tiles, frames, 16] forward variables from frame start-1
    int64_t start = 1;
    int64_t length = 0;  // tokens in g·c
  };

  // Scores every c in candidates as an extension of `state` into ext (its
  // buffers are reused).
  void Score(const State& state, const std::vector<int>& candidates, Extensions* ext) const;
  // The state of extension k of ext (out's buffers are reused).
  void Extract(const Extensions& ext, size_t k, State* out) const;

  // ψ(g·c) for every c in candidates, into scores (resized); when next is not
  // null, also the states of the extended prefixes (resized, in the same order;
  // their buffers are reused).
  void Score(const State& state, const std::vector<int>& candidates, std::vector<float>* scores,
             std::vector<State>* next) const;

  int64_t frames() const { return frames_; }

 private:
  const float* x_;  // [frames, vocab]
  int64_t frames_;
  int vocab_;
  int blank_;
  int eos_;
  std::vector<float> xb_;  // [frames] the blank's log-probabilities
  std::vector<float> xt_;  // [vocab, frames] the log-probabilities transposed (contiguous gathers)
  // Score() scratch: φ of the prefix [frames]; candidate log-probs [frames,
  // lanes]; the extensions of the vector form of Score().
  mutable std::vector<float> phi_, xc_;
  mutable Extensions scratch_;
};

}  // namespace attend::decoder
