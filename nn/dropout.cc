#include "nn/dropout.h"

#include "base/error.h"

namespace attend::nn {

Dropout::Dropout(float p) : p_(p) {
  ATTEND_CHECK(p >= 0.0f && p < 1.0f, "dropout probability must be in [0, 1), got ", p);
}

void Dropout::Forward(Tensor* x, Tensor* mask, Rng* rng) const {
  mask->Resize(x->shape());
  const float keep_scale = 1.0f / (1.0f - p_);
  for (int64_t i = 0; i < x->size(); ++i) {
    const float m = (p_ > 0.0f && rng->Bernoulli(p_)) ? 0.0f : keep_scale;
    (*mask)[i] = m;
    (*x)[i] *= m;
  }
}

void Dropout::Backward(const Tensor& mask, Tensor* dx) const {
  ATTEND_CHECK(mask.shape() == dx->shape(), "dropout: gradient shape ", ShapeToString(dx->shape()),
               " differs from the mask's ", ShapeToString(mask.shape()));
  for (int64_t i = 0; i < dx->size(); ++i) (*dx)[i] *= mask[i];
}

}  // namespace attend::nn
