// Adam (Kingma & Ba 2015) over any set of nn::Parameter, with optional
// decoupled weight decay (AdamW, Loshchilov & Hutter 2019), matching
// torch.optim.Adam / AdamW step for step. The optimizer keeps its moments per
// parameter (by position in the list it was built with) and marks each
// parameter updated so layers refresh their reordered weight copies.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <boost/program_options/options_description.hpp>

#include "nn/model_file.h"
#include "nn/parameter.h"

namespace attend::nn {

struct AdamOptions {
  float learning_rate = 1e-3f;  // step size
  float beta1 = 0.9f;           // decay of the first moment
  float beta2 = 0.999f;         // decay of the second moment
  float epsilon = 1e-8f;        // added to sqrt(second moment)
  float weight_decay = 0.0f;  // decoupled (AdamW) decay per step, times the learning rate; 0 = off

  void Register(boost::program_options::options_description* desc);
  // Throws attend::Error naming the flag (--adam-beta1, ...) and the bad value.
  void Validate() const;
  std::string ToString() const;
};

class Adam {
 public:
  Adam(std::vector<Parameter*> params, const AdamOptions& options);

  // One update from the parameters' current gradients (gradients are not zeroed).
  void Step();
  // Changes the learning rate (schedules).
  void set_learning_rate(float lr) { options_.learning_rate = lr; }
  float learning_rate() const { return options_.learning_rate; }
  int64_t step_count() const { return step_; }

  // The moments and step count as tensors "adam.step", "adam.m.<name>",
  // "adam.v.<name>" (checkpoints); Load throws attend::Error naming `file` on
  // a missing tensor or a shape mismatch.
  void Save(ModelFile* file) const;
  void Load(const ModelFile& file, const std::string& path = "");

 private:
  std::vector<Parameter*> params_;
  AdamOptions options_;
  std::vector<Tensor> m_, v_;
  int64_t step_ = 0;
};

}  // namespace attend::nn
