#include "acoustic/time_reduction.h"

#include <algorithm>

#include "base/error.h"

namespace attend::acoustic {

ReductionType ParseReductionType(const std::string& name, const std::string& option) {
  if (name == "concat") return ReductionType::kConcat;
  if (name == "max") return ReductionType::kMax;
  if (name == "mean") return ReductionType::kMean;
  Fail("unknown time reduction '", name, "' (", option, "): expected concat, max or mean");
}

const char* ReductionTypeName(ReductionType type) {
  switch (type) {
    case ReductionType::kConcat:
      return "concat";
    case ReductionType::kMax:
      return "max";
    case ReductionType::kMean:
      return "mean";
  }
  return "?";
}

void TimeReduction::Forward(const nn::Tensor& x, const Lengths& lengths, nn::Tensor* y,
                            Lengths* out_lengths, Context* ctx) const {
  ATTEND_CHECK(x.rank() == 3, "time reduction: input must be [T, N, C], got ",
               nn::ShapeToString(x.shape()));
  const int64_t T = x.dim(0), N = x.dim(1), C = x.dim(2);
  CheckLengths(lengths, T, N, "time reduction input");
  const int64_t S = ReducedLength(T), D = OutputDim(C);
  y->Resize({S, N, D});
  ctx->T = T;
  ctx->N = N;
  ctx->C = C;
  ctx->lengths = lengths;
  if (type_ == ReductionType::kMax) ctx->argmax.assign(S * N * C, 0);
  out_lengths->resize(N);
  for (int64_t n = 0; n < N; ++n) {
    const int64_t L = lengths[n];
    (*out_lengths)[n] = ReducedLength(L);
    for (int64_t s = 0; s < S; ++s) {
      float* out = y->data() + (s * N + n) * D;
      const int64_t valid = std::clamp<int64_t>(L - 2 * s, 0, 2);  // frames of the pair in range
      if (valid == 0) {
        std::fill(out, out + D, 0.0f);
        continue;
      }
      const float* a = x.data() + (2 * s * N + n) * C;
      const float* b = valid == 2 ? x.data() + ((2 * s + 1) * N + n) * C : nullptr;
      switch (type_) {
        case ReductionType::kConcat:
          std::copy(a, a + C, out);
          if (b) {
            std::copy(b, b + C, out + C);
          } else {
            std::fill(out + C, out + 2 * C, 0.0f);
          }
          break;
        case ReductionType::kMax: {
          uint8_t* arg = ctx->argmax.data() + (s * N + n) * C;
          for (int64_t c = 0; c < C; ++c) {
            const bool second = b && b[c] > a[c];
            out[c] = second ? b[c] : a[c];
            arg[c] = second;
          }
          break;
        }
        case ReductionType::kMean:
          for (int64_t c = 0; c < C; ++c) out[c] = b ? 0.5f * (a[c] + b[c]) : a[c];
          break;
      }
    }
  }
}

void TimeReduction::Backward(const nn::Tensor& dy, const Context& ctx, nn::Tensor* dx) const {
  const int64_t T = ctx.T, N = ctx.N, C = ctx.C, S = ReducedLength(T), D = OutputDim(C);
  ATTEND_CHECK(dy.shape() == (nn::Shape{S, N, D}), "time reduction: output gradient must be [", S,
               ", ", N, ", ", D, "], got ", nn::ShapeToString(dy.shape()));
  dx->Resize({T, N, C});
  dx->SetZero();
  for (int64_t n = 0; n < N; ++n) {
    const int64_t L = ctx.lengths[n];
    for (int64_t s = 0; s < S; ++s) {
      const int64_t valid = std::clamp<int64_t>(L - 2 * s, 0, 2);
      if (valid == 0) continue;
      const float* g = dy.data() + (s * N + n) * D;
      float* a = dx->data() + (2 * s * N + n) * C;
      float* b = valid == 2 ? dx->data() + ((2 * s + 1) * N + n) * C : nullptr;
      switch (type_) {
        case ReductionType::kConcat:
          std::copy(g, g + C, a);
          if (b) std::copy(g + C, g + 2 * C, b);
          break;
        case ReductionType::kMax: {
          const uint8_t* arg = ctx.argmax.data() + (s * N + n) * C;
          for (int64_t c = 0; c < C; ++c) (arg[c] ? b : a)[c] = g[c];
          break;
        }
        case ReductionType::kMean:
          for (int64_t c = 0; c < C; ++c) {
            if (b) {
              a[c] = 0.5f * g[c];
              b[c] = 0.5f * g[c];
            } else {
              a[c] = g[c];
            }
          }
          break;
      }
    }
  }
}

}  // namespace attend::acoustic
