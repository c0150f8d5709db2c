// The tiny model the training tests use (23 mel bins, 2×48 BiLSTM, 4×
// reduction, small location-aware attention decoder).
#pragma once

#include "model/asr_model.h"

namespace attend::training::testing {

inline model::AsrModelConfig TinyModelConfig() {
  model::AsrModelConfig c;
  c.fbank.mel.num_bins = 23;
  c.encoder.input_dim = 23;
  c.encoder.num_layers = 2;
  c.encoder.hidden_dim = 48;
  c.encoder.reduction = 4;
  c.decoder.embedding_dim = 16;
  c.decoder.hidden_dim = 64;
  c.decoder.attention.type = "location";
  c.decoder.attention.attention_dim = 32;
  c.ctc_weight = 0.3f;
  return c;
}

}  // namespace attend::training::testing
