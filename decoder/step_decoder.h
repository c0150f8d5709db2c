// The abstract step decoder that beam search drives (STYLE 13, after
// CTranslate2's decoding.h). The attention decoder implements it; tests use a
// fake with fixed score tables. Search owns hypotheses and scores; the
// recurrent state, one row per live hypothesis, is a DecoderState the caller
// owns and passes to every call (CTranslate2's DecoderState&), so one const
// decoder serves any number of threads, each with its own state.
//
// Rows: decoding N utterances with B rows each uses N·B rows; row r belongs to
// utterance r / B. Row states never move between utterances.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "nn/tensor.h"

namespace attend::decoder {

// A decoder's per-decode state: the rows' recurrent state, attention memory
// and work buffers. Made by StepDecoder::NewState() and only meaningful to
// the decoder that made it; one thread at a time.
class DecoderState {
 public:
  virtual ~DecoderState() = default;
};

class StepDecoder {
 public:
  virtual ~StepDecoder() = default;
  // A fresh state for Start().
  virtual std::unique_ptr<DecoderState> NewState() const = 0;

  // Output vocabulary size V (log_probs has V columns).
  virtual int vocab_size() const = 0;
  // The token fed on the first step and the token that ends a sentence (the
  // same id in ESPnet-style vocabularies: <sos/eos>).
  virtual int sos_id() const = 0;
  virtual int eos_id() const = 0;

  // Starts decoding a batch. encoder_out: [T', N, D] tnc; lengths: N valid
  // frame counts (frames at or past a length are padding and get no
  // attention). Every row starts from the initial state.
  virtual void Start(const nn::Tensor& encoder_out, const std::vector<int64_t>& lengths,
                     int rows_per_utterance, DecoderState* state) const = 0;

  // Advances every row by one token: tokens[r] is row r's previous output
  // (sos_id() on the first step). Writes log-probabilities [rows, V] and, when
  // attention is not null, the attention weights [rows, T'] that produced
  // them (zero on padded frames).
  virtual void Step(const std::vector<int>& tokens, DecoderState* state, nn::Tensor* log_probs,
                    nn::Tensor* attention) const = 0;

  // Attention heads H; Step's `attention` is their mean.
  virtual int attention_heads() const { return 1; }
  // After Step (before Reorder): each head's weights of that step [rows, H, T']
  // (resized; zero on padded frames). Called only when attention_heads() > 1.
  virtual void HeadAttention(const DecoderState& /*state*/, nn::Tensor* /*heads*/) const {}

  // Reorders the row states after a search step: new row i continues the
  // state of old row origins[i] (an old row may be copied to several new rows
  // or dropped). origins has one entry per row and never crosses utterances.
  virtual void Reorder(const std::vector<int>& origins, DecoderState* state) const = 0;
};

}  // namespace attend::decoder
