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
  if ((bits & 0x7fffffffu) > 0x7f800000u) return static_cast<bf16_t>((bits >> 16) | 0x40u);  // NaN
  bits += 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<bf16_t>(bits >> 16);
}

inline float Bf16ToFloat(bf16_t value) {
  uint32_t bits = static_cast<uint32_t>(value) << 16;
  float out;
  std::memcpy(&out, &bits, sizeof(out));
  return out;
}

// n elements from src to dst.
void FloatToBf16(const float* src, bf16_t* dst, int64_t n);
void Bf16ToFloat(const bf16_t* src, float* dst, int64_t n);

}  // namespace attend::nn
