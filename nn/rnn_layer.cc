#include "nn/rnn_layer.h"

#include <cmath>
#include <cstring>
#include <unordered_map>

#include "base/error.h"

namespace attend::nn {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

dt ToDnnl(ComputeType type) { return type == ComputeType::kF32 ? dt::f32 : dt::bf16; }
size_t ElementSize(ComputeType type) { return type == ComputeType::kF32 ? 4 : 2; }

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
      plain_bias_({RnnNumBiases(cell) * hidden_dim}),
      plain_diff_layer_({input_dim * RnnNumGates(cell) * hidden_dim}),
      plain_diff_iter_({hidden_dim * RnnNumGates(cell) * hidden_dim}) {
  ATTEND_CHECK(input_dim > 0 && hidden_dim > 0, "RNN layer ", name,
               ": dimensions must be positive, got input ", input_dim, ", hidden ", hidden_dim);
  const int64_t G = RnnNumGates(cell);
  plain_layer_mem_ = memory({{1, 1, input_dim, G, hidden_dim}, dt::f32, tag::ldgoi},
                            engine_.engine(), plain_layer_.data());
  plain_iter_mem_ = memory({{1, 1, hidden_dim, G, hidden_dim}, dt::f32, tag::ldgoi},
                           engine_.engine(), plain_iter_.data());
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

TorchRnnWeights RnnLayer::TorchValues() {
  return {weight_ih_.value.data(), weight_hh_.value.data(), bias_ih_.value.data(),
          bias_hh_.value.data()};
}

TorchRnnWeights RnnLayer::TorchGrads() {
  return {weight_ih_.grad.data(), weight_hh_.grad.data(), bias_ih_.grad.data(),
          bias_hh_.grad.data()};
}

RnnLayer::PreparedWeights* RnnLayer::Prepared(const memory::desc& layer_desc,
                                              const memory::desc& iter_desc) {
  for (auto& w : prepared_)
    if (w->layer_desc == layer_desc && w->iter_desc == iter_desc) return w.get();
  auto w = std::make_unique<PreparedWeights>();
  w->layer_desc = layer_desc;
  w->iter_desc = iter_desc;
  w->layer_mem = memory(layer_desc, engine_.engine());
  w->iter_mem = memory(iter_desc, engine_.engine());
  w->layer_reorder = dnnl::reorder(plain_layer_mem_, w->layer_mem);
  w->iter_reorder = dnnl::reorder(plain_iter_mem_, w->iter_mem);
  prepared_.push_back(std::move(w));
  return prepared_.back().get();
}

void RnnLayer::Refresh(PreparedWeights* w) {
  const uint64_t version = ParameterVersion();
  if (w->version == version) return;
  if (plain_version_ != version) {
    ConvertRnnWeights(cell_, input_dim_, hidden_dim_, RnnConversion::kTorchToOnednn, TorchValues(),
                      {plain_layer_.data(), plain_iter_.data(), plain_bias_.data()});
    plain_version_ = version;
  }
  auto& stream = engine_.stream();
  w->layer_reorder.execute(stream, plain_layer_mem_, w->layer_mem);
  w->iter_reorder.execute(stream, plain_iter_mem_, w->iter_mem);
  stream.wait();
  ++num_weight_reorders_;
  w->version = version;
}

memory RnnLayer::ZeroMemory(const memory::desc& md) {
  memory mem(md, engine_.engine());
  std::memset(mem.get_data_handle(), 0, md.get_size());
  return mem;
}

RnnLayer::ForwardPlan RnnLayer::MakeForwardPlan(ComputeType type, bool training, int64_t T,
                                                int64_t N) {
  const auto& eng = engine_.engine();
  const int64_t C = input_dim_, H = hidden_dim_, G = RnnNumGates(cell_);
  const dt act = ToDnnl(type);
  const auto prop =
      training ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference;
  const auto dir = dnnl::rnn_direction::unidirectional_left2right;
  memory::desc src_md({T, N, C}, act, tag::tnc);  // [T, N, C] tnc
  memory::desc dst_md({T, N, H}, act, tag::tnc);  // [T, N, H] tnc
  memory::desc wl_any({1, 1, C, G, H}, act, tag::any);
  memory::desc wi_any({1, 1, H, G, H}, act, tag::any);
  memory::desc bias_md({1, 1, RnnNumBiases(cell_), H}, dt::f32, tag::ldgo);
  // Training passes the zero initial state explicitly: with src_iter absent,
  // oneDNN 2.6's reference LSTM backward returns a wrong dW_hh (caught by the
  // finite-difference test). Inference leaves it out (the fast path).
  const memory::desc iter_md = training ? memory::desc({1, 1, N, H}, act, tag::ldnc) : kNone;
  const memory::desc iter_c_md =
      training && cell_ == RnnCell::kLstm ? memory::desc({1, 1, N, H}, dt::f32, tag::ldnc) : kNone;
  ForwardPlan plan;
  dnnl::rnn_primitive_desc_base pd;
  Wrap(weight_ih_.name, "create the forward primitive", T, N, [&] {
    if (cell_ == RnnCell::kLstm) {
      dnnl::lstm_forward::primitive_desc lstm_pd(
          dnnl::lstm_forward::desc(prop, dir, src_md, iter_md, iter_c_md, wl_any, wi_any, bias_md,
                                   dst_md, kNone, kNone),
          eng);
      plan.prim = dnnl::lstm_forward(lstm_pd);
      pd = lstm_pd;
    } else {
      dnnl::lbr_gru_forward::primitive_desc gru_pd(
          dnnl::lbr_gru_forward::desc(prop, dir, src_md, iter_md, wl_any, wi_any, bias_md, dst_md,
                                      kNone),
          eng);
      plan.prim = dnnl::lbr_gru_forward(gru_pd);
      pd = gru_pd;
    }
  });
  plan.src_mem = memory(src_md, eng, nullptr);
  plan.dst_mem = memory(dst_md, eng, nullptr);
  plan.bias_mem = memory(bias_md, eng, plain_bias_.data());
  plan.weights = Prepared(pd.weights_layer_desc(), pd.weights_iter_desc());
  if (training) {
    plan.workspace_mem = memory(pd.workspace_desc(), eng, nullptr);
    plan.workspace_bytes = pd.workspace_desc().get_size();
    plan.src_iter_mem = ZeroMemory(iter_md);
    if (cell_ == RnnCell::kLstm) plan.src_iter_c_mem = ZeroMemory(iter_c_md);
  }
  return plan;
}

void RnnLayer::Forward(ComputeType type, int64_t T, int64_t N, const void* src, void* dst,
                       Context* ctx) {
  if (T == 0 || N == 0) return;
  // f32 inference may run the training primitive (see f32_inference_via_training).
  const bool training =
      ctx != nullptr || (type == ComputeType::kF32 && f32_inference_via_training_);
  ForwardPlan& plan = forward_plans_.Get({static_cast<int64_t>(type), training, T, N},
                                         [&] { return MakeForwardPlan(type, training, T, N); });
  Refresh(plan.weights);  // also refreshes plain_bias_, which bias_mem aliases
  plan.src_mem.set_data_handle(const_cast<void*>(src));
  plan.dst_mem.set_data_handle(dst);
  std::unordered_map<int, memory> args = {{DNNL_ARG_SRC_LAYER, plan.src_mem},
                                          {DNNL_ARG_WEIGHTS_LAYER, plan.weights->layer_mem},
                                          {DNNL_ARG_WEIGHTS_ITER, plan.weights->iter_mem},
                                          {DNNL_ARG_BIAS, plan.bias_mem},
                                          {DNNL_ARG_DST_LAYER, plan.dst_mem}};
  if (training) {
    ByteBuffer* workspace = ctx != nullptr ? &ctx->workspace : &plan.own_workspace;
    workspace->Resize(plan.workspace_bytes);
    if (ctx != nullptr) {
      ctx->type = type;
      ctx->T = T;
      ctx->N = N;
    }
    plan.workspace_mem.set_data_handle(workspace->data());
    args.emplace(DNNL_ARG_WORKSPACE, plan.workspace_mem);
    args.emplace(DNNL_ARG_SRC_ITER, plan.src_iter_mem);
    if (cell_ == RnnCell::kLstm) args.emplace(DNNL_ARG_SRC_ITER_C, plan.src_iter_c_mem);
  }
  auto& stream = engine_.stream();
  Wrap(weight_ih_.name, "run forward", T, N, [&] {
    plan.prim.execute(stream, args);
    stream.wait();
  });
}

RnnLayer::BackwardPlan RnnLayer::MakeBackwardPlan(ComputeType type, int64_t T, int64_t N) {
  const auto& eng = engine_.engine();
  const int64_t C = input_dim_, H = hidden_dim_, G = RnnNumGates(cell_), B = RnnNumBiases(cell_);
  const dt act = ToDnnl(type);
  const auto fwd = dnnl::prop_kind::forward_training;
  const auto bwd = dnnl::prop_kind::backward;
  const auto dir = dnnl::rnn_direction::unidirectional_left2right;
  memory::desc src_md({T, N, C}, act, tag::tnc);  // [T, N, C] tnc
  memory::desc dst_md({T, N, H}, act, tag::tnc);  // [T, N, H] tnc
  memory::desc wl_any({1, 1, C, G, H}, act, tag::any);
  memory::desc wi_any({1, 1, H, G, H}, act, tag::any);
  memory::desc bias_md({1, 1, B, H}, dt::f32, tag::ldgo);
  // Gradients of weights are float32 in both modes (f32 master weights).
  memory::desc dwl_any({1, 1, C, G, H}, dt::f32, tag::any);
  memory::desc dwi_any({1, 1, H, G, H}, dt::f32, tag::any);
  // The zero initial state (see MakeForwardPlan), [1, 1, N, H] ldnc.
  memory::desc iter_md({1, 1, N, H}, act, tag::ldnc);
  memory::desc iter_c_md({1, 1, N, H}, dt::f32, tag::ldnc);
  // oneDNN wants every activation gradient in f32, in bf16 training too.
  memory::desc diff_src_md({T, N, C}, dt::f32, tag::tnc);
  memory::desc diff_dst_md({T, N, H}, dt::f32, tag::tnc);
  memory::desc diff_iter_md({1, 1, N, H}, dt::f32, tag::ldnc);
  BackwardPlan plan;
  dnnl::rnn_primitive_desc_base pd;
  Wrap(weight_ih_.name, "create the backward primitive", T, N, [&] {
    if (cell_ == RnnCell::kLstm) {
      dnnl::lstm_forward::primitive_desc fwd_pd(
          dnnl::lstm_forward::desc(fwd, dir, src_md, iter_md, iter_c_md, wl_any, wi_any, bias_md,
                                   dst_md, kNone, kNone),
          eng);
      dnnl::lstm_backward::primitive_desc bwd_pd(
          dnnl::lstm_backward::desc(bwd, dir, src_md, iter_md, iter_c_md, wl_any, wi_any, bias_md,
                                    dst_md, kNone, kNone, diff_src_md, diff_iter_md, iter_c_md,
                                    dwl_any, dwi_any, bias_md, diff_dst_md, kNone, kNone),
          eng, fwd_pd);
      plan.prim = dnnl::lstm_backward(bwd_pd);
      pd = bwd_pd;
    } else {
      dnnl::lbr_gru_forward::primitive_desc fwd_pd(
          dnnl::lbr_gru_forward::desc(fwd, dir, src_md, iter_md, wl_any, wi_any, bias_md, dst_md,
                                      kNone),
          eng);
      dnnl::lbr_gru_backward::primitive_desc bwd_pd(
          dnnl::lbr_gru_backward::desc(bwd, dir, src_md, iter_md, wl_any, wi_any, bias_md, dst_md,
                                       kNone, diff_src_md, diff_iter_md, dwl_any, dwi_any, bias_md,
                                       diff_dst_md, kNone),
          eng, fwd_pd);
      plan.prim = dnnl::lbr_gru_backward(bwd_pd);
      pd = bwd_pd;
    }
  });
  plan.src_mem = memory(src_md, eng, nullptr);
  plan.dst_mem = memory(dst_md, eng, nullptr);
  plan.diff_src_mem = memory(diff_src_md, eng, nullptr);
  plan.diff_dst_mem = memory(diff_dst_md, eng, nullptr);
  plan.workspace_mem = memory(pd.workspace_desc(), eng, nullptr);
  plan.bias_mem = memory(bias_md, eng, plain_bias_.data());
  plan.src_iter_mem = ZeroMemory(iter_md);
  plan.diff_src_iter_mem = memory(diff_iter_md, eng);
  if (cell_ == RnnCell::kLstm) {
    plan.src_iter_c_mem = ZeroMemory(iter_c_md);
    plan.diff_src_iter_c_mem = memory(iter_c_md, eng);
  }
  plan.weights = Prepared(pd.weights_layer_desc(), pd.weights_iter_desc());
  plan.diff_layer_mem = memory(pd.diff_weights_layer_desc(), eng);
  plan.diff_iter_mem = memory(pd.diff_weights_iter_desc(), eng);
  plan.diff_bias_mem = memory(bias_md, eng);
  plan.plain_diff_layer_mem =
      memory({{1, 1, C, G, H}, dt::f32, tag::ldgoi}, eng, plain_diff_layer_.data());
  plan.plain_diff_iter_mem =
      memory({{1, 1, H, G, H}, dt::f32, tag::ldgoi}, eng, plain_diff_iter_.data());
  plan.diff_layer_reorder = dnnl::reorder(plan.diff_layer_mem, plan.plain_diff_layer_mem);
  plan.diff_iter_reorder = dnnl::reorder(plan.diff_iter_mem, plan.plain_diff_iter_mem);
  return plan;
}

void RnnLayer::Backward(const Context& ctx, const void* src, const void* dst, const void* diff_dst,
                        void* diff_src) {
  const int64_t T = ctx.T, N = ctx.N;
  if (T == 0 || N == 0) return;
  BackwardPlan& plan = backward_plans_.Get({static_cast<int64_t>(ctx.type), T, N},
                                           [&] { return MakeBackwardPlan(ctx.type, T, N); });
  Refresh(plan.weights);
  plan.src_mem.set_data_handle(const_cast<void*>(src));
  plan.dst_mem.set_data_handle(const_cast<void*>(dst));
  plan.diff_dst_mem.set_data_handle(const_cast<void*>(diff_dst));
  plan.diff_src_mem.set_data_handle(diff_src);
  plan.workspace_mem.set_data_handle(const_cast<void*>(ctx.workspace.data()));
  // oneDNN accumulates into the weight gradients: start them at zero.
  std::memset(plan.diff_layer_mem.get_data_handle(), 0, plan.diff_layer_mem.get_desc().get_size());
  std::memset(plan.diff_iter_mem.get_data_handle(), 0, plan.diff_iter_mem.get_desc().get_size());
  std::memset(plan.diff_bias_mem.get_data_handle(), 0, plan.diff_bias_mem.get_desc().get_size());
  std::unordered_map<int, memory> args = {{DNNL_ARG_SRC_LAYER, plan.src_mem},
                                          {DNNL_ARG_SRC_ITER, plan.src_iter_mem},
                                          {DNNL_ARG_WEIGHTS_LAYER, plan.weights->layer_mem},
                                          {DNNL_ARG_WEIGHTS_ITER, plan.weights->iter_mem},
                                          {DNNL_ARG_BIAS, plan.bias_mem},
                                          {DNNL_ARG_DST_LAYER, plan.dst_mem},
                                          {DNNL_ARG_DIFF_DST_LAYER, plan.diff_dst_mem},
                                          {DNNL_ARG_WORKSPACE, plan.workspace_mem},
                                          {DNNL_ARG_DIFF_SRC_LAYER, plan.diff_src_mem},
                                          {DNNL_ARG_DIFF_SRC_ITER, plan.diff_src_iter_mem},
                                          {DNNL_ARG_DIFF_WEIGHTS_LAYER, plan.diff_layer_mem},
                                          {DNNL_ARG_DIFF_WEIGHTS_ITER, plan.diff_iter_mem},
                                          {DNNL_ARG_DIFF_BIAS, plan.diff_bias_mem}};
  if (cell_ == RnnCell::kLstm) {
    args.emplace(DNNL_ARG_SRC_ITER_C, plan.src_iter_c_mem);
    args.emplace(DNNL_ARG_DIFF_SRC_ITER_C, plan.diff_src_iter_c_mem);
  }
  auto& stream = engine_.stream();
  Wrap(weight_ih_.name, "run backward", T, N, [&] {
    plan.prim.execute(stream, args);
    plan.diff_layer_reorder.execute(stream, plan.diff_layer_mem, plan.plain_diff_layer_mem);
    plan.diff_iter_reorder.execute(stream, plan.diff_iter_mem, plan.plain_diff_iter_mem);
    stream.wait();
  });
  ConvertRnnWeights(cell_, input_dim_, hidden_dim_, RnnConversion::kOnednnGradToTorch, TorchGrads(),
                    {plain_diff_layer_.data(), plain_diff_iter_.data(),
                     static_cast<float*>(plan.diff_bias_mem.get_data_handle())});
}

}  // namespace attend::nn
