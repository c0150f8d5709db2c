// A trainable parameter: its value, its gradient (same shape), a name used in
// model files, and a version that changes whenever the value changes, so a
// layer holding a reordered (oneDNN-blocked) copy knows when to refresh it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/random.h"
#include "nn/tensor.h"

namespace attend::nn {

struct Parameter {
  Parameter(std::string name, Shape shape);

  std::string name;
  Tensor value;
  Tensor grad;

  // Call after writing `value` (optimizer step, load, init).
  void MarkUpdated() { ++version_; }
  uint64_t version() const { return version_; }

 private:
  uint64_t version_ = 1;
};

// Fills with U(-bound, bound), PyTorch's default for linear and RNN layers
// (bound = 1/sqrt(fan_in)).
void InitUniform(Parameter* p, float bound, Rng* rng);
// Zeroes the gradients of all parameters.
void ZeroGrad(const std::vector<Parameter*>& params);

}  // namespace attend::nn
