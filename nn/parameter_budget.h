// A cap on the parameters a model may create while it is built from a file:
// the parameters of a model read from a model file must be in the file, so a
// config asking for far more weights than the file holds is corrupt or
// hostile, and fails before it allocates what it asks (a few bytes of config
// text could otherwise ask for terabytes).
#pragma once

#include <cstdint>
#include <string>

#include "nn/tensor.h"

namespace attend::nn {

// While one exists, the Parameters constructed on its thread may hold
// `elements` floats in all; the one that would go beyond throws attend::Error
// naming `source`, before its buffer is allocated. Not nested.
class ParameterBudget {
 public:
  ParameterBudget(int64_t elements, std::string source);
  ~ParameterBudget();
  ParameterBudget(const ParameterBudget&) = delete;
  ParameterBudget& operator=(const ParameterBudget&) = delete;

  // Takes the elements of `shape` (parameter `name`) from the thread's budget,
  // if there is one.
  static void Charge(const std::string& name, const Shape& shape);

 private:
  int64_t remaining_;
  std::string source_;
};

}  // namespace attend::nn
