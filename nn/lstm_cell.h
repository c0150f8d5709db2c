// One LSTM step for a batch of rows, for decoders that advance one token at a
// time (the oneDNN RNN primitive wants the whole sequence up front). One
// oneDNN inner product computes all four gates from [x, h_prev], then a fused
// loop applies the gate math:
//   [i f g o] = [x, h_prev] Wᵀ + b        W [4H, In+H], PyTorch's gate order
//   c = σ(f)·c_prev + σ(i)·tanh(g);  h = σ(o)·tanh(c)
// W's first In columns are PyTorch's weight_ih, the last H its weight_hh; b is
// PyTorch's b_ih + b_hh (see FromTorch()).
//
// The cell keeps no per-batch state: what Backward needs (the concatenated
// input and the activated gates) lives in the caller's LstmCellContext, so a
// training step keeps one context per time step and inference reuses one.
#pragma once

#include <string>
#include <vector>

#include "base/random.h"
#include "nn/linear.h"
#include "nn/tensor.h"

namespace attend::nn {

struct LstmCellContext {
  Tensor xh;     // [R, In+H]  the gate GEMM's input
  Tensor gates;  // [R, 4H]    activated gates: σ(i), σ(f), tanh(g), σ(o)
  Tensor c;      // [R, H]     the new cell state (tanh(c) is recomputed)
};

class LstmCell {
 public:
  LstmCell(const std::string& name, int64_t input_dim, int64_t hidden_dim,
           Engine& engine = Engine::Get());

  // PyTorch's initialization: U(±1/sqrt(H)) for weights and both biases (the
  // single bias here is drawn as the sum of two such draws).
  void Init(Rng* rng);
  // Sets W and b from PyTorch's weight_ih [4H, In], weight_hh [4H, H],
  // bias_ih [4H], bias_hh [4H]; throws attend::Error on a shape mismatch.
  void FromTorch(const Tensor& weight_ih, const Tensor& weight_hh, const Tensor& bias_ih,
                 const Tensor& bias_hh);

  // x [R, In], h_prev/c_prev [R, H] -> h [R, H] (resized); the new cell state
  // is ctx->c. h may not alias h_prev. `gates` holds the caller's plans of
  // the gate GEMM (see Linear::State).
  void Forward(const Tensor& x, const Tensor& h_prev, const Tensor& c_prev, Tensor* h,
               LstmCellContext* ctx, Linear::State* gates) const;
  // Forward on the layer's own (training) state.
  void Forward(const Tensor& x, const Tensor& h_prev, const Tensor& c_prev, Tensor* h,
               LstmCellContext* ctx);

  // Given the forward's context and c_prev, and dL/dh and dL/dc (the latter
  // from the next step; may be null for zero), adds the parameter gradients
  // and writes dL/dx [R, In], dL/dh_prev, dL/dc_prev (each resized; dx may be
  // null). `scratch` is caller-owned work space.
  void Backward(const LstmCellContext& ctx, const Tensor& c_prev, const Tensor& dh,
                const Tensor* dc, Tensor* dx, Tensor* dh_prev, Tensor* dc_prev,
                LstmCellContext* scratch);

  // Backward's two halves, for a sequence of steps (teacher-forced training):
  // BackwardData is Backward without the parameter gradients and also leaves
  // dL/d(gate pre-activations) [R, 4H] in scratch->gates; stacking those and
  // the steps' ctx.xh, one BackwardWeights call then adds the parameter
  // gradients of all steps with one GEMM instead of one per step.
  void BackwardData(const LstmCellContext& ctx, const Tensor& c_prev, const Tensor& dh,
                    const Tensor* dc, Tensor* dx, Tensor* dh_prev, Tensor* dc_prev,
                    LstmCellContext* scratch);
  // xh [rows, In+H] and dgates [rows, 4H], the rows of any number of steps.
  void BackwardWeights(const Tensor& xh, const Tensor& dgates);

  std::vector<Parameter*> Parameters() { return gates_.Parameters(); }
  Linear& gates() { return gates_; }
  const Linear& gates() const { return gates_; }
  int64_t input_dim() const { return input_dim_; }
  int64_t hidden_dim() const { return hidden_dim_; }

 private:
  // ctx->xh = [x, h_prev] after checking the shapes.
  void GateInput(const Tensor& x, const Tensor& h_prev, const Tensor& c_prev,
                 LstmCellContext* ctx) const;
  // The gate math on ctx->gates: ctx->c and h.
  void ApplyGates(const Tensor& c_prev, Tensor* h, LstmCellContext* ctx) const;

  int64_t input_dim_;
  int64_t hidden_dim_;
  Linear gates_;  // [In+H] -> [4H]
};

}  // namespace attend::nn
