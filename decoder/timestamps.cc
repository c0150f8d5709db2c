#include "decoder/timestamps.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "base/error.h"

namespace attend::decoder {

std::vector<TokenSpan> CtcAlign(const float* log_probs, int64_t frames, int vocab, int blank,
                                const std::vector<int>& tokens) {
  const int64_t L = static_cast<int64_t>(tokens.size());
  const int64_t S = 2 * L + 1;  // blank, t1, blank, t2, ..., tL, blank
  if (L == 0 || frames == 0) return {};
  auto label = [&](int64_t s) { return s % 2 == 0 ? blank : tokens[s / 2]; };
  constexpr float kNegInf = -std::numeric_limits<float>::infinity();
  // score[t][s]: best log-prob of a path ending in state s at frame t;
  // from[t][s]: the state it came from (for traceback).
  std::vector<float> score(frames * S, kNegInf);
  std::vector<int32_t> from(frames * S, -1);
  score[0] = log_probs[blank];
  score[1] = log_probs[tokens[0]];
  for (int64_t t = 1; t < frames; ++t) {
    const float* x = log_probs + t * vocab;
    const float* prev = score.data() + (t - 1) * S;
    for (int64_t s = 0; s < S; ++s) {
      float best = prev[s];
      int32_t arg = static_cast<int32_t>(s);
      if (s >= 1 && prev[s - 1] > best) best = prev[s - 1], arg = static_cast<int32_t>(s - 1);
      // Skipping the blank between two labels is allowed unless they repeat.
      if (s >= 2 && s % 2 == 1 && tokens[s / 2] != tokens[s / 2 - 1] && prev[s - 2] > best)
        best = prev[s - 2], arg = static_cast<int32_t>(s - 2);
      if (best == kNegInf) continue;
      score[t * S + s] = best + x[label(s)];
      from[t * S + s] = arg;
    }
  }
  const float* last = score.data() + (frames - 1) * S;
  int64_t s = last[S - 1] >= last[S - 2] ? S - 1 : S - 2;
  if (last[s] == kNegInf) return {};
  std::vector<int64_t> states(frames);
  for (int64_t t = frames - 1; t >= 0; --t) {
    states[t] = s;
    if (t > 0) s = from[t * S + s];
  }
  std::vector<TokenSpan> spans(L);
  std::vector<double> prob_sum(L, 0);
  for (auto& sp : spans) sp.start_frame = -1;
  for (int64_t t = 0; t < frames; ++t) {
    if (states[t] % 2 == 0) continue;
    const int64_t i = states[t] / 2;
    if (spans[i].start_frame < 0) spans[i].start_frame = t;
    spans[i].end_frame = t + 1;
    prob_sum[i] += std::exp(log_probs[t * vocab + tokens[i]]);
  }
  for (int64_t i = 0; i < L; ++i) {
    ATTEND_ASSERT(spans[i].start_frame >= 0, "token ", i, " has no frame");
    spans[i].token = tokens[i];
    spans[i].confidence = static_cast<float>(
        prob_sum[i] / static_cast<double>(spans[i].end_frame - spans[i].start_frame));
  }
  return spans;
}

std::vector<TokenSpan> AttentionAlign(const nn::Tensor& attention, const std::vector<int>& tokens) {
  const int64_t L = static_cast<int64_t>(tokens.size());
  if (L == 0 || attention.rank() != 2 || attention.dim(0) < L || attention.dim(1) == 0) return {};
  const int64_t frames = attention.dim(1);
  std::vector<int64_t> peak(L);
  std::vector<float> weight(L);
  int64_t floor = 0;
  for (int64_t i = 0; i < L; ++i) {
    const float* row = attention.data() + i * frames;
    // A peak never moves left of the previous one: times stay monotonic.
    int64_t best = std::min(floor, frames - 1);
    for (int64_t t = best; t < frames; ++t)
      if (row[t] > row[best]) best = t;
    peak[i] = best;
    weight[i] = row[best];
    floor = best;
  }
  std::vector<TokenSpan> spans(L);
  for (int64_t i = 0; i < L; ++i) {
    spans[i].token = tokens[i];
    spans[i].start_frame = peak[i];
    spans[i].end_frame = i + 1 < L ? std::max(peak[i + 1], peak[i] + 1) : peak[i] + 1;
    spans[i].end_frame = std::min(spans[i].end_frame, frames);
    if (spans[i].start_frame >= spans[i].end_frame) spans[i].start_frame = spans[i].end_frame - 1;
    spans[i].confidence = weight[i];
  }
  return spans;
}

std::vector<WordSpan> GroupWords(const std::vector<TokenSpan>& spans, const Vocabulary& vocab) {
  const int space = vocab.Id("<space>");
  std::vector<WordSpan> words;
  std::vector<int> ids;
  WordSpan current;
  auto flush = [&] {
    if (ids.empty()) return;
    current.word = vocab.Decode(ids);
    words.push_back(current);
    ids.clear();
  };
  for (size_t i = 0; i < spans.size(); ++i) {
    const TokenSpan& s = spans[i];
    if (s.token == space && space != Vocabulary::kUnk) {
      flush();
      continue;
    }
    if (ids.empty()) {
      current.start_frame = s.start_frame;
      current.confidence = s.confidence;
      current.first_token = static_cast<int>(i);
    }
    current.end_token = static_cast<int>(i) + 1;
    current.end_frame = s.end_frame;
    current.confidence = std::min(current.confidence, s.confidence);
    ids.push_back(s.token);
  }
  flush();
  return words;
}

}  // namespace attend::decoder
