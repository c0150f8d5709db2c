#include "decoder/ctc_prefix_scorer.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "base/error.h"
#include "base/target_clones.h"

namespace attend::decoder {
namespace {

constexpr float kLogZero = -std::numeric_limits<float>::infinity();
// Candidates advanced together, one per SIMD lane (AVX-512: 16 floats).
constexpr int kLanes = 16;

// The hot loop, compiled for AVX-512, AVX2+FMA and baseline x86-64 and chosen
// at load time (as decoder/attention.cc's kernels).
#define ATTEND_KERNEL ATTEND_TARGET_CLONES("arch=x86-64-v4", "arch=x86-64-v3", "default")

// The polynomials below are evaluated by Estrin's scheme (pairs of terms,
// then pairs of pairs) rather than Horner's: the forward recursion is one
// long chain of LogAdds from frame to frame, and Estrin halves the number of
// dependent multiply-adds in each.

// e^x for x in [-87, 0], within 1.2e-7 relative: x = n ln2 + r, |r| <= ln2/2,
// e^r by its degree-7 Taylor polynomial, 2^n through the exponent bits.
// Branch-free, so that loops over it vectorize.
inline float Exp(float x) {
  const float t = x * 1.44269504088896341f + 12582912.0f;  // round to nearest
  const float n = t - 12582912.0f;
  const float r = (x - n * 0.693145751953125f) - n * 1.428606765330187e-06f;
  const float r2 = r * r, r4 = r2 * r2;
  const float a0 = r + 1.0f, a1 = r * (1.0f / 6) + 0.5f, a2 = r * (1.0f / 120) + 1.0f / 24,
              a3 = r * (1.0f / 5040) + 1.0f / 720;
  const float p = (a1 * r2 + a0) + (a3 * r2 + a2) * r4;
  const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof(scale));
  return p * scale;
}

// ln(1 + e) for e in [0, 1], within 3e-7 relative: 2 atanh(s), s = e / (2 + e)
// <= 1/3, by its series to s^17 (no cancellation for tiny e).
inline float Log1p(float e) {
  const float s = e / (2.0f + e), z = s * s, z2 = z * z, z4 = z2 * z2, z8 = z4 * z4;
  const float a0 = z * (2.0f / 3) + 2.0f, a1 = z * (2.0f / 7) + 2.0f / 5,
              a2 = z * (2.0f / 11) + 2.0f / 9, a3 = z * (2.0f / 15) + 2.0f / 13;
  const float p = ((a1 * z2 + a0) + (a3 * z2 + a2) * z4) + z8 * (2.0f / 17);
  return p * s;
}

// ln(e^a + e^b), -inf aware, branch-free. A difference below -80 adds less
// than 2e-35 and is clamped there (which also turns -inf - -inf into -80).
inline float LogAdd(float a, float b) {
  const float hi = a > b ? a : b, lo = a > b ? b : a;
  float d = lo - hi;
  d = d > -80.0f ? d : -80.0f;
  return hi + Log1p(Exp(d));
}

// ψ and the forward variables of up to kLanes extensions of one prefix g,
// frames [start, T) (frame start-1 is set by the caller in rn/rb; start >= 1):
//   φ_l(t-1) = same[l] ? r^b_g(t-1) : φ_g(t-1)
//   r^n_l(t) = LogAdd(r^n_l(t-1), φ_l(t-1)) + x_t(c_l)
//   r^b_l(t) = LogAdd(r^n_l(t-1), r^b_l(t-1)) + x_t(blank)
//   ψ_l     += φ_l(t-1) + x_t(c_l)   (log-add)
// xc, rn, rb: [T, kLanes]; phi_g, rb_g, xb: [T]; psi: [kLanes] in/out.
ATTEND_KERNEL void ExtendLanes(int64_t start, int64_t T, const float* xc, const float* xb,
                               const float* phi_g, const float* rb_g, const float* same, float* rn,
                               float* rb, float* psi) {
  float acc[kLanes];
  for (int l = 0; l < kLanes; ++l) acc[l] = psi[l];
  for (int64_t t = start; t < T; ++t) {
    const float* x = xc + t * kLanes;
    const float* rn_prev = rn + (t - 1) * kLanes;
    const float* rb_prev = rb + (t - 1) * kLanes;
    float* rn_t = rn + t * kLanes;
    float* rb_t = rb + t * kLanes;
    const float phi_all = phi_g[t - 1], phi_same = rb_g[t - 1], blank = xb[t];
#pragma omp simd
    for (int l = 0; l < kLanes; ++l) {
      const float phi = same[l] != 0.0f ? phi_same : phi_all;  // a float mask vectorizes
      rn_t[l] = LogAdd(rn_prev[l], phi) + x[l];
      rb_t[l] = LogAdd(rn_prev[l], rb_prev[l]) + blank;
      acc[l] = LogAdd(acc[l], phi + x[l]);
    }
  }
  for (int l = 0; l < kLanes; ++l) psi[l] = acc[l];
}

}  // namespace

CtcPrefixScorer::CtcPrefixScorer(const float* log_probs, int64_t frames, int vocab, int blank,
                                 int eos)
    : x_(log_probs), frames_(frames), vocab_(vocab), blank_(blank), eos_(eos) {
  ATTEND_CHECK(frames >= 0 && vocab > 0 && blank >= 0 && blank < vocab && eos >= 0 && eos < vocab,
               "CTC prefix scorer: bad shape or ids (frames ", frames, ", vocab ", vocab,
               ", blank ", blank, ", eos ", eos, ")");
  xb_.resize(frames);
  for (int64_t t = 0; t < frames; ++t) xb_[t] = x_[t * vocab_ + blank_];
  xt_.resize(frames * vocab);
  for (int64_t t = 0; t < frames; ++t)
    for (int c = 0; c < vocab; ++c) xt_[c * frames + t] = x_[t * vocab_ + c];
}

CtcPrefixScorer::State CtcPrefixScorer::Initial() const {
  State s;
  s.r_n.assign(frames_, kLogZero);
  s.r_b.resize(frames_);
  float acc = 0;
  for (int64_t t = 0; t < frames_; ++t) {
    acc += xb_[t];
    s.r_b[t] = acc;
  }
  s.prefix_score = 0;
  s.last_token = -1;
  s.length = 0;
  return s;
}

void CtcPrefixScorer::Score(const State& g, const std::vector<int>& candidates,
                            Extensions* ext) const {
  const int64_t T = frames_;
  const size_t K = candidates.size();
  // The extensions' first possibly finite frame (see the header); the kernel
  // starts at start and frame start-1 is set here.
  const int64_t start = std::max<int64_t>(1, g.length);
  ext->start = start;
  ext->length = g.length + 1;
  ext->tokens = candidates;
  ext->scores.resize(K);
  ext->lane.assign(K, -1);
  // Lanes: every candidate but <eos>, when a frame is left for another token.
  const bool room = T > 0 && start <= T;
  size_t used = 0;
  for (int c : candidates) used += room && c != eos_;
  const int64_t tile = T * kLanes;
  ext->rn.resize(((used + kLanes - 1) / kLanes) * tile);
  ext->rb.resize(ext->rn.size());
  // φ_g = r^n_g + r^b_g, shared by every candidate that does not repeat g's last token.
  phi_.resize(T);
  for (int64_t t = start - 1; t < T; ++t) phi_[t] = LogAdd(g.r_n[t], g.r_b[t]);
  xc_.resize(tile);
  const int64_t first = (start - 1) * kLanes;  // frame start-1 in a lane tile
  float same[kLanes];                          // 1: the candidate repeats g's last token
  float psi[kLanes];
  size_t lanes = 0, tiles = 0, which[kLanes];
  // Runs the kernel on the gathered lanes of the current tile.
  auto flush = [&] {
    float* rn = ext->rn.data() + tiles * tile;
    float* rb = ext->rb.data() + tiles * tile;
    for (size_t l = 0; l < kLanes; ++l) {
      const bool idle = l >= lanes;  // idle lanes: any valid token
      if (idle) {
        same[l] = 0.0f;
        for (int64_t t = start - 1; t < T; ++t) xc_[t * kLanes + l] = xb_[t];
      }
      // Only the empty prefix can emit its first token at t = 0; the frame
      // before start is -inf for any other.
      rn[first + l] = !idle && g.last_token < 0 ? xc_[first + l] : kLogZero;
      rb[first + l] = kLogZero;
      psi[l] = rn[first + l];
    }
    ExtendLanes(start, T, xc_.data(), xb_.data(), phi_.data(), g.r_b.data(), same, rn, rb, psi);
    for (size_t l = 0; l < lanes; ++l) {
      ext->scores[which[l]] = psi[l];
      ext->lane[which[l]] = static_cast<int>(tiles * kLanes + l);
    }
    lanes = 0;
    ++tiles;
  };
  for (size_t k = 0; k < K; ++k) {
    const int c = candidates[k];
    ATTEND_ASSERT(c >= 0 && c < vocab_ && c != blank_, "candidate ", c);
    if (c == eos_) {
      ext->scores[k] =
          T > 0 ? LogAdd(g.r_n[T - 1], g.r_b[T - 1]) : (g.last_token < 0 ? 0.0f : kLogZero);
      continue;
    }
    if (!room) {
      ext->scores[k] = kLogZero;  // no frame left for another token
      continue;
    }
    const size_t l = lanes++;
    which[l] = k;
    same[l] = c == g.last_token ? 1.0f : 0.0f;
    const float* xc = xt_.data() + static_cast<int64_t>(c) * T;
    for (int64_t t = start - 1; t < T; ++t) xc_[t * kLanes + l] = xc[t];
    if (lanes == kLanes) flush();
  }
  if (lanes > 0) flush();
}

void CtcPrefixScorer::Extract(const Extensions& ext, size_t k, State* h) const {
  const int64_t T = frames_;
  h->last_token = ext.tokens[k];
  h->length = ext.length;
  h->prefix_score = ext.scores[k];
  h->r_n.resize(T);
  h->r_b.resize(T);
  if (ext.lane[k] < 0) {  // <eos> or no frame left: nothing continues it
    std::fill(h->r_n.begin(), h->r_n.end(), kLogZero);
    std::fill(h->r_b.begin(), h->r_b.end(), kLogZero);
    return;
  }
  const int64_t lane = ext.lane[k], begin = ext.start - 1;
  const float* rn = ext.rn.data() + (lane / kLanes) * T * kLanes + lane % kLanes;
  const float* rb = ext.rb.data() + (lane / kLanes) * T * kLanes + lane % kLanes;
  std::fill(h->r_n.begin(), h->r_n.begin() + begin, kLogZero);
  std::fill(h->r_b.begin(), h->r_b.begin() + begin, kLogZero);
  for (int64_t t = begin; t < T; ++t) {
    h->r_n[t] = rn[t * kLanes];
    h->r_b[t] = rb[t * kLanes];
  }
}

void CtcPrefixScorer::Score(const State& g, const std::vector<int>& candidates,
                            std::vector<float>* scores, std::vector<State>* next) const {
  Score(g, candidates, &scratch_);
  *scores = scratch_.scores;
  if (next == nullptr) return;
  next->resize(candidates.size());
  for (size_t k = 0; k < candidates.size(); ++k) Extract(scratch_, k, &(*next)[k]);
}

}  // namespace attend::decoder
