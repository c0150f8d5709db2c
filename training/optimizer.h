// The optimizer of `attend train`, chosen by --optimizer:
//   adam      nn::Adam (AdamW with --adam-weight-decay); the default
//   adadelta  nn::AdaDelta, the original attention-ASR recipes' choice (ESPnet:
//             rho 0.95, eps 1e-8, learning rate 1: use --lr 1
//             --lr-schedule constant --warmup-steps 0, or plateau)
// The learning rate always comes from the schedule (--lr), so the optimizers'
// own --*-learning-rate flags are not registered. A checkpoint holds the
// state of the optimizer that wrote it ("adam.*" or "adadelta.*" tensors);
// resuming with the other one is an error that says so.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/program_options/options_description.hpp>

#include "nn/adadelta.h"
#include "nn/adam.h"
#include "nn/model_file.h"
#include "nn/parameter.h"

namespace attend::training {

struct OptimizerOptions {
  std::string type = "adam";     // --optimizer: adam | adadelta
  nn::AdamOptions adam;          // --adam-beta1/2, --adam-epsilon, --adam-weight-decay
  nn::AdaDeltaOptions adadelta;  // --adadelta-rho, --adadelta-epsilon, --adadelta-weight-decay

  void Register(boost::program_options::options_description* desc);
  // Throws attend::Error naming the flag and the bad value.
  void Validate() const;
};

class Optimizer {
 public:
  Optimizer(std::vector<nn::Parameter*> params, const OptimizerOptions& options);

  // One update at `learning_rate` from the parameters' current gradients.
  void Step(float learning_rate);
  int64_t step_count() const;
  const std::string& type() const { return options_.type; }

  // The optimizer's state as "adam.*" or "adadelta.*" tensors (checkpoints).
  void Save(nn::ModelFile* file) const;
  // Throws attend::Error naming `path` when it holds the other optimizer's
  // state (or none), a missing tensor or a shape mismatch.
  void Load(const nn::ModelFile& file, const std::string& path);

 private:
  OptimizerOptions options_;
  std::unique_ptr<nn::Adam> adam_;  // exactly one of the two is set
  std::unique_ptr<nn::AdaDelta> adadelta_;
};

}  // namespace attend::training
