// A StepDecoder with fixed, history-dependent score tables (STYLE 13): the
// log-probabilities of row r depend only on its utterance and the tokens it
// has emitted, through a hash, so search can be checked against exhaustive
// enumeration. Attention is a deterministic bump that moves with the step.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "decoder/step_decoder.h"

namespace attend::decoder::testing {

class FakeStepDecoder : public StepDecoder {
 public:
  // vocab: V ids; 0 = blank, 1 = <sos/eos>, 2.. = tokens. sharpness scales the
  // random logits (larger = more peaked distributions).
  explicit FakeStepDecoder(int vocab, float sharpness = 2.0f)
      : vocab_(vocab), sharpness_(sharpness) {}

  int vocab_size() const override { return vocab_; }
  int sos_id() const override { return 1; }
  int eos_id() const override { return 1; }

  void Start(const nn::Tensor& encoder_out, const std::vector<int64_t>& lengths,
             int rows_per_utterance) override {
    rows_per_utterance_ = rows_per_utterance;
    frames_ = encoder_out.dim(0);
    lengths_ = lengths;
    const int64_t n = encoder_out.dim(1), d = encoder_out.dim(2);
    utterance_seed_.assign(n, 0);
    for (int64_t u = 0; u < n; ++u)
      utterance_seed_[u] = static_cast<uint64_t>(std::llround(encoder_out[u * d] * 1000));
    prefixes_.assign(n * rows_per_utterance, {});
    first_step_ = true;
    ++starts;
  }

  void Step(const std::vector<int>& tokens, nn::Tensor* log_probs, nn::Tensor* attention) override {
    const int rows = static_cast<int>(prefixes_.size());
    log_probs->Resize({rows, vocab_});
    if (attention != nullptr) attention->Resize({rows, frames_});
    for (int r = 0; r < rows; ++r) {
      if (!first_step_) prefixes_[r].push_back(tokens[r]);  // the first token is <sos>
      const int u = r / rows_per_utterance_;
      Table(u, prefixes_[r], log_probs->data() + static_cast<int64_t>(r) * vocab_);
      if (attention != nullptr) {
        float* a = attention->data() + static_cast<int64_t>(r) * frames_;
        for (int64_t t = 0; t < frames_; ++t) a[t] = 0;
        if (lengths_[u] > 0) a[static_cast<int64_t>(prefixes_[r].size()) % lengths_[u]] = 1.0f;
      }
    }
    first_step_ = false;
    ++steps;
  }

  void Reorder(const std::vector<int>& origins) override {
    std::vector<std::vector<int>> next(origins.size());
    for (size_t i = 0; i < origins.size(); ++i) next[i] = prefixes_[origins[i]];
    prefixes_ = std::move(next);
  }

  // The log-probabilities after `prefix` (tokens emitted, <sos> excluded) for utterance u.
  void Table(int u, const std::vector<int>& prefix, float* out) const {
    uint64_t h = 1469598103934665603ull ^ utterance_seed_[u];
    for (int t : prefix) h = (h ^ static_cast<uint64_t>(t + 7)) * 1099511628211ull;
    float max = -1e30f;
    std::vector<float> logits(vocab_);
    for (int c = 0; c < vocab_; ++c) {
      uint64_t x = (h ^ static_cast<uint64_t>(c * 0x9E3779B97F4A7C15ull)) * 0xBF58476D1CE4E5B9ull;
      x ^= x >> 31;
      logits[c] = c == 0 ? -1e9f : sharpness_ * static_cast<float>((x >> 11) * 0x1.0p-53);
      max = std::max(max, logits[c]);
    }
    double z = 0;
    for (int c = 0; c < vocab_; ++c) z += std::exp(logits[c] - max);
    for (int c = 0; c < vocab_; ++c) out[c] = logits[c] - max - static_cast<float>(std::log(z));
  }

  int starts = 0;
  int steps = 0;

 private:
  int vocab_;
  float sharpness_;
  int rows_per_utterance_ = 1;
  int64_t frames_ = 0;
  std::vector<int64_t> lengths_;
  std::vector<uint64_t> utterance_seed_;
  std::vector<std::vector<int>> prefixes_;
  bool first_step_ = true;
};

}  // namespace attend::decoder::testing
