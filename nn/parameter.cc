#include "nn/parameter.h"

namespace attend::nn {

Gradient& Gradient::operator=(const Tensor& t) {
  tensor_ = t;
  shape_ = t.shape();
  allocated_ = true;
  return *this;
}

void Gradient::Release() {
  tensor_ = Tensor();
  allocated_ = false;
}

void Gradient::Allocate() const {
  if (allocated_) return;
  tensor_ = Tensor(shape_);
  allocated_ = true;
}

Parameter::Parameter(std::string name_in, Shape shape)
    : name(std::move(name_in)), value(shape), grad(shape) {}

void InitUniform(Parameter* p, float bound, Rng* rng) {
  for (int64_t i = 0; i < p->value.size(); ++i) p->value[i] = rng->Uniform(-bound, bound);
  p->MarkUpdated();
}

void ZeroGrad(const std::vector<Parameter*>& params) {
  for (Parameter* p : params) p->grad.SetZero();
}

}  // namespace attend::nn
