// The abstract step decoder that beam search drives (STYLE 13, after
// CTranslate2's decoding.h). The attention decoder implements it; tests use a
// fake with fixed score tables. Search owns hypotheses and scores; the step
// decoder owns its recurrent state, one row per live hypothesis.
//
// Rows: decoding N utterances with B rows each uses N·B rows; row r belongs to
// utterance r / B. Row states never move between utterances.
#pragma once

#include <cstdint>
#include <vector>

#include "nn/tensor.h"

namespace attend::decoder {

class StepDecoder {
 public:
  virtual ~StepDecoder() = default;

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
                     int rows_per_utterance) = 0;

  // Advances every row by one token: tokens[r] is row r's previous output
  // (sos_id() on the first step). Writes log-probabilities [rows, V] and, when
  // attention is not null, the attention weights [rows, T'] that produced
  // them (zero on padded frames).
  virtual void Step(const std::vector<int>& tokens, nn::Tensor* log_probs,
                    nn::Tensor* attention) = 0;

  // Reorders the row states after a search step: new row i continues the
  // state of old row origins[i] (an old row may be copied to several new rows
  // or dropped). origins has one entry per row and never crosses utterances.
  virtual void Reorder(const std::vector<int>& origins) = 0;
};

}  // namespace attend::decoder
