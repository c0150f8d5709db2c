#include "acoustic/bi_rnn.h"

#include <algorithm>
#include <cstring>

#include "base/error.h"
#include "nn/bf16.h"

namespace attend::acoustic {

using nn::ComputeType;

namespace {

// Row copies between float32 tensors and compute-type buffers.
void StoreRow(ComputeType type, const float* in, void* out, int64_t n) {
  if (type == ComputeType::kF32) {
    std::memcpy(out, in, n * sizeof(float));
  } else {
    nn::FloatToBf16(in, static_cast<nn::bf16_t*>(out), n);
  }
}

void LoadRow(ComputeType type, const void* in, float* out, int64_t n) {
  if (type == ComputeType::kF32) {
    std::memcpy(out, in, n * sizeof(float));
  } else {
    nn::Bf16ToFloat(static_cast<const nn::bf16_t*>(in), out, n);
  }
}

void AddRow(ComputeType type, const void* in, float* out, int64_t n) {
  if (type == ComputeType::kF32) {
    const float* f = static_cast<const float*>(in);
    for (int64_t i = 0; i < n; ++i) out[i] += f[i];
  } else {
    const auto* b = static_cast<const nn::bf16_t*>(in);
    for (int64_t i = 0; i < n; ++i) out[i] += nn::Bf16ToFloat(b[i]);
  }
}

// Row (t, n) of a [T, N, width] tnc buffer of `elem`-byte elements.
inline void* Row(nn::ByteBuffer& buf, int64_t t, int64_t n, int64_t N, int64_t width, size_t elem) {
  return buf.as<uint8_t>() + ((t * N + n) * width) * elem;
}

// Copies x's valid frames into `fwd` in order and into `rev` reversed within
// each sequence's length; zeroes the padding of both. [padded_T, N, width].
void SplitDirections(ComputeType type, const float* x, int64_t N, int64_t width,
                     const Lengths& lengths, int64_t padded_T, nn::ByteBuffer* fwd,
                     nn::ByteBuffer* rev) {
  const size_t elem = nn::ElementSize(type);
  const size_t bytes = padded_T * N * width * elem;
  fwd->Resize(bytes);
  rev->Resize(bytes);
  for (int64_t n = 0; n < N; ++n) {
    const int64_t L = lengths[n];
    for (int64_t t = 0; t < padded_T; ++t) {
      void* f = Row(*fwd, t, n, N, width, elem);
      void* r = Row(*rev, t, n, N, width, elem);
      if (t < L) {
        StoreRow(type, x + (t * N + n) * width, f, width);
        StoreRow(type, x + ((L - 1 - t) * N + n) * width, r, width);
      } else {
        std::memset(f, 0, width * elem);
        std::memset(r, 0, width * elem);
      }
    }
  }
}

}  // namespace

void CheckLengths(const Lengths& lengths, int64_t T, int64_t N, const std::string& what) {
  ATTEND_CHECK(static_cast<int64_t>(lengths.size()) == N, what, ": ", lengths.size(),
               " lengths for a batch of ", N);
  for (size_t n = 0; n < lengths.size(); ++n)
    ATTEND_CHECK(lengths[n] >= 0 && lengths[n] <= T, what, ": length ", lengths[n], " of sequence ",
                 n, " is outside [0, ", T, "]");
}

BiRnn::BiRnn(const std::string& name, nn::RnnCell cell, int64_t input_dim, int64_t hidden_dim,
             int64_t bucket_frames, nn::Engine& engine)
    : l2r_(name + ".l2r", cell, input_dim, hidden_dim, engine),
      r2l_(name + ".r2l", cell, input_dim, hidden_dim, engine),
      bucket_frames_(bucket_frames < 1 ? 1 : bucket_frames) {}

void BiRnn::Init(Rng* rng) {
  l2r_.Init(rng);
  r2l_.Init(rng);
}

std::vector<nn::Parameter*> BiRnn::Parameters() {
  std::vector<nn::Parameter*> params = l2r_.Parameters();
  for (nn::Parameter* p : r2l_.Parameters()) params.push_back(p);
  return params;
}

void BiRnn::Forward(ComputeType type, const nn::Tensor& x, const Lengths& lengths, bool training,
                    nn::Tensor* y, Context* ctx, nn::ByteBuffer* workspace) const {
  const int64_t C = input_dim(), H = hidden_dim();
  ATTEND_CHECK(x.rank() == 3 && x.dim(2) == C, l2r_.name(), ": input must be [T, N, ", C, "], got ",
               nn::ShapeToString(x.shape()));
  const int64_t T = x.dim(0), N = x.dim(1);
  CheckLengths(lengths, T, N, "bidirectional RNN input");
  const int64_t padded_T = (T + bucket_frames_ - 1) / bucket_frames_ * bucket_frames_;
  ctx->type = type;
  ctx->training = training;
  ctx->T = T;
  ctx->padded_T = padded_T;
  ctx->N = N;
  ctx->lengths = lengths;
  y->Resize({T, N, 2 * H});
  if (T == 0 || N == 0) return;
  SplitDirections(type, x.data(), N, C, lengths, padded_T, &ctx->src_l2r, &ctx->src_r2l);
  const size_t elem = nn::ElementSize(type);
  ctx->dst_l2r.Resize(padded_T * N * H * elem);
  ctx->dst_r2l.Resize(padded_T * N * H * elem);
  if (workspace == nullptr) workspace = &ctx->workspace;
  l2r_.Forward(type, padded_T, N, ctx->src_l2r.data(), ctx->dst_l2r.data(),
               training ? &ctx->l2r : nullptr, &ctx->l2r_plans, workspace);
  r2l_.Forward(type, padded_T, N, ctx->src_r2l.data(), ctx->dst_r2l.data(),
               training ? &ctx->r2l : nullptr, &ctx->r2l_plans, workspace);
  for (int64_t n = 0; n < N; ++n) {
    const int64_t L = lengths[n];
    for (int64_t t = 0; t < T; ++t) {
      float* out = y->data() + (t * N + n) * 2 * H;
      if (t < L) {
        LoadRow(type, Row(ctx->dst_l2r, t, n, N, H, elem), out, H);
        LoadRow(type, Row(ctx->dst_r2l, L - 1 - t, n, N, H, elem), out + H, H);
      } else {
        std::fill(out, out + 2 * H, 0.0f);
      }
    }
  }
}

void BiRnn::Backward(const nn::Tensor& dy, Context* ctx, nn::Tensor* dx) {
  const int64_t C = input_dim(), H = hidden_dim();
  const int64_t T = ctx->T, N = ctx->N, padded_T = ctx->padded_T;
  ATTEND_CHECK(ctx->training, l2r_.Parameters()[0]->name,
               ": Backward needs a Forward run with training = true");
  ATTEND_CHECK(dy.shape() == (nn::Shape{T, N, 2 * H}), l2r_.Parameters()[0]->name,
               ": output gradient must be [", T, ", ", N, ", ", 2 * H, "], got ",
               nn::ShapeToString(dy.shape()));
  dx->Resize({T, N, C});
  if (T == 0 || N == 0) return;
  // Activation gradients are float32 in both compute types (nn::RnnLayer).
  const ComputeType type = ComputeType::kF32;
  const size_t elem = sizeof(float);
  ctx->diff_dst_l2r.Resize(padded_T * N * H * elem);
  ctx->diff_dst_r2l.Resize(padded_T * N * H * elem);
  ctx->diff_src_l2r.Resize(padded_T * N * C * elem);
  ctx->diff_src_r2l.Resize(padded_T * N * C * elem);
  for (int64_t n = 0; n < N; ++n) {
    const int64_t L = ctx->lengths[n];
    for (int64_t t = 0; t < padded_T; ++t) {
      void* f = Row(ctx->diff_dst_l2r, t, n, N, H, elem);
      void* r = Row(ctx->diff_dst_r2l, t, n, N, H, elem);
      if (t < L) {
        StoreRow(type, dy.data() + (t * N + n) * 2 * H, f, H);
        StoreRow(type, dy.data() + ((L - 1 - t) * N + n) * 2 * H + H, r, H);
      } else {  // padded outputs get no gradient: they are not outputs
        std::memset(f, 0, H * elem);
        std::memset(r, 0, H * elem);
      }
    }
  }
  l2r_.Backward(ctx->l2r, ctx->src_l2r.data(), ctx->dst_l2r.data(), ctx->diff_dst_l2r.data(),
                ctx->diff_src_l2r.data());
  r2l_.Backward(ctx->r2l, ctx->src_r2l.data(), ctx->dst_r2l.data(), ctx->diff_dst_r2l.data(),
                ctx->diff_src_r2l.data());
  for (int64_t n = 0; n < N; ++n) {
    const int64_t L = ctx->lengths[n];
    for (int64_t t = 0; t < T; ++t) {
      float* out = dx->data() + (t * N + n) * C;
      if (t < L) {
        LoadRow(type, Row(ctx->diff_src_l2r, t, n, N, C, elem), out, C);
        AddRow(type, Row(ctx->diff_src_r2l, L - 1 - t, n, N, C, elem), out, C);
      } else {
        std::fill(out, out + C, 0.0f);
      }
    }
  }
}

}  // namespace attend::acoustic
