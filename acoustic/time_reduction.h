// Pyramidal time reduction (Listen, Attend and Spell): halves the frame rate
// by combining frames 2s and 2s+1 into output frame s.
//   concat: y[s] = [x[2s]; x[2s+1]]      (C -> 2C)
//   max:    y[s] = max(x[2s], x[2s+1])   (elementwise, C -> C)
//   mean:   y[s] = (x[2s] + x[2s+1]) / 2 (C -> C)
// Lengths become ceil(L / 2). When L is odd, the last output frame has only
// one valid input: concat pairs it with zeros, max and mean use it alone, so
// the result never depends on padding. Output frames at or beyond the new
// length are zero.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "acoustic/bi_rnn.h"
#include "nn/tensor.h"

namespace attend::acoustic {

enum class ReductionType { kConcat, kMax, kMean };

// "concat" / "max" / "mean"; throws attend::Error naming `option` otherwise.
ReductionType ParseReductionType(const std::string& name, const std::string& option);
const char* ReductionTypeName(ReductionType type);

class TimeReduction {
 public:
  explicit TimeReduction(ReductionType type) : type_(type) {}

  int64_t OutputDim(int64_t input_dim) const {
    return type_ == ReductionType::kConcat ? 2 * input_dim : input_dim;
  }
  static int64_t ReducedLength(int64_t length) { return (length + 1) / 2; }

  // What Backward needs: the input shape and lengths, and for max which
  // frame of each pair won (0 or 1) per output element.
  struct Context {
    int64_t T = 0, N = 0, C = 0;
    Lengths lengths;
    std::vector<uint8_t> argmax;
  };

  // x [T, N, C] -> y [ceil(T/2), N, OutputDim(C)]; out_lengths[n] = ceil(lengths[n]/2).
  void Forward(const nn::Tensor& x, const Lengths& lengths, nn::Tensor* y, Lengths* out_lengths,
               Context* ctx) const;
  // dy [ceil(T/2), N, OutputDim(C)] -> dx [T, N, C].
  void Backward(const nn::Tensor& dy, const Context& ctx, nn::Tensor* dx) const;

  ReductionType type() const { return type_; }

 private:
  ReductionType type_;
};

}  // namespace attend::acoustic
