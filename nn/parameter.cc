#include "nn/parameter.h"

namespace attend::nn {

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
