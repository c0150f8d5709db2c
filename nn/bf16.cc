#include "nn/bf16.h"
#include "base/target_clones.h"

namespace attend::nn {

// The build targets baseline x86-64 (oneDNN dispatches at run time, see the
// top-level CMakeLists.txt); these loops carry their own AVX-512 clone, picked
// when the process starts. The results are identical: the same integer math.
#define ATTEND_BF16_CLONES ATTEND_TARGET_CLONES("default", "arch=x86-64-v4")

ATTEND_BF16_CLONES void FloatToBf16(const float* src, bf16_t* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = FloatToBf16(src[i]);
}

ATTEND_BF16_CLONES void Bf16ToFloat(const bf16_t* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = Bf16ToFloat(src[i]);
}

}  // namespace attend::nn
