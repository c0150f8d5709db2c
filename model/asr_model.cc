#include "model/asr_model.h"

#include <cstring>

#include <boost/program_options.hpp>

#include "base/config_text.h"
#include "base/error.h"
#include "nn/parameter_budget.h"

namespace attend::model {

namespace po = boost::program_options;

AsrModelConfig::AsrModelConfig() {
  // The small default that trains on one machine; recipes override it.
  encoder.input_dim = fbank.mel.num_bins;
}

void AsrModelConfig::Register(po::options_description* desc) {
  fbank.Register(desc);
  cmvn.Register(desc);
  encoder.Register(desc);
  decoder.Register(desc);
  text.Register(desc);
  desc->add_options()("ctc-weight", po::value(&ctc_weight)->default_value(ctc_weight),
                      "λ of the joint CTC/attention loss and the decoding default, in [0, 1]");
}

void AsrModelConfig::Validate() const {
  fbank.Validate();
  cmvn.Validate();
  encoder.Validate();
  decoder.Validate();
  text.Validate();
  ATTEND_CHECK(ctc_weight >= 0 && ctc_weight <= 1, "--ctc-weight must be in [0, 1], got ",
               ctc_weight);
  const int64_t feature_dim = fbank.mel.num_bins + (fbank.use_energy ? 1 : 0);
  ATTEND_CHECK(encoder.input_dim == feature_dim, "--encoder.input_dim (", encoder.input_dim,
               ") must equal the feature dimension (", feature_dim, " from --num-mel-bins",
               fbank.use_energy ? " and --use-energy" : "", ")");
}

std::string AsrModelConfig::ToString() const {
  AsrModelConfig copy = *this;  // Register binds to fields; keep this const
  po::options_description desc;
  copy.Register(&desc);
  return ConfigText(desc);
}

AsrModelConfig AsrModelConfig::FromString(const std::string& text, const std::string& source) {
  AsrModelConfig config;
  po::options_description desc;
  config.Register(&desc);
  ParseConfigText(text, desc, source);
  config.Validate();
  return config;
}

AsrModel::AsrModel(const AsrModelConfig& config, const decoder::Vocabulary& vocab)
    : config_((config.Validate(), config)),
      vocab_(vocab),
      encoder_(config.encoder),
      ctc_("ctc", encoder_.config().OutputDim(), vocab.size()),
      decoder_("decoder", config.decoder, encoder_.config().OutputDim(), vocab.size(),
               decoder::Vocabulary::kSosEos) {}

void AsrModel::Init(Rng* rng) {
  encoder_.Init(rng);
  ctc_.Init(rng);
  decoder_.Init(rng);
}

std::vector<nn::Parameter*> AsrModel::Parameters() {
  std::vector<nn::Parameter*> params = encoder_.Parameters();
  for (nn::Parameter* p : ctc_.Parameters()) params.push_back(p);
  for (nn::Parameter* p : decoder_.Parameters()) params.push_back(p);
  return params;
}

void AsrModel::SetCmvn(const frontend::CmvnStats& stats) {
  ATTEND_CHECK(stats.Dim() == config_.encoder.input_dim, "CMVN statistics have dimension ",
               stats.Dim(), ", the model's features ", config_.encoder.input_dim);
  cmvn_.emplace(stats, config_.cmvn);
}

double AsrModel::seconds_per_encoder_frame() const {
  return config_.fbank.frame.frame_shift_ms * 1e-3 * static_cast<double>(config_.encoder.reduction);
}

nn::ModelFile AsrModel::ToModelFile(Storage storage) const {
  nn::ModelFile file;
  file.config = config_.ToString();
  vocab_.Save(&file);
  if (cmvn_) {
    const int64_t dim = cmvn_->Dim();
    nn::Tensor mean({dim}), inv_std({dim});
    std::memcpy(mean.data(), cmvn_->mean().data(), dim * sizeof(float));
    std::memcpy(inv_std.data(), cmvn_->inv_std().data(), dim * sizeof(float));
    file.tensors.emplace("cmvn.mean", std::move(mean));
    file.tensors.emplace("cmvn.inv_std", std::move(inv_std));
  }
  for (nn::Parameter* p : const_cast<AsrModel*>(this)->Parameters()) {
    ATTEND_ASSERT(!file.tensors.count(p->name), "two parameters named ", p->name);
    file.tensors.emplace(p->name, p->value);
    if (storage == Storage::kBfloat16 && p->value.rank() >= 2) file.bf16.insert(p->name);
  }
  return file;
}

void AsrModel::Save(const std::string& path, Storage storage) const {
  ToModelFile(storage).Save(path);
}

std::unique_ptr<AsrModel> AsrModel::FromModelFile(const nn::ModelFile& file,
                                                  const std::string& source) {
  AsrModelConfig config = AsrModelConfig::FromString(file.config, source);
  // Every parameter the config creates must be in the file, except the unused
  // bias of a linear layer without one (no larger than its weight, which is
  // in the file): twice the file's elements, and some slack, is a safe cap.
  int64_t file_elements = 0;
  for (const auto& [name, tensor] : file.tensors) file_elements += tensor.size();
  std::unique_ptr<AsrModel> model;
  {
    const nn::ParameterBudget budget(2 * file_elements + 65536, source);
    model = std::make_unique<AsrModel>(config, decoder::Vocabulary::Load(file, source));
  }
  for (nn::Parameter* p : model->Parameters()) {
    const nn::Tensor& t = file.Get(p->name, source);
    ATTEND_CHECK(t.shape() == p->value.shape(), "tensor '", p->name, "' has shape ",
                 nn::ShapeToString(t.shape()), ", the config needs ",
                 nn::ShapeToString(p->value.shape()), " (", source, ")");
    p->value = t;
    p->MarkUpdated();
  }
  if (file.tensors.count("cmvn.mean")) {
    const nn::Tensor& mean = file.Get("cmvn.mean", source);
    const nn::Tensor& inv_std = file.Get("cmvn.inv_std", source);
    ATTEND_CHECK(mean.size() == config.encoder.input_dim && inv_std.size() == mean.size(),
                 "CMVN tensors do not match the feature dimension ", config.encoder.input_dim, " (",
                 source, ")");
    model->cmvn_.emplace(std::vector<float>(mean.data(), mean.data() + mean.size()),
                         std::vector<float>(inv_std.data(), inv_std.data() + inv_std.size()),
                         config.cmvn);
  }
  return model;
}

std::unique_ptr<AsrModel> AsrModel::Load(const std::string& path) {
  return FromModelFile(nn::ModelFile::Load(path), path);
}

}  // namespace attend::model
