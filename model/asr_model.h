// The recognizer's network as one unit: the feature configuration it was
// trained with, global CMVN, the encoder, the CTC head, the attention decoder
// and the vocabulary. A model file (nn/model_file.h) holds its config text
// (AsrModelConfig, `name = value`), the vocabulary, the CMVN statistics
// ("cmvn.mean", "cmvn.inv_std") and every parameter under its own name
// ("encoder.*", "ctc.*", "decoder.*").
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/program_options/options_description.hpp>

#include "acoustic/encoder.h"
#include "base/random.h"
#include "decoder/attention_decoder.h"
#include "decoder/ctc.h"
#include "decoder/text_normalizer.h"
#include "decoder/vocabulary.h"
#include "frontend/cmvn.h"
#include "frontend/fbank.h"
#include "nn/model_file.h"

namespace attend::model {

struct AsrModelConfig {
  frontend::FbankOptions fbank;     // features the model expects (Kaldi names)
  frontend::CmvnOptions cmvn;       // how the stored statistics are applied
  acoustic::EncoderConfig encoder;  // encoder.* options
  decoder::AttentionDecoderConfig decoder;
  decoder::TextNormalizerOptions text;  // normalization of transcripts
  float ctc_weight = 0.3f;              // λ: training loss weight and decoding default

  AsrModelConfig();
  // Every option of every part (names as flags and config-file keys).
  void Register(boost::program_options::options_description* desc);
  // Throws attend::Error naming the bad option; also checks that the encoder's
  // input dimension equals the features' dimension.
  void Validate() const;
  // `name = value` lines for every option (base/config_text.h).
  std::string ToString() const;
  // Parses ToString()'s text (unknown keys ignored) and validates.
  static AsrModelConfig FromString(const std::string& text, const std::string& source);
};

class AsrModel {
 public:
  // A model with zero parameters and no CMVN; call Init() to train from scratch.
  AsrModel(const AsrModelConfig& config, const decoder::Vocabulary& vocab);

  // Reads a model file; throws attend::Error naming the file on any mismatch
  // (missing tensor, wrong shape, bad config).
  static std::unique_ptr<AsrModel> Load(const std::string& path);
  // Builds from an already parsed model file (`source` names it in errors).
  static std::unique_ptr<AsrModel> FromModelFile(const nn::ModelFile& file,
                                                 const std::string& source);
  // How Save() stores the weights: float32, or bfloat16 for every parameter
  // matrix (half the file; biases, CMVN and vocabulary stay float32).
  enum class Storage { kFloat32, kBfloat16 };
  // Writes config, vocabulary, CMVN and parameters atomically.
  void Save(const std::string& path, Storage storage = Storage::kFloat32) const;
  nn::ModelFile ToModelFile(Storage storage = Storage::kFloat32) const;

  // PyTorch-style initialization of every parameter.
  void Init(Rng* rng);
  // Global CMVN from accumulated statistics (replaces any previous one).
  void SetCmvn(const frontend::CmvnStats& stats);
  // Null when the model has no CMVN.
  const frontend::Cmvn* cmvn() const { return cmvn_ ? &*cmvn_ : nullptr; }

  const AsrModelConfig& config() const { return config_; }
  const decoder::Vocabulary& vocab() const { return vocab_; }
  // Training changes the parameters through these; inference uses the const
  // ones, whose Forward calls take the caller's state.
  acoustic::Encoder& encoder() { return encoder_; }
  decoder::Ctc& ctc() { return ctc_; }
  decoder::AttentionDecoder& decoder() { return decoder_; }
  const acoustic::Encoder& encoder() const { return encoder_; }
  const decoder::Ctc& ctc() const { return ctc_; }
  const decoder::AttentionDecoder& decoder() const { return decoder_; }
  // The arithmetic of the recurrent layers, encoder and decoder (f32, or bf16
  // with f32 master weights); see Encoder and AttentionDecoder::set_compute_type.
  void set_compute_type(nn::ComputeType type) {
    encoder_.set_compute_type(type);
    decoder_.set_compute_type(type);
  }
  std::vector<nn::Parameter*> Parameters();

  // Seconds between two encoder output frames (frame shift × time reduction).
  double seconds_per_encoder_frame() const;

 private:
  AsrModelConfig config_;
  decoder::Vocabulary vocab_;
  std::optional<frontend::Cmvn> cmvn_;
  acoustic::Encoder encoder_;
  decoder::Ctc ctc_;
  decoder::AttentionDecoder decoder_;
};

}  // namespace attend::model
