// A StepDecoder with fixed, history-dependent score tables (STYLE 13): the
// log-probabilities of row r depend only on its utterance and the tokens it
// has emitted, through a hash, so search can be checked against exhaustive
// enumeration. Attention is a deterministic bump that moves with the step.
#pragma once

#include <cmath>
#include <cstdint>
#include <memory>
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

  // The rows' emitted tokens and the batch they belong to.
  struct State : DecoderState {
    int rows_per_utterance = 1;
    int64_t frames = 0;
    std::vector<int64_t> lengths;
    std::vector<uint64_t> utterance_seed;
    std::vector<std::vector<int>> prefixes;
    bool first_step = true;
  };

  std::unique_ptr<DecoderState> NewState() const override { return std::make_unique<State>(); }

  void Start(const nn::Tensor& encoder_out, const std::vector<int64_t>& lengths,
             int rows_per_utterance, DecoderState* state) const override {
    auto& s = static_cast<State&>(*state);
    s.rows_per_utterance = rows_per_utterance;
    s.frames = encoder_out.dim(0);
    s.lengths = lengths;
    const int64_t n = encoder_out.dim(1), d = encoder_out.dim(2);
    s.utterance_seed.assign(n, 0);
    for (int64_t u = 0; u < n; ++u)
      s.utterance_seed[u] = static_cast<uint64_t>(std::llround(encoder_out[u * d] * 1000));
    s.prefixes.assign(n * rows_per_utterance, {});
    s.first_step = true;
    last_seeds_ = s.utterance_seed;
    ++starts;
  }

  void Step(const std::vector<int>& tokens, DecoderState* state, nn::Tensor* log_probs,
            nn::Tensor* attention) const override {
    auto& s = static_cast<State&>(*state);
    const int rows = static_cast<int>(s.prefixes.size());
    log_probs->Resize({rows, vocab_});
    if (attention != nullptr) attention->Resize({rows, s.frames});
    for (int r = 0; r < rows; ++r) {
      if (!s.first_step) s.prefixes[r].push_back(tokens[r]);  // the first token is <sos>
      const int u = r / s.rows_per_utterance;
      TableForSeed(s.utterance_seed[u], s.prefixes[r],
                   log_probs->data() + static_cast<int64_t>(r) * vocab_);
      if (attention != nullptr) {
        float* a = attention->data() + static_cast<int64_t>(r) * s.frames;
        for (int64_t t = 0; t < s.frames; ++t) a[t] = 0;
        if (s.lengths[u] > 0) a[static_cast<int64_t>(s.prefixes[r].size()) % s.lengths[u]] = 1.0f;
      }
    }
    s.first_step = false;
    ++steps;
  }

  void Reorder(const std::vector<int>& origins, DecoderState* state) const override {
    auto& s = static_cast<State&>(*state);
    std::vector<std::vector<int>> next(origins.size());
    for (size_t i = 0; i < origins.size(); ++i) next[i] = s.prefixes[origins[i]];
    s.prefixes = std::move(next);
  }

  // The log-probabilities after `prefix` (tokens emitted, <sos> excluded) for
  // utterance u of the latest Start().
  void Table(int u, const std::vector<int>& prefix, float* out) const {
    TableForSeed(last_seeds_[u], prefix, out);
  }
  // The same for the utterance with this seed (State::utterance_seed).
  void TableForSeed(uint64_t seed, const std::vector<int>& prefix, float* out) const {
    uint64_t h = 1469598103934665603ull ^ seed;
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

  // Calls so far (counters for tests, hence mutable).
  mutable int starts = 0;
  mutable int steps = 0;

 private:
  int vocab_;
  float sharpness_;
  mutable std::vector<uint64_t> last_seeds_;  // the latest Start()'s, for Table()
};

}  // namespace attend::decoder::testing
