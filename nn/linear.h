// A fully connected layer y = x Wᵀ + b on oneDNN's inner product.
//   x [..., in]  (leading dimensions are flattened into rows: [rows, in] nc)
//   W [out, in]  (PyTorch's nn.Linear layout, plain `oi` in the model file)
//   b [out]
//   y [..., out]
// The layer owns its parameters and gradients. Forward keeps nothing for
// backward: the caller passes the same input back to Backward (the explicit
// context of STYLE 10), so one layer serves many batches and beams at once.
// Inference is const: the plans (oneDNN primitives and their memories) live
// in a caller-owned Linear::State, so threads share one layer, each with its
// own state. The non-const Forward and the backward calls use a state the
// layer keeps for training (one thread).
// Weights are kept a second time in the layout oneDNN prefers, refreshed only
// when the parameter's version changes (after load or an optimizer step). That
// copy is shared by every forward plan preferring the same layout (in practice
// one per layer, whatever the row count): a copy per plan made a long
// recording's memory grow with each new segment length.
//
// Compute type: in bf16 (set_compute_type) the GEMMs read x, dy and W rounded
// to bf16 and accumulate in f32; y, dx and the gradients are f32, and W stays
// f32 (the master copy the optimizer updates; the bf16 copies are refreshed
// per version like the blocked one). The decoder's LSTM gates use it in bf16
// training, where their GEMMs stream megabytes of weights per step.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/random.h"
#include "nn/bf16.h"
#include "nn/byte_buffer.h"
#include "nn/compute_type.h"
#include "nn/engine.h"
#include "nn/parameter.h"
#include "nn/plan_cache.h"
#include "nn/scratchpad.h"
#include "nn/tensor.h"

namespace attend::nn {

class Linear {
 public:
  Linear(const std::string& name, int64_t in_dim, int64_t out_dim, bool bias = true,
         Engine& engine = Engine::Get());

  // PyTorch's default initialization: U(±1/sqrt(in_dim)) for W and b.
  void Init(Rng* rng);

  // W in one layout a forward primitive prefers, refreshed per version and
  // shared by the plans of every state (weights are model data, not state).
  struct PreparedWeights {
    dnnl::memory mem;  // the plain weights when the layout is plain `oi`
    uint64_t version = 0;
  };
  struct ForwardPlan {
    dnnl::inner_product_forward prim;
    dnnl::memory src_mem, bias_mem, dst_mem;
    ScratchpadArg scratchpad;
    std::shared_ptr<PreparedWeights> weights;
  };
  struct BackwardPlan {
    dnnl::inner_product_backward_data data_prim;
    dnnl::inner_product_backward_weights weights_prim;
    dnnl::memory src_mem, diff_dst_mem, diff_src_mem;
    dnnl::memory diff_weights_mem, diff_bias_mem;  // scratch, added into the gradients
    ScratchpadArg data_scratchpad, weights_scratchpad;
    std::shared_ptr<PreparedWeights> weights;  // plain W (f32: plain_weights_mem_)
  };
  // What a caller's forward calls change: plans keyed by row count and
  // compute type, their oneDNN scratchpad (nn/scratchpad.h), and the bf16
  // copies of x and dy (bf16 compute only; reused, no allocation once warm).
  // One state serves one thread at a time, whichever thread.
  struct State {
    PlanCache<ForwardPlan> forward_plans;
    PlanCache<BackwardPlan> backward_plans;
    ByteBuffer scratchpad;
    std::vector<bf16_t> src_bf16, diff_dst_bf16;
  };

  // x [..., in] -> y [..., out]; y is resized. Thread-safe for distinct states.
  void Forward(const Tensor& x, Tensor* y, State* state) const;
  // Forward on the layer's own (training) state.
  void Forward(const Tensor& x, Tensor* y) { Forward(x, y, &own_); }

  // Given the forward input x and dy = dL/dy, adds dL/dW and dL/db into the
  // parameters' gradients and, when dx is not null, writes dL/dx (resized).
  void Backward(const Tensor& x, const Tensor& dy, Tensor* dx);
  // Backward's two halves, for callers that apply the layer at many time
  // steps: dL/dx is needed step by step (it feeds the recurrence), but the
  // weight gradient of all steps is one GEMM over the stacked rows, far
  // faster than one small GEMM (and a pass over dW) per step.
  // dy [..., out] -> dx [..., in] (resized).
  void BackwardData(const Tensor& dy, Tensor* dx);
  // Adds dL/dW and dL/db for forward input x [..., in] and dy [..., out].
  void BackwardWeights(const Tensor& x, const Tensor& dy);

  void set_compute_type(ComputeType type) { compute_type_ = type; }
  ComputeType compute_type() const { return compute_type_; }

  std::vector<Parameter*> Parameters();
  Parameter& weight() { return weight_; }
  Parameter& bias() { return bias_; }
  const Parameter& weight() const { return weight_; }
  const Parameter& bias() const { return bias_; }
  bool has_bias() const { return has_bias_; }
  int64_t in_dim() const { return in_dim_; }
  int64_t out_dim() const { return out_dim_; }

  // Plans built so far by every state (forward + backward), for tests of the cache.
  int64_t num_plans_created() const { return num_plans_created_; }
  // Plans alive now in the layer's own state (forward + backward), at most
  // twice PlanCache's capacity.
  size_t num_live_plans() const { return own_.forward_plans.size() + own_.backward_plans.size(); }
  // Preferred-layout copies of W alive now (shared by the forward plans).
  int64_t num_prepared_weights() const;

 private:
  // The copy of W in `desc`, shared with the live plans that use it.
  std::shared_ptr<PreparedWeights> Prepared(const dnnl::memory::desc& desc) const;
  // w's memory, reordered from the f32 master first if W changed since.
  const dnnl::memory& Refreshed(PreparedWeights& w) const;
  ForwardPlan MakeForwardPlan(int64_t rows, ComputeType type) const;
  BackwardPlan MakeBackwardPlan(int64_t rows, ComputeType type) const;
  BackwardPlan& GetBackwardPlan(int64_t rows);
  int64_t Rows(const Tensor& x) const;
  // t's data in the compute type: t itself in f32, else converted into `buf`.
  void* InComputeType(const Tensor& t, std::vector<bf16_t>* buf) const;

  Engine& engine_;
  int64_t in_dim_;
  int64_t out_dim_;
  bool has_bias_;
  Parameter weight_;
  Parameter bias_;  // [out]; all zeros and untrained when !has_bias_
  ComputeType compute_type_ = ComputeType::kF32;

  mutable dnnl::memory plain_weights_mem_;  // aliases weight_.value, [out, in] oi (a handle)
  // Every prepared copy a live plan holds; a copy dies with its last plan.
  // Derived from W (a cache, hence mutable), guarded by prepared_mutex_ so
  // that threads with their own states share it.
  mutable std::mutex prepared_mutex_;
  mutable std::vector<std::weak_ptr<PreparedWeights>> prepared_;
  mutable ByteBuffer reorder_scratchpad_;  // the refreshes' (under prepared_mutex_)
  mutable std::atomic<int64_t> num_plans_created_{0};
  State own_;  // training's plans and buffers
};

}  // namespace attend::nn
