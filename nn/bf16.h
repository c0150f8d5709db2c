// bfloat16 conversions for activations crossing between attend's float32
// tensors and oneDNN primitives computing in bf16. bf16 is the upper half of an
// IEEE float32; conversion rounds to nearest even (as oneDNN's own reorders do).
#pragma once

#include <cstdint>
#include <cstring>

namespace attend::nn {

using bf16_t = uint16_t;

inline bf16_t FloatToBf16(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  // Branch-free (both results, then a select) so that array loops vectorize.
  const uint32_t rounded = (bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16;
  const uint32_t quiet_nan = (bits >> 16) | 0x40u;
  return static_cast<bf16_t>((bits & 0x7fffffffu) > 0x7f800000u ? quiet_nan : rounded);
}

inline float Bf16ToFloat(bf16_t value) {
  uint32_t bits = static_cast<uint32_t>(value) << 16;
  float out;
  std::memcpy(&out, &bits, sizeof(out));
  return out;
}

// n elements from src to dst; vectorized (AVX-512 where the CPU has it).
void FloatToBf16(const float* src, bf16_t* dst, int64_t n);
void Bf16ToFloat(const bf16_t* src, float* dst, int64_t n);

}  // namespace attend::nn
