#include "decoder/ctc_prefix_scorer.h"

#include <cmath>
#include <limits>

#include "base/error.h"

namespace attend::decoder {
namespace {

constexpr float kLogZero = -std::numeric_limits<float>::infinity();

inline float LogAdd(float a, float b) {
  if (a == kLogZero) return b;
  if (b == kLogZero) return a;
  float hi = a > b ? a : b;
  return hi + std::log1p(std::exp(-std::fabs(a - b)));
}

}  // namespace

CtcPrefixScorer::CtcPrefixScorer(const float* log_probs, int64_t frames, int vocab, int blank,
                                 int eos)
    : x_(log_probs), frames_(frames), vocab_(vocab), blank_(blank), eos_(eos) {
  ATTEND_CHECK(frames >= 0 && vocab > 0 && blank >= 0 && blank < vocab && eos >= 0 && eos < vocab,
               "CTC prefix scorer: bad shape or ids (frames ", frames, ", vocab ", vocab,
               ", blank ", blank, ", eos ", eos, ")");
}

CtcPrefixScorer::State CtcPrefixScorer::Initial() const {
  State s;
  s.r_n.assign(frames_, kLogZero);
  s.r_b.resize(frames_);
  float acc = 0;
  for (int64_t t = 0; t < frames_; ++t) {
    acc += x_[t * vocab_ + blank_];
    s.r_b[t] = acc;
  }
  s.prefix_score = 0;
  s.last_token = -1;
  return s;
}

void CtcPrefixScorer::Score(const State& g, const std::vector<int>& candidates,
                            std::vector<float>* scores, std::vector<State>* next) const {
  const int64_t T = frames_;
  scores->resize(candidates.size());
  if (next != nullptr) next->resize(candidates.size());
  State scratch;
  for (size_t k = 0; k < candidates.size(); ++k) {
    const int c = candidates[k];
    ATTEND_ASSERT(c >= 0 && c < vocab_ && c != blank_, "candidate ", c);
    State& h = next != nullptr ? (*next)[k] : scratch;
    h.last_token = c;
    if (c == eos_) {
      float p = T > 0 ? LogAdd(g.r_n[T - 1], g.r_b[T - 1]) : (g.last_token < 0 ? 0.0f : kLogZero);
      (*scores)[k] = p;
      h.prefix_score = p;
      h.r_n.assign(T, kLogZero);
      h.r_b.assign(T, kLogZero);
      continue;
    }
    h.r_n.resize(T);
    h.r_b.resize(T);
    if (T == 0) {
      (*scores)[k] = h.prefix_score = kLogZero;
      continue;
    }
    // Only the empty prefix can emit its first token at t = 0.
    h.r_n[0] = g.last_token < 0 ? x_[c] : kLogZero;
    h.r_b[0] = kLogZero;
    float psi = h.r_n[0];
    for (int64_t t = 1; t < T; ++t) {
      // φ_{t-1}: paths of g at t-1 that c may follow without merging into g's
      // last token (a repeat needs a blank in between).
      float phi = c == g.last_token ? g.r_b[t - 1] : LogAdd(g.r_n[t - 1], g.r_b[t - 1]);
      const float* x = x_ + t * vocab_;
      h.r_n[t] = LogAdd(h.r_n[t - 1], phi) + x[c];
      h.r_b[t] = LogAdd(h.r_n[t - 1], h.r_b[t - 1]) + x[blank_];
      psi = LogAdd(psi, phi + x[c]);
    }
    (*scores)[k] = psi;
    h.prefix_score = psi;
  }
}

}  // namespace attend::decoder
