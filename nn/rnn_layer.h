// One direction of one recurrent layer (LSTM or linear-before-reset GRU) on
// oneDNN's RNN primitives, run left to right over a time-major batch. The
// recurrence runs inside oneDNN (lstm_forward / lbr_gru_forward and their
// backward primitives); this class owns the parameters (in PyTorch's layout,
// see nn/rnn_weights.h), keeps them reordered into the layouts the primitives
// prefer (refreshed only when a parameter's version changes), and caches one
// plan per (inference | training forward | backward, dtype, T, N).
//
// Buffers are raw because they may be bf16: every src/dst buffer is in the
// compute type of the call (f32 or bf16), gradients are f32; time-major:
//   src [T, N, C] tnc, dst [T, N, H] tnc (and the same for their gradients).
// Inference is const: plans live in a caller-owned RnnLayer::State and the
// workspace in a caller's buffer, so threads share one layer. The
// preferred-layout weights are model data, shared by every state.
// The initial state is zero and the final state is not returned. There are no
// per-sequence lengths: callers that need them (acoustic::BiRnn) reverse
// sequences themselves so padding only ever follows the valid frames.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/random.h"
#include "nn/byte_buffer.h"
#include "nn/compute_type.h"
#include "nn/engine.h"
#include "nn/parameter.h"
#include "nn/plan_cache.h"
#include "nn/rnn_weights.h"
#include "nn/scratchpad.h"
#include "nn/tensor.h"

namespace attend::nn {

class RnnLayer {
 public:
  // Parameters are named `<name>.weight_ih`, `.weight_hh`, `.bias_ih`, `.bias_hh`.
  RnnLayer(const std::string& name, RnnCell cell, int64_t input_dim, int64_t hidden_dim,
           Engine& engine = Engine::Get());

  // PyTorch's initialization: U(±1/sqrt(hidden_dim)) for every parameter.
  void Init(Rng* rng);

  // What a training forward keeps for Backward: the oneDNN workspace and the
  // call's shape. One context per in-flight batch; reusing it for later batches
  // reuses its memory.
  struct Context {
    ByteBuffer workspace;
    ComputeType type = ComputeType::kF32;
    int64_t T = 0, N = 0;
  };

  // The weights in one primitive-preferred layout, refreshed per version.
  struct PreparedWeights {
    dnnl::memory::desc layer_desc, iter_desc;
    dnnl::memory layer_mem, iter_mem;
    dnnl::reorder layer_reorder, iter_reorder;  // from the plain ldgoi copies
    ScratchpadArg layer_scratchpad, iter_scratchpad;
    uint64_t version = 0;
  };
  // One primitive and its arguments. Memories created without data alias
  // per-call buffers (src, dst, workspace, gradients of src and dst): their
  // handles are set before each execution.
  struct Plan {
    dnnl::primitive prim;
    std::unordered_map<int, dnnl::memory> args;  // all but the scratchpad
    ScratchpadArg scratchpad;
    PreparedWeights* weights = nullptr;
    size_t workspace_bytes = 0;  // training and backward
    // Backward: the weight gradients from the primitive's layout to plain ldgoi.
    dnnl::reorder diff_layer_reorder, diff_iter_reorder;
    ScratchpadArg diff_layer_scratchpad, diff_iter_scratchpad;
  };
  // A caller's plans, keyed by (kind, dtype, T, N), and the oneDNN
  // scratchpad (nn/scratchpad.h) of its training forwards and backwards. One
  // state serves one thread at a time, whichever thread.
  struct State {
    PlanCache<Plan> plans;
    ByteBuffer scratchpad;
  };

  // src [T, N, C] -> dst [T, N, H], both in `type`. With a context, runs
  // forward_training and fills the context for Backward; without, inference,
  // which writes `workspace` (grown as needed): oneDNN's scratchpad, and the
  // workspace of f32 inference via training (see below). Nothing reads it
  // after the call, so layers that run in turn share one.
  // Thread-safe for distinct states and workspaces.
  void Forward(ComputeType type, int64_t T, int64_t N, const void* src, void* dst, Context* ctx,
               State* state, ByteBuffer* workspace) const;
  // Forward on the layer's own (training) state and workspace.
  void Forward(ComputeType type, int64_t T, int64_t N, const void* src, void* dst,
               Context* ctx = nullptr) {
    Forward(type, T, N, src, dst, ctx, &own_, &own_workspace_);
  }

  // Given the src and dst of the Forward that filled `ctx` (in ctx.type) and
  // diff_dst = dL/ddst [T, N, H], writes diff_src = dL/dsrc [T, N, C] and ADDS
  // the parameters' gradients into their `grad` tensors. diff_dst and diff_src
  // are float32 in both compute types (oneDNN computes bf16 training with f32
  // activation gradients).
  void Backward(const Context& ctx, const void* src, const void* dst, const void* diff_dst,
                void* diff_src);

  // When true (the default), f32 inference runs oneDNN's forward_training
  // primitive (the reference packed-GEMM kernel) instead of forward_inference
  // (the brgemm kernel), writing a workspace shared by all layers on the
  // calling thread (nothing reads it). Measured on this
  // project's machine (AMD Zen 5, oneDNN 2.6.3, 1 thread, 3x320 BiLSTM):
  // 1x1000 frames 214 ms vs 530 ms, 16x500 386 ms vs 428 ms. bf16 always uses
  // forward_inference. Outputs are identical up to float rounding.
  void set_f32_inference_via_training(bool value) { f32_inference_via_training_ = value; }
  bool f32_inference_via_training() const { return f32_inference_via_training_; }

  // Which oneDNN kernel computes the bf16 LSTM backward (f32 and GRU training
  // always take oneDNN 2.6's reference kernel: it has no other). Given weights
  // in format_tag::any, oneDNN picks its brgemm kernel, which adds every time
  // step's rank-N update into the whole f32 weight gradient [C + H, 4H]: a
  // read and a write of it per step, bound by memory once it outgrows the
  // caches. Weights in plain `ldgoi` select the reference kernel, which
  // computes the weight gradients as one GEMM over all time steps. Measured
  // (1 thread, T=256, N=16, H=320, CPU ms, brgemm vs reference), with the
  // other core idle / running a training: C=1280 140 vs 110 / 324 vs 115-155;
  // C=640 78 vs 75 / 87 vs 78; C=80 35 vs 46 / 73 vs 93. The 3x320 encoder,
  // 16x500 bf16 training step: 750 -> 673 ms / 2400 -> 1720 ms. kAuto takes
  // the reference kernel when the f32 weight gradient exceeds
  // kBrgemmBackwardMaxGradientBytes (the caches' share, not a hard limit).
  // The forward stays brgemm either way: its workspace serves both kernels.
  enum class BackwardKernel { kAuto, kBrgemm, kReference };
  static constexpr int64_t kBrgemmBackwardMaxGradientBytes = int64_t{4} << 20;
  void set_bf16_backward_kernel(BackwardKernel kernel) { bf16_backward_kernel_ = kernel; }
  // Whether a backward in `type` runs on plain weights (the reference kernel).
  bool UsesReferenceBackward(ComputeType type) const;

  std::vector<Parameter*> Parameters();
  // The first parameter's name (`<name>.weight_ih`), for messages.
  const std::string& name() const { return weight_ih_.name; }
  RnnCell cell() const { return cell_; }
  int64_t input_dim() const { return input_dim_; }
  int64_t hidden_dim() const { return hidden_dim_; }

  // Plans built so far by every state (forward + backward), for tests of the cache.
  int64_t num_plans_created() const { return num_plans_created_; }
  // Weight reorders performed so far, for tests that weights are reordered
  // once per version and never per call.
  int64_t num_weight_reorders() const { return num_weight_reorders_; }

 private:
  // What a plan runs: inference, a training forward (with a workspace), or
  // the backward of a training forward.
  enum class PlanKind { kInference, kTraining, kBackward };

  dnnl::memory ZeroMemory(const dnnl::memory::desc& md) const;
  void AllocateGradientScratch();
  Plan& GetPlan(PlanKind kind, ComputeType type, int64_t T, int64_t N, State* state) const;
  Plan MakePlan(PlanKind kind, ComputeType type, int64_t T, int64_t N) const;
  PreparedWeights* Prepared(const dnnl::memory::desc& layer_desc,
                            const dnnl::memory::desc& iter_desc) const;
  // Brings the plain oneDNN copy and `w`'s layout up to the parameters' version.
  void Refresh(PreparedWeights* w) const;
  uint64_t ParameterVersion() const;
  TorchRnnWeights TorchValues() const;
  TorchRnnWeights TorchGrads();

  Engine& engine_;
  RnnCell cell_;
  int64_t input_dim_, hidden_dim_;
  Parameter weight_ih_, weight_hh_, bias_ih_, bias_hh_;

  // Plain oneDNN-layout copies (ldgoi/ldgo f32) of the current parameters,
  // and the prepared layouts below: derived from the parameters (a cache,
  // hence mutable), shared by every state, guarded by weights_mutex_.
  mutable std::mutex weights_mutex_;
  mutable Tensor plain_layer_, plain_iter_, plain_bias_;
  mutable dnnl::memory plain_layer_mem_, plain_iter_mem_;  // alias plain_layer_, plain_iter_
  mutable uint64_t plain_version_ = 0;
  // Scratch for plain-layout (ldgoi f32) weight gradients, allocated with the
  // first backward plan: decoding never needs it (11 MB, resident, for the
  // bundled model's encoder).
  Tensor plain_diff_layer_, plain_diff_iter_;
  dnnl::memory plain_diff_layer_mem_, plain_diff_iter_mem_;  // alias the two above
  mutable std::vector<std::unique_ptr<PreparedWeights>> prepared_;
  mutable ByteBuffer reorder_scratchpad_;  // the weight reorders' (under weights_mutex_)
  mutable std::atomic<int64_t> num_weight_reorders_{0};
  mutable std::atomic<int64_t> num_plans_created_{0};
  bool f32_inference_via_training_ = true;
  BackwardKernel bf16_backward_kernel_ = BackwardKernel::kAuto;

  State own_;                 // training's plans
  ByteBuffer own_workspace_;  // the own state's inference workspace
};

}  // namespace attend::nn
