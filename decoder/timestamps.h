// Token and word times for a decoded hypothesis. The primary source is a CTC
// forced alignment (Viterbi over blank-interleaved labels): each token gets
// the frames where its label state is active. Without a CTC branch (or when
// the alignment is impossible: more tokens than frames allow) the attention
// peak of each output step stands in. Frames are encoder frames; callers turn
// them into seconds with the encoder's frame shift (input shift × reduction).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "decoder/vocabulary.h"
#include "nn/tensor.h"

namespace attend::decoder {

struct TokenSpan {
  int token = 0;
  int64_t start_frame = 0;  // first frame of the token
  int64_t end_frame = 0;    // one past its last frame (end > start)
  float confidence = 0;     // mean posterior of the token over its frames, in [0, 1]
};

// Viterbi CTC alignment of `tokens` to log_probs ([frames, vocab] row-major).
// Returns one span per token, in order and non-overlapping; empty when the
// tokens cannot be aligned in `frames` frames (or tokens is empty).
std::vector<TokenSpan> CtcAlign(const float* log_probs, int64_t frames, int vocab, int blank,
                                const std::vector<int>& tokens);

// Spans from attention: row i of `attention` ([tokens + 1, frames]) peaks at
// token i's frame; spans run from one peak to the next, kept monotonic.
// Confidence is the peak weight.
std::vector<TokenSpan> AttentionAlign(const nn::Tensor& attention, const std::vector<int>& tokens);

struct WordSpan {
  std::string word;
  int64_t start_frame = 0;
  int64_t end_frame = 0;
  float confidence = 0;  // the lowest token confidence in the word
  int first_token = 0;   // the word's tokens: spans[first_token, end_token)
  int end_token = 0;
};

// Groups token spans into words at the vocabulary's <space> token.
std::vector<WordSpan> GroupWords(const std::vector<TokenSpan>& spans, const Vocabulary& vocab);

}  // namespace attend::decoder
