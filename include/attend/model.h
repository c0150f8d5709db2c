// A loaded attend model: weights (reordered once for oneDNN), config,
// vocabulary and CMVN. Immutable after Load() and shared, as
// std::shared_ptr<const Model>, by every Recognizer and thread that decodes
// with it: what a decode changes lives in each Recognizer, not here.
//
//   std::shared_ptr<const attend::Model> model = attend::Model::Load("models/default.attend");
//   auto a = attend::Recognizer::Create(model);  // one per thread,
//   auto b = attend::Recognizer::Create(model);  // one copy of the weights
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace attend {

namespace model {
class AsrModel;
}

class Model {
 public:
  // Reads a model file. Throws std::runtime_error (attend::Error) naming the
  // file when it is missing, corrupt or incompatible.
  static std::shared_ptr<const Model> Load(const std::string& path);
  ~Model();
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  // The model's token list, by id.
  std::vector<std::string> Tokens() const;
  // The sample rate (Hz) the model's features are computed at.
  int SampleRate() const;

  // The network, for the library's own modules (its header is internal).
  const model::AsrModel& network() const { return *network_; }

 private:
  explicit Model(std::unique_ptr<const model::AsrModel> network);
  std::unique_ptr<const model::AsrModel> network_;
};

}  // namespace attend
