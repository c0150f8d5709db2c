// Branch-free float approximations that vectorize (the attention's per-frame
// loops and the LSTM cell's gate math spend their time here).
#pragma once

#include <algorithm>

namespace attend::nn {

// tanh within 3e-7 absolute of std::tanh on all floats: a 13/6 rational
// approximation on [-7.9, 7.9] (Eigen's ptanh coefficients), ±1 beyond.
inline float FastTanh(float x) {
  x = std::min(7.90531110763549805f, std::max(-7.90531110763549805f, x));
  const float x2 = x * x;
  float p = -2.76076847742355e-16f;
  p = p * x2 + 2.00018790482477e-13f;
  p = p * x2 - 8.60467152213735e-11f;
  p = p * x2 + 5.12229709037114e-08f;
  p = p * x2 + 1.48572235717979e-05f;
  p = p * x2 + 6.37261928875436e-04f;
  p = p * x2 + 4.89352455891786e-03f;
  p = p * x;
  float q = 1.19825839466702e-06f;
  q = q * x2 + 1.18534705686654e-04f;
  q = q * x2 + 2.26843463243900e-03f;
  q = q * x2 + 4.89352518554385e-03f;
  return p / q;
}

// σ(x) = (1 + tanh(x/2)) / 2, within 2e-7 of the exact value.
inline float FastSigmoid(float x) { return 0.5f + 0.5f * FastTanh(0.5f * x); }

}  // namespace attend::nn
