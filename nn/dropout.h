// Inverted dropout: in training, each element is zeroed with probability p and
// the survivors are scaled by 1/(1-p), so inference needs no rescaling. The
// mask is the explicit context Backward needs (STYLE: no hidden layer state).
#pragma once

#include "base/random.h"
#include "nn/tensor.h"

namespace attend::nn {

class Dropout {
 public:
  // p in [0, 1): the probability of dropping an element.
  explicit Dropout(float p);

  // In place: x *= mask, where mask (resized to x's shape) holds 0 or 1/(1-p)
  // drawn from `rng`. With p == 0, x is unchanged and the mask is all ones.
  void Forward(Tensor* x, Tensor* mask, Rng* rng) const;
  // In place: dx *= mask.
  void Backward(const Tensor& mask, Tensor* dx) const;

  float p() const { return p_; }

 private:
  float p_;
};

}  // namespace attend::nn
