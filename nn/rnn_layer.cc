#include "nn/rnn_layer.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "base/error.h"

namespace attend::nn {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

namespace {

const memory::desc kNone;  // a zero descriptor: "no such argument" (zero initial state)

// Runs a oneDNN call, turning dnnl::error into attend::Error naming the layer and shape.
template <typename Fn>
auto Wrap(const std::string& layer, const char* what, int64_t T, int64_t N, Fn&& fn) {
  try {
    return fn();
  } catch (const dnnl::error& e) {
    Fail("RNN layer ", layer, ": oneDNN failed to ", what, " for T=", T, " N=", N, ": ", e.what());
  }
}

// Where a scratchpad after `bytes` of workspace starts: a page boundary.
size_t RoundUpToPage(size_t bytes) { return (bytes + 4095) / 4096 * 4096; }

}  // namespace

RnnLayer::RnnLayer(const std::string& name, RnnCell cell, int64_t input_dim, int64_t hidden_dim,
                   Engine& engine)
    : engine_(engine),
      cell_(cell),
      input_dim_(input_dim),
      hidden_dim_(hidden_dim),
      weight_ih_(name + ".weight_ih", {RnnNumGates(cell) * hidden_dim, input_dim}),
      weight_hh_(name + ".weight_hh", {RnnNumGates(cell) * hidden_dim, hidden_dim}),
      bias_ih_(name + ".bias_ih", {RnnNumGates(cell) * hidden_dim}),
      bias_hh_(name + ".bias_hh", {RnnNumGates(cell) * hidden_dim}),
      plain_layer_({input_dim * RnnNumGates(cell) * hidden_dim}),
      plain_iter_({hidden_dim * RnnNumGates(cell) * hidden_dim}),
      plain_bias_({RnnNumBiases(cell) * hidden_dim}) {
  ATTEND_CHECK(input_dim > 0 && hidden_dim > 0, "RNN layer ", name,
               ": dimensions must be positive, got input ", input_dim, ", hidden ", hidden_dim);
  const int64_t G = RnnNumGates(cell);
  plain_layer_mem_ = memory({{1, 1, input_dim, G, hidden_dim}, dt::f32, tag::ldgoi},
                            engine_.engine(), plain_layer_.data());
  plain_iter_mem_ = memory({{1, 1, hidden_dim, G, hidden_dim}, dt::f32, tag::ldgoi},
                           engine_.engine(), plain_iter_.data());
}

void RnnLayer::AllocateGradientScratch() {
  if (plain_diff_layer_mem_) return;
  const int64_t G = RnnNumGates(cell_), C = input_dim_, H = hidden_dim_;
  plain_diff_layer_ = Tensor({C * G * H});
  plain_diff_iter_ = Tensor({H * G * H});
  plain_diff_layer_mem_ =
      memory({{1, 1, C, G, H}, dt::f32, tag::ldgoi}, engine_.engine(), plain_diff_layer_.data());
  plain_diff_iter_mem_ =
      memory({{1, 1, H, G, H}, dt::f32, tag::ldgoi}, engine_.engine(), plain_diff_iter_.data());
}

void RnnLayer::Init(Rng* rng) {
  const float bound = 1.0f / std::sqrt(static_cast<float>(hidden_dim_));
  for (Parameter* p : Parameters()) InitUniform(p, bound, rng);
}

std::vector<Parameter*> RnnLayer::Parameters() {
  return {&weight_ih_, &weight_hh_, &bias_ih_, &bias_hh_};
}

uint64_t RnnLayer::ParameterVersion() const {
  // Versions only grow, so the sum changes whenever any parameter changes.
  return weight_ih_.version() + weight_hh_.version() + bias_ih_.version() + bias_hh_.version();
}

TorchRnnWeights RnnLayer::TorchValues() const {
  // The conversion only reads them.
  return {const_cast<float*>(weight_ih_.value.data()), const_cast<float*>(weight_hh_.value.data()),
          const_cast<float*>(bias_ih_.value.data()), const_cast<float*>(bias_hh_.value.data())};
}

TorchRnnWeights RnnLayer::TorchGrads() {
  return {weight_ih_.grad.data(), weight_hh_.grad.data(), bias_ih_.grad.data(),
          bias_hh_.grad.data()};
}

RnnLayer::PreparedWeights* RnnLayer::Prepared(const memory::desc& layer_desc,
                                              const memory::desc& iter_desc) const {
  std::lock_guard<std::mutex> lock(weights_mutex_);
  for (auto& w : prepared_)
    if (w->layer_desc == layer_desc && w->iter_desc == iter_desc) return w.get();
  auto w = std::make_unique<PreparedWeights>();
  w->layer_desc = layer_desc;
  w->iter_desc = iter_desc;
  w->layer_mem = memory(layer_desc, engine_.engine());
  w->iter_mem = memory(iter_desc, engine_.engine());
  const dnnl::reorder::primitive_desc layer_pd(plain_layer_mem_, w->layer_mem, UserScratchpad());
  const dnnl::reorder::primitive_desc iter_pd(plain_iter_mem_, w->iter_mem, UserScratchpad());
  w->layer_reorder = dnnl::reorder(layer_pd);
  w->iter_reorder = dnnl::reorder(iter_pd);
  w->layer_scratchpad = ScratchpadArg(layer_pd, engine_.engine());
  w->iter_scratchpad = ScratchpadArg(iter_pd, engine_.engine());
  prepared_.push_back(std::move(w));
  return prepared_.back().get();
}

void RnnLayer::Refresh(PreparedWeights* w) const {
  std::lock_guard<std::mutex> lock(weights_mutex_);
  const uint64_t version = ParameterVersion();
  if (w->version == version) return;
  if (plain_version_ != version) {
    ConvertRnnWeights(cell_, input_dim_, hidden_dim_, RnnConversion::kTorchToOnednn, TorchValues(),
                      {plain_layer_.data(), plain_iter_.data(), plain_bias_.data()});
    plain_version_ = version;
  }
  auto& stream = engine_.stream();
  std::unordered_map<int, memory> layer_args = {{DNNL_ARG_FROM, plain_layer_mem_},
                                                {DNNL_ARG_TO, w->layer_mem}};
  std::unordered_map<int, memory> iter_args = {{DNNL_ARG_FROM, plain_iter_mem_},
                                               {DNNL_ARG_TO, w->iter_mem}};
  reorder_scratchpad_.Resize(std::max(w->layer_scratchpad.bytes(), w->iter_scratchpad.bytes()));
  w->layer_scratchpad.AddTo(&reorder_scratchpad_, &layer_args);
  w->iter_scratchpad.AddTo(&reorder_scratchpad_, &iter_args);
  w->layer_reorder.execute(stream, layer_args);
  w->iter_reorder.execute(stream, iter_args);
  stream.wait();
  ++num_weight_reorders_;
  w->version = version;
}

memory RnnLayer::ZeroMemory(const memory::desc& md) const {
  memory mem(md, engine_.engine());
  std::memset(mem.get_data_handle(), 0, md.get_size());
  return mem;
}

bool RnnLayer::UsesReferenceBackward(ComputeType type) const {
  if (type != ComputeType::kBf16 || cell_ != RnnCell::kLstm) return false;
  switch (bf16_backward_kernel_) {
    case BackwardKernel::kBrgemm:
      return false;
    case BackwardKernel::kReference:
      return true;
    case BackwardKernel::kAuto:
      break;
  }
  const int64_t gradient_bytes =
      (input_dim_ + hidden_dim_) * RnnNumGates(cell_) * hidden_dim_ * int64_t{sizeof(float)};
  return gradient_bytes > kBrgemmBackwardMaxGradientBytes;
}

RnnLayer::Plan& RnnLayer::GetPlan(PlanKind kind, ComputeType type, int64_t T, int64_t N,
                                  State* state) const {
  // A backward plan's weight layout depends on the kernel choice, so it is part of the key.
  const int64_t reference = kind == PlanKind::kBackward && UsesReferenceBackward(type);
  return state->plans.Get({static_cast<int64_t>(kind), static_cast<int64_t>(type), T, N, reference},
                          [&] { return MakePlan(kind, type, T, N); });
}

RnnLayer::Plan RnnLayer::MakePlan(PlanKind kind, ComputeType type, int64_t T, int64_t N) const {
  const auto& eng = engine_.engine();
  const int64_t C = input_dim_, H = hidden_dim_, G = RnnNumGates(cell_), B = RnnNumBiases(cell_);
  const bool lstm = cell_ == RnnCell::kLstm;
  const bool training = kind != PlanKind::kInference;
  const bool backward = kind == PlanKind::kBackward;
  const dt act = ToDnnl(type);
  const auto fwd_prop =
      training ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference;
  const auto bwd_prop = dnnl::prop_kind::backward;
  const auto dir = dnnl::rnn_direction::unidirectional_left2right;
  memory::desc src_md({T, N, C}, act, tag::tnc);  // [T, N, C] tnc
  memory::desc dst_md({T, N, H}, act, tag::tnc);  // [T, N, H] tnc
  memory::desc wl_any({1, 1, C, G, H}, act, tag::any);
  memory::desc wi_any({1, 1, H, G, H}, act, tag::any);
  memory::desc bias_md({1, 1, B, H}, dt::f32, tag::ldgo);
  // Training passes the zero initial state explicitly: with src_iter absent,
  // oneDNN 2.6's reference LSTM backward returns a wrong dW_hh (caught by the
  // finite-difference test). Inference leaves it out (the fast path).
  // [1, 1, N, H] ldnc; the cell state is f32 in both compute types.
  const memory::desc iter_md = training ? memory::desc({1, 1, N, H}, act, tag::ldnc) : kNone;
  const memory::desc iter_c_md =
      training && lstm ? memory::desc({1, 1, N, H}, dt::f32, tag::ldnc) : kNone;
  // Backward: weights in plain ldgoi select oneDNN's reference kernel (see
  // BackwardKernel); the forward hint keeps `any` (brgemm) either way.
  const bool reference = backward && UsesReferenceBackward(type);
  const memory::desc wl_bwd = reference ? memory::desc({1, 1, C, G, H}, act, tag::ldgoi) : wl_any;
  const memory::desc wi_bwd = reference ? memory::desc({1, 1, H, G, H}, act, tag::ldgoi) : wi_any;
  // Gradients of weights and activations are f32 in both compute types.
  memory::desc dwl_any({1, 1, C, G, H}, dt::f32, tag::any);
  memory::desc dwi_any({1, 1, H, G, H}, dt::f32, tag::any);
  memory::desc diff_src_md({T, N, C}, dt::f32, tag::tnc);
  memory::desc diff_dst_md({T, N, H}, dt::f32, tag::tnc);
  memory::desc diff_iter_md({1, 1, N, H}, dt::f32, tag::ldnc);

  Plan plan;
  dnnl::rnn_primitive_desc_base pd;
  memory::desc forward_workspace_md;
  Wrap(weight_ih_.name, backward ? "create the backward primitive" : "create the forward primitive",
       T, N, [&] {
         if (lstm) {
           dnnl::lstm_forward::primitive_desc fwd_pd(
               dnnl::lstm_forward::desc(fwd_prop, dir, src_md, iter_md, iter_c_md, wl_any, wi_any,
                                        bias_md, dst_md, kNone, kNone),
               UserScratchpad(), eng);
           pd = fwd_pd;
           forward_workspace_md = fwd_pd.workspace_desc();
           if (!backward) {
             plan.prim = dnnl::lstm_forward(fwd_pd);
             return;
           }
           dnnl::lstm_backward::primitive_desc bwd_pd(
               dnnl::lstm_backward::desc(bwd_prop, dir, src_md, iter_md, iter_c_md, wl_bwd, wi_bwd,
                                         bias_md, dst_md, kNone, kNone, diff_src_md, diff_iter_md,
                                         iter_c_md, dwl_any, dwi_any, bias_md, diff_dst_md, kNone,
                                         kNone),
               UserScratchpad(), eng, fwd_pd);
           plan.prim = dnnl::lstm_backward(bwd_pd);
           pd = bwd_pd;
         } else {
           dnnl::lbr_gru_forward::primitive_desc fwd_pd(
               dnnl::lbr_gru_forward::desc(fwd_prop, dir, src_md, iter_md, wl_any, wi_any, bias_md,
                                           dst_md, kNone),
               UserScratchpad(), eng);
           pd = fwd_pd;
           forward_workspace_md = fwd_pd.workspace_desc();
           if (!backward) {
             plan.prim = dnnl::lbr_gru_forward(fwd_pd);
             return;
           }
           dnnl::lbr_gru_backward::primitive_desc bwd_pd(
               dnnl::lbr_gru_backward::desc(bwd_prop, dir, src_md, iter_md, wl_bwd, wi_bwd, bias_md,
                                            dst_md, kNone, diff_src_md, diff_iter_md, dwl_any,
                                            dwi_any, bias_md, diff_dst_md, kNone),
               UserScratchpad(), eng, fwd_pd);
           plan.prim = dnnl::lbr_gru_backward(bwd_pd);
           pd = bwd_pd;
         }
       });
  // The backward reads the workspace a training forward wrote (possibly with
  // the other kernel): both must agree on it.
  ATTEND_CHECK(!backward || pd.workspace_desc() == forward_workspace_md, "RNN layer ",
               weight_ih_.name,
               ": oneDNN's backward expects a different workspace than its "
               "forward writes (T=",
               T, " N=", N, ")");

  plan.scratchpad = ScratchpadArg(pd, eng);
  auto per_call = [&](int arg, const memory::desc& md) {
    plan.args.emplace(arg, memory(md, eng, nullptr));
  };
  per_call(DNNL_ARG_SRC_LAYER, src_md);
  per_call(DNNL_ARG_DST_LAYER, dst_md);
  plan.weights = Prepared(pd.weights_layer_desc(), pd.weights_iter_desc());
  plan.args.emplace(DNNL_ARG_WEIGHTS_LAYER, plan.weights->layer_mem);
  plan.args.emplace(DNNL_ARG_WEIGHTS_ITER, plan.weights->iter_mem);
  plan.args.emplace(DNNL_ARG_BIAS, memory(bias_md, eng, plain_bias_.data()));
  if (training) {
    plan.workspace_bytes = pd.workspace_desc().get_size();
    per_call(DNNL_ARG_WORKSPACE, pd.workspace_desc());
    plan.args.emplace(DNNL_ARG_SRC_ITER, ZeroMemory(iter_md));
    if (lstm) plan.args.emplace(DNNL_ARG_SRC_ITER_C, ZeroMemory(iter_c_md));
  }
  if (backward) {
    // Backward plans are built on the layer's own state only (non-const Backward).
    const_cast<RnnLayer*>(this)->AllocateGradientScratch();
    per_call(DNNL_ARG_DIFF_SRC_LAYER, diff_src_md);
    per_call(DNNL_ARG_DIFF_DST_LAYER, diff_dst_md);
    plan.args.emplace(DNNL_ARG_DIFF_SRC_ITER, memory(diff_iter_md, eng));  // unused
    if (lstm) plan.args.emplace(DNNL_ARG_DIFF_SRC_ITER_C, memory(iter_c_md, eng));
    const memory diff_layer(pd.diff_weights_layer_desc(), eng);
    const memory diff_iter(pd.diff_weights_iter_desc(), eng);
    plan.args.emplace(DNNL_ARG_DIFF_WEIGHTS_LAYER, diff_layer);
    plan.args.emplace(DNNL_ARG_DIFF_WEIGHTS_ITER, diff_iter);
    plan.args.emplace(DNNL_ARG_DIFF_BIAS, memory(bias_md, eng));
    const dnnl::reorder::primitive_desc layer_pd(diff_layer, plain_diff_layer_mem_,
                                                 UserScratchpad());
    const dnnl::reorder::primitive_desc iter_pd(diff_iter, plain_diff_iter_mem_, UserScratchpad());
    plan.diff_layer_reorder = dnnl::reorder(layer_pd);
    plan.diff_iter_reorder = dnnl::reorder(iter_pd);
    plan.diff_layer_scratchpad = ScratchpadArg(layer_pd, eng);
    plan.diff_iter_scratchpad = ScratchpadArg(iter_pd, eng);
  }
  ++num_plans_created_;
  return plan;
}

void RnnLayer::Forward(ComputeType type, int64_t T, int64_t N, const void* src, void* dst,
                       Context* ctx, State* state, ByteBuffer* workspace) const {
  if (T == 0 || N == 0) return;
  // f32 inference may run the training primitive (see f32_inference_via_training).
  const bool training =
      ctx != nullptr || (type == ComputeType::kF32 && f32_inference_via_training_);
  Plan& plan = GetPlan(training ? PlanKind::kTraining : PlanKind::kInference, type, T, N, state);
  Refresh(plan.weights);  // also refreshes plain_bias_, which the bias argument aliases
  plan.args.at(DNNL_ARG_SRC_LAYER).set_data_handle(const_cast<void*>(src));
  plan.args.at(DNNL_ARG_DST_LAYER).set_data_handle(dst);
  if (ctx != nullptr) {
    ctx->workspace.Resize(plan.workspace_bytes);
    plan.args.at(DNNL_ARG_WORKSPACE).set_data_handle(ctx->workspace.data());
    ctx->type = type;
    ctx->T = T;
    ctx->N = N;
    plan.scratchpad.AddTo(&state->scratchpad, &plan.args);
  } else {
    // Inference: the caller's workspace buffer (which layers that run in
    // turn share) holds the scratchpad too, after oneDNN's workspace if any.
    ATTEND_ASSERT(workspace != nullptr, "RNN layer ", weight_ih_.name,
                  ": inference needs a workspace");
    const size_t offset = training ? RoundUpToPage(plan.workspace_bytes) : 0;
    workspace->Resize(offset + plan.scratchpad.bytes());
    auto* base = static_cast<uint8_t*>(workspace->data());
    if (training) plan.args.at(DNNL_ARG_WORKSPACE).set_data_handle(base);
    plan.scratchpad.AddAt(base + offset, &plan.args);
  }
  auto& stream = engine_.stream();
  Wrap(weight_ih_.name, "run forward", T, N, [&] {
    plan.prim.execute(stream, plan.args);
    stream.wait();
  });
}

void RnnLayer::Backward(const Context& ctx, const void* src, const void* dst, const void* diff_dst,
                        void* diff_src) {
  const int64_t T = ctx.T, N = ctx.N;
  if (T == 0 || N == 0) return;
  Plan& plan = GetPlan(PlanKind::kBackward, ctx.type, T, N, &own_);
  ATTEND_ASSERT(ctx.workspace.size() >= plan.workspace_bytes, "RNN layer ", weight_ih_.name,
                ": the context's workspace is smaller than the backward expects");
  Refresh(plan.weights);
  plan.args.at(DNNL_ARG_SRC_LAYER).set_data_handle(const_cast<void*>(src));
  plan.args.at(DNNL_ARG_DST_LAYER).set_data_handle(const_cast<void*>(dst));
  plan.args.at(DNNL_ARG_DIFF_DST_LAYER).set_data_handle(const_cast<void*>(diff_dst));
  plan.args.at(DNNL_ARG_DIFF_SRC_LAYER).set_data_handle(diff_src);
  plan.args.at(DNNL_ARG_WORKSPACE).set_data_handle(const_cast<void*>(ctx.workspace.data()));
  // oneDNN accumulates into the weight gradients: start them at zero.
  for (int arg : {DNNL_ARG_DIFF_WEIGHTS_LAYER, DNNL_ARG_DIFF_WEIGHTS_ITER, DNNL_ARG_DIFF_BIAS}) {
    const memory& mem = plan.args.at(arg);
    std::memset(mem.get_data_handle(), 0, mem.get_desc().get_size());
  }
  memory& diff_layer = plan.args.at(DNNL_ARG_DIFF_WEIGHTS_LAYER);
  memory& diff_iter = plan.args.at(DNNL_ARG_DIFF_WEIGHTS_ITER);
  std::unordered_map<int, memory> layer_args = {{DNNL_ARG_FROM, diff_layer},
                                                {DNNL_ARG_TO, plain_diff_layer_mem_}};
  std::unordered_map<int, memory> iter_args = {{DNNL_ARG_FROM, diff_iter},
                                               {DNNL_ARG_TO, plain_diff_iter_mem_}};
  // The three run in turn, so they share the state's scratchpad, sized
  // first: growing it between them would free what the first one points at.
  own_.scratchpad.Resize(std::max({plan.scratchpad.bytes(), plan.diff_layer_scratchpad.bytes(),
                                   plan.diff_iter_scratchpad.bytes()}));
  plan.scratchpad.AddTo(&own_.scratchpad, &plan.args);
  plan.diff_layer_scratchpad.AddTo(&own_.scratchpad, &layer_args);
  plan.diff_iter_scratchpad.AddTo(&own_.scratchpad, &iter_args);
  auto& stream = engine_.stream();
  Wrap(weight_ih_.name, "run backward", T, N, [&] {
    plan.prim.execute(stream, plan.args);
    plan.diff_layer_reorder.execute(stream, layer_args);
    plan.diff_iter_reorder.execute(stream, iter_args);
    stream.wait();
  });
  ConvertRnnWeights(cell_, input_dim_, hidden_dim_, RnnConversion::kOnednnGradToTorch, TorchGrads(),
                    {plain_diff_layer_.data(), plain_diff_iter_.data(),
                     static_cast<float*>(plan.args.at(DNNL_ARG_DIFF_BIAS).get_data_handle())});
}

}  // namespace attend::nn
