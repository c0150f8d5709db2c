// A bidirectional recurrent layer that is exact on padded batches of mixed
// lengths. oneDNN's RNN primitive has no per-sequence lengths, and its own
// bidirectional mode would start the right-to-left pass on padding. So each
// direction is a separate left-to-right nn::RnnLayer; the right-to-left one
// reads every sequence reversed *within its own length* (padding stays at the
// end, where it cannot influence valid frames) and its outputs are reversed
// back. T is rounded up to a multiple of `bucket_frames` inside the layer, so
// batches of nearby lengths share one oneDNN plan; by the argument above the
// extra padding never changes a valid output.
//
//   x [T, N, C] tnc float32, lengths[n] <= T  ->  y [T, N, 2H] tnc float32
//   y[t, n] = [h_l2r(t); h_r2l(t)] for t < lengths[n], 0 at padded frames.
// Compute runs in f32 or bf16 (activations converted on the copies the
// reversal needs anyway); parameters and gradients stay f32.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nn/byte_buffer.h"
#include "nn/rnn_layer.h"
#include "nn/tensor.h"

namespace attend::acoustic {

using Lengths = std::vector<int64_t>;

class BiRnn {
 public:
  // Parameters: `<name>.l2r.*` and `<name>.r2l.*` (see nn::RnnLayer).
  BiRnn(const std::string& name, nn::RnnCell cell, int64_t input_dim, int64_t hidden_dim,
        int64_t bucket_frames, nn::Engine& engine = nn::Engine::Get());

  void Init(Rng* rng);

  // What Forward keeps (and reuses across calls) for Backward.
  struct Context {
    nn::ComputeType type = nn::ComputeType::kF32;
    bool training = false;
    int64_t T = 0, padded_T = 0, N = 0;
    Lengths lengths;
    nn::RnnLayer::Context l2r, r2l;
    nn::RnnLayer::State l2r_plans, r2l_plans;  // the caller's oneDNN plans
    nn::ByteBuffer workspace;                  // inference's, when Forward is given none
    // [padded_T, N, C] and [padded_T, N, H] in the compute type, per direction.
    nn::ByteBuffer src_l2r, src_r2l, dst_l2r, dst_r2l;
    // Gradient scratch, same shapes, always float32.
    nn::ByteBuffer diff_src_l2r, diff_src_r2l, diff_dst_l2r, diff_dst_r2l;
  };

  // y is resized to [T, N, 2H]. `training` keeps what Backward needs in ctx.
  // Inference writes oneDNN's workspace and scratchpad into `workspace` (layers that
  // run in turn may share one), or into ctx's when it is null. Thread-safe for
  // distinct contexts.
  void Forward(nn::ComputeType type, const nn::Tensor& x, const Lengths& lengths, bool training,
               nn::Tensor* y, Context* ctx, nn::ByteBuffer* workspace = nullptr) const;
  // dy [T, N, 2H] (padded frames ignored) -> dx [T, N, C] (0 at padded frames);
  // adds the parameters' gradients.
  void Backward(const nn::Tensor& dy, Context* ctx, nn::Tensor* dx);

  std::vector<nn::Parameter*> Parameters();
  int64_t input_dim() const { return l2r_.input_dim(); }
  int64_t hidden_dim() const { return l2r_.hidden_dim(); }
  int64_t output_dim() const { return 2 * l2r_.hidden_dim(); }
  int64_t num_plans_created() const { return l2r_.num_plans_created() + r2l_.num_plans_created(); }
  int64_t num_weight_reorders() const {
    return l2r_.num_weight_reorders() + r2l_.num_weight_reorders();
  }
  nn::RnnLayer& l2r() { return l2r_; }
  nn::RnnLayer& r2l() { return r2l_; }

 private:
  nn::RnnLayer l2r_, r2l_;
  int64_t bucket_frames_;
};

// Checks lengths against a [T, N, ...] batch; throws attend::Error naming `what`.
void CheckLengths(const Lengths& lengths, int64_t T, int64_t N, const std::string& what);

}  // namespace attend::acoustic
