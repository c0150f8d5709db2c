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

// A parameter's gradient. It reads and writes as a zero-filled tensor of the
// parameter's shape (the layers, optimizers and tests use it as one), but its
// buffer is allocated on first use: a model loaded only to decode never
// touches it and so holds no gradients, which would cost as much memory as
// the weights (17 MB of the bundled model's 200 MB decoding budget).
class Gradient {
 public:
  explicit Gradient(Shape shape) : shape_(std::move(shape)) {}

  // The tensor, allocated (zeros) on first use.
  Tensor& tensor() {
    Allocate();
    return tensor_;
  }
  const Tensor& tensor() const {
    Allocate();
    return tensor_;
  }
  operator Tensor&() { return tensor(); }
  operator const Tensor&() const { return tensor(); }
  // Replaces the gradient (its shape becomes t's).
  Gradient& operator=(const Tensor& t);

  // The part of Tensor's interface that callers use.
  const Shape& shape() const { return shape_; }
  int64_t dim(size_t i) const { return shape_.at(i); }
  size_t rank() const { return shape_.size(); }
  int64_t size() const { return NumElements(shape_); }
  float* data() { return tensor().data(); }
  const float* data() const { return tensor().data(); }
  float& operator[](int64_t i) { return tensor()[i]; }
  float operator[](int64_t i) const { return tensor()[i]; }
  void Fill(float value) { tensor().Fill(value); }
  void SetZero() { tensor().SetZero(); }

  // Whether the buffer exists (decoding keeps it false).
  bool allocated() const { return allocated_; }
  // Frees the buffer; the next use allocates zeros again.
  void Release();

 private:
  void Allocate() const;

  Shape shape_;
  mutable Tensor tensor_;
  mutable bool allocated_ = false;
};

struct Parameter {
  Parameter(std::string name, Shape shape);

  std::string name;
  Tensor value;
  Gradient grad;

  // Call after writing `value` (optimizer step, load, init).
  void MarkUpdated() { ++version_; }
  uint64_t version() const { return version_; }

 private:
  uint64_t version_ = 1;
};

// Fills with U(-bound, bound), PyTorch's default for linear and RNN layers
// (bound = 1/sqrt(fan_in)).
void InitUniform(Parameter* p, float bound, Rng* rng);
// Zeroes the gradients of all parameters (allocating them on the first call).
void ZeroGrad(const std::vector<Parameter*>& params);

}  // namespace attend::nn
