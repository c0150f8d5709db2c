// Row-wise log-softmax and its backward, for output layers whose losses
// consume log-probabilities.
#pragma once

#include "nn/tensor.h"

namespace attend::nn {

// y[r, :] = x[r, :] − log Σ exp(x[r, :]) over the last dimension (any leading
// shape); y is resized to x's shape and may alias x.
void LogSoftmax(const Tensor& x, Tensor* y);

// Given y = LogSoftmax(x) and dy = dL/dy, writes dL/dx = dy − softmax(x)·Σ dy
// per row (resized; may alias dy).
void LogSoftmaxBackward(const Tensor& y, const Tensor& dy, Tensor* dx);

}  // namespace attend::nn
