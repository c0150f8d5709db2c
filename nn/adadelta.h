// AdaDelta (Zeiler 2012), the optimizer of the original attention-ASR recipes
// (ESPnet's default: rho 0.95, eps 1e-8, learning rate 1), matching
// torch.optim.Adadelta step for step:
//   g  += weight_decay · w                              (L2, coupled, as torch)
//   E[g²]  = rho · E[g²] + (1 − rho) · g²
//   Δ      = sqrt(E[Δ²] + eps) / sqrt(E[g²] + eps) · g
//   E[Δ²]  = rho · E[Δ²] + (1 − rho) · Δ²
//   w     −= learning_rate · Δ
// The two running averages are kept per parameter (by position in the list
// the optimizer was built with); each parameter is marked updated so layers
// refresh their reordered weight copies.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <boost/program_options/options_description.hpp>

#include "nn/model_file.h"
#include "nn/parameter.h"

namespace attend::nn {

struct AdaDeltaOptions {
  float learning_rate = 1.0f;  // scale of the update (1 = Zeiler's AdaDelta)
  float rho = 0.95f;           // decay of both running averages, in [0, 1)
  float epsilon = 1e-8f;       // added inside both square roots, > 0
  float weight_decay = 0.0f;   // L2 penalty added to the gradient (torch's), >= 0; 0 = off

  // --adadelta-learning-rate, --adadelta-rho, --adadelta-epsilon, --adadelta-weight-decay.
  void Register(boost::program_options::options_description* desc);
  // Throws attend::Error naming the flag and the bad value.
  void Validate() const;
  std::string ToString() const;
};

class AdaDelta {
 public:
  AdaDelta(std::vector<Parameter*> params, const AdaDeltaOptions& options);

  // One update from the parameters' current gradients (gradients are not
  // modified, the weight decay term included).
  void Step();
  // Changes the learning rate (schedules).
  void set_learning_rate(float lr) { options_.learning_rate = lr; }
  float learning_rate() const { return options_.learning_rate; }
  int64_t step_count() const { return step_; }

  // The averages and the step count as tensors "adadelta.step",
  // "adadelta.square_avg.<name>", "adadelta.acc_delta.<name>" (checkpoints);
  // Load throws attend::Error naming `path` on a missing tensor or a shape
  // mismatch.
  void Save(ModelFile* file) const;
  void Load(const ModelFile& file, const std::string& path = "");

 private:
  std::vector<Parameter*> params_;
  AdaDeltaOptions options_;
  std::vector<Tensor> square_avg_, acc_delta_;
  int64_t step_ = 0;
};

}  // namespace attend::nn
