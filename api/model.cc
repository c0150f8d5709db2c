#include "attend/model.h"

#include "model/asr_model.h"

namespace attend {

Model::Model(std::unique_ptr<const model::AsrModel> network) : network_(std::move(network)) {}

Model::~Model() = default;

std::shared_ptr<const Model> Model::Load(const std::string& path) {
  return std::shared_ptr<const Model>(new Model(model::AsrModel::Load(path)));
}

std::vector<std::string> Model::Tokens() const {
  std::vector<std::string> tokens;
  for (int id = 0; id < network_->vocab().size(); ++id)
    tokens.push_back(network_->vocab().Token(id));
  return tokens;
}

int Model::SampleRate() const { return static_cast<int>(network_->config().fbank.frame.samp_freq); }

}  // namespace attend
