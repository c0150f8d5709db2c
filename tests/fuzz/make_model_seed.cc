// Writes the model-file fuzz target's seed: a tiny model (8 mel bins, one
// 4-unit bidirectional LSTM layer, a 4-unit decoder with 4-dimensional location
// attention, a five-character vocabulary), randomly initialized, with CMVN,
// stored as float32 (format version 1) or bfloat16 (version 2).
//   fuzz_make_model_seed OUT.attend [bf16]
#include <iostream>
#include <string>

#include "base/random.h"
#include "model/asr_model.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: fuzz_make_model_seed OUT.attend [bf16]\n";
    return 2;
  }
  using attend::model::AsrModel;
  attend::model::AsrModelConfig c;
  c.fbank.mel.num_bins = 8;
  c.encoder.input_dim = 8;
  c.encoder.num_layers = 1;
  c.encoder.hidden_dim = 4;
  c.encoder.reduction = 2;
  c.decoder.embedding_dim = 4;
  c.decoder.hidden_dim = 4;
  c.decoder.attention.type = "location";
  c.decoder.attention.attention_dim = 4;
  c.decoder.attention.location_filters = 2;
  c.decoder.attention.location_kernel = 3;
  AsrModel model(c, attend::decoder::Vocabulary::FromTexts({"abc de"}));
  attend::Rng rng(1);
  model.Init(&rng);
  attend::frontend::Matrix feats(4, 8);
  for (int64_t i = 0; i < feats.rows() * feats.cols(); ++i) feats.data()[i] = 0.25f * (i % 7);
  attend::frontend::CmvnStats stats;
  stats.Accumulate(feats);
  model.SetCmvn(stats);
  const bool bf16 = argc > 2 && std::string(argv[2]) == "bf16";
  model.Save(argv[1], bf16 ? AsrModel::Storage::kBfloat16 : AsrModel::Storage::kFloat32);
  return 0;
}
