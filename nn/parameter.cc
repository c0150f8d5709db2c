#include "nn/parameter.h"

#include "base/error.h"
#include "nn/parameter_budget.h"

namespace attend::nn {

namespace {

thread_local ParameterBudget* active_budget = nullptr;

}  // namespace

ParameterBudget::ParameterBudget(int64_t elements, std::string source)
    : remaining_(elements), source_(std::move(source)) {
  ATTEND_ASSERT(active_budget == nullptr);
  active_budget = this;
}

ParameterBudget::~ParameterBudget() { active_budget = nullptr; }

void ParameterBudget::Charge(const std::string& name, const Shape& shape) {
  ParameterBudget* budget = active_budget;
  if (budget == nullptr) return;
  // Dimension by dimension, so that the product cannot overflow.
  int64_t elements = 1;
  for (const int64_t d : shape) {
    if (d < 0 || (d > 0 && elements > budget->remaining_ / d)) {
      Fail("the model's config asks for more weights than the file holds (parameter '", name,
           "' of shape ", ShapeToString(shape), ") (", budget->source_, ")");
    }
    elements *= d;
  }
  budget->remaining_ -= elements;
}

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

// The budget is charged before `value` allocates (member initializers run in
// declaration order, and the first one runs the charge).
Parameter::Parameter(std::string name_in, Shape shape)
    : name((ParameterBudget::Charge(name_in, shape), std::move(name_in))),
      value(shape),
      grad(shape) {}

void InitUniform(Parameter* p, float bound, Rng* rng) {
  for (int64_t i = 0; i < p->value.size(); ++i) p->value[i] = rng->Uniform(-bound, bound);
  p->MarkUpdated();
}

void ZeroGrad(const std::vector<Parameter*>& params) {
  for (Parameter* p : params) p->grad.SetZero();
}

}  // namespace attend::nn
