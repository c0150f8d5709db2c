// Branch-free float approximations that vectorize (the attention's per-frame
// loops and the LSTM cell's gate math spend their time here).
#pragma once

#include <algorithm>

namespace attend::nn {

// The clamp bound of FastTanh: tanh(±7.9053) rounds to ±1 in float.
inline constexpr float kFastTanhBound = 7.90531110763549805f;

// FastTanh's 13/6 rational polynomial (Eigen's ptanh coefficients), in place,
// for x already clamped to ±kFastTanhBound. A template so that SIMD code on GCC
// vector types (decoder/attention.cc, 16 lanes) shares the coefficients; by
// reference because passing such vectors by value changes the ABI (-Wpsabi).
template <typename T>
inline void TanhRationalInPlace(T& x) {
  const T x2 = x * x;
  T p = x2 * -2.76076847742355e-16f + 2.00018790482477e-13f;
  p = p * x2 - 8.60467152213735e-11f;
  p = p * x2 + 5.12229709037114e-08f;
  p = p * x2 + 1.48572235717979e-05f;
  p = p * x2 + 6.37261928875436e-04f;
  p = p * x2 + 4.89352455891786e-03f;
  p = p * x;
  T q = x2 * 1.19825839466702e-06f + 1.18534705686654e-04f;
  q = q * x2 + 2.26843463243900e-03f;
  q = q * x2 + 4.89352518554385e-03f;
  x = p / q;
}

// tanh within 3e-7 absolute of std::tanh on all floats: the rational
// polynomial on [-7.9, 7.9], ±1 beyond.
inline float FastTanh(float x) {
  x = std::min(kFastTanhBound, std::max(-kFastTanhBound, x));
  TanhRationalInPlace(x);
  return x;
}

// σ(x) = (1 + tanh(x/2)) / 2, within 2e-7 of the exact value.
inline float FastSigmoid(float x) { return 0.5f + 0.5f * FastTanh(0.5f * x); }

}  // namespace attend::nn
