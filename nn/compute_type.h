// What oneDNN computes in: float32, or bfloat16 on CPUs with AVX512-BF16
// (inputs and weights rounded to bf16, products accumulated in f32). Master
// weights, gradients and the optimizer stay float32 either way.
#pragma once

#include <cstddef>

#include <dnnl.hpp>

namespace attend::nn {

enum class ComputeType { kF32, kBf16 };

inline dnnl::memory::data_type ToDnnl(ComputeType type) {
  return type == ComputeType::kF32 ? dnnl::memory::data_type::f32 : dnnl::memory::data_type::bf16;
}
// Bytes per activation element.
inline size_t ElementSize(ComputeType type) { return type == ComputeType::kF32 ? 4 : 2; }

}  // namespace attend::nn
