#include "nn/linear.h"

#include <cmath>

#include "base/error.h"

namespace attend::nn {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

Linear::Linear(const std::string& name, int64_t in_dim, int64_t out_dim, bool bias, Engine& engine)
    : engine_(engine),
      in_dim_(in_dim),
      out_dim_(out_dim),
      has_bias_(bias),
      weight_(name + ".weight", {out_dim, in_dim}),
      bias_(name + ".bias", {out_dim}) {
  ATTEND_CHECK(in_dim > 0 && out_dim > 0, "linear layer ", name,
               ": dimensions must be positive, got ", in_dim, "x", out_dim);
  plain_weights_mem_ =
      memory({{out_dim_, in_dim_}, dt::f32, tag::oi}, engine_.engine(), weight_.value.data());
}

void Linear::Init(Rng* rng) {
  float bound = 1.0f / std::sqrt(static_cast<float>(in_dim_));
  InitUniform(&weight_, bound, rng);
  if (has_bias_) InitUniform(&bias_, bound, rng);
}

std::vector<Parameter*> Linear::Parameters() {
  if (has_bias_) return {&weight_, &bias_};
  return {&weight_};
}

int64_t Linear::Rows(const Tensor& x) const {
  ATTEND_CHECK(x.rank() >= 1 && x.shape().back() == in_dim_, weight_.name,
               ": input's last dimension must be ", in_dim_, ", got shape ",
               ShapeToString(x.shape()));
  return x.size() / in_dim_;
}

std::shared_ptr<Linear::PreparedWeights> Linear::Prepared(const memory::desc& desc) const {
  std::lock_guard<std::mutex> lock(prepared_mutex_);
  std::erase_if(prepared_, [](const auto& w) { return w.expired(); });
  for (const auto& w : prepared_) {
    auto live = w.lock();
    if (live->mem.get_desc() == desc) return live;
  }
  auto w = std::make_shared<PreparedWeights>();
  w->mem =
      desc == plain_weights_mem_.get_desc() ? plain_weights_mem_ : memory(desc, engine_.engine());
  prepared_.push_back(w);
  return w;
}

int64_t Linear::num_prepared_weights() const {
  std::lock_guard<std::mutex> lock(prepared_mutex_);
  int64_t n = 0;
  for (const auto& w : prepared_) n += !w.expired();
  return n;
}

const memory& Linear::Refreshed(PreparedWeights& w) const {
  std::lock_guard<std::mutex> lock(prepared_mutex_);
  if (w.version != weight_.version()) {
    if (w.mem != plain_weights_mem_)
      Reorder(plain_weights_mem_, w.mem, engine_.stream(), &reorder_scratchpad_);
    w.version = weight_.version();
  }
  return w.mem;
}

void* Linear::InComputeType(const Tensor& t, std::vector<bf16_t>* buf) const {
  if (compute_type_ == ComputeType::kF32) return const_cast<float*>(t.data());
  if (static_cast<int64_t>(buf->size()) < t.size()) buf->resize(t.size());
  FloatToBf16(t.data(), buf->data(), t.size());
  return buf->data();
}

Linear::ForwardPlan Linear::MakeForwardPlan(int64_t rows, ComputeType type) const {
  const auto& eng = engine_.engine();
  memory::desc src_md({rows, in_dim_}, ToDnnl(type), tag::nc);
  memory::desc weights_any_md({out_dim_, in_dim_}, ToDnnl(type), tag::any);
  memory::desc bias_md({out_dim_}, dt::f32, tag::x);
  memory::desc dst_md({rows, out_dim_}, dt::f32, tag::nc);
  auto desc = dnnl::inner_product_forward::desc(dnnl::prop_kind::forward_inference, src_md,
                                                weights_any_md, bias_md, dst_md);
  dnnl::inner_product_forward::primitive_desc pd(desc, UserScratchpad(), eng);
  ForwardPlan plan;
  plan.prim = dnnl::inner_product_forward(pd);
  plan.scratchpad = ScratchpadArg(pd, eng);
  plan.src_mem = memory(src_md, eng, nullptr);
  plan.dst_mem = memory(dst_md, eng, nullptr);
  // Zero and never trained without a bias.
  plan.bias_mem = memory(bias_md, eng, const_cast<float*>(bias_.value.data()));
  plan.weights = Prepared(pd.weights_desc());
  ++num_plans_created_;
  return plan;
}

void Linear::Forward(const Tensor& x, Tensor* y, State* state) const {
  const int64_t rows = Rows(x);
  Shape out_shape = x.shape();
  out_shape.back() = out_dim_;
  y->Resize(out_shape);
  if (rows == 0) return;
  const ComputeType type = compute_type_;
  ForwardPlan& plan = state->forward_plans.Get({rows, static_cast<int64_t>(type)},
                                               [&] { return MakeForwardPlan(rows, type); });
  auto& stream = engine_.stream();
  // Refresh the preferred-layout copy of W only when W changed.
  const memory& w = Refreshed(*plan.weights);
  plan.src_mem.set_data_handle(InComputeType(x, &state->src_bf16));
  plan.dst_mem.set_data_handle(y->data());
  std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, plan.src_mem},
                                          {DNNL_ARG_WEIGHTS, w},
                                          {DNNL_ARG_BIAS, plan.bias_mem},
                                          {DNNL_ARG_DST, plan.dst_mem}};
  plan.scratchpad.AddTo(&state->scratchpad, &args);
  plan.prim.execute(stream, args);
  stream.wait();
}

Linear::BackwardPlan Linear::MakeBackwardPlan(int64_t rows, ComputeType type) const {
  const auto& eng = engine_.engine();
  const dt act = ToDnnl(type);
  memory::desc src_md({rows, in_dim_}, act, tag::nc);
  memory::desc weights_md({out_dim_, in_dim_}, act, tag::oi);
  memory::desc diff_weights_md({out_dim_, in_dim_}, dt::f32, tag::oi);
  memory::desc bias_md({out_dim_}, dt::f32, tag::x);
  memory::desc diff_dst_md({rows, out_dim_}, act, tag::nc);
  memory::desc diff_src_md({rows, in_dim_}, dt::f32, tag::nc);
  // Backward primitives need a forward-training descriptor as a hint.
  auto fwd_desc = dnnl::inner_product_forward::desc(dnnl::prop_kind::forward_training, src_md,
                                                    weights_md, bias_md, diff_dst_md);
  dnnl::inner_product_forward::primitive_desc fwd_pd(fwd_desc, eng);
  dnnl::inner_product_backward_data::primitive_desc data_pd(
      dnnl::inner_product_backward_data::desc(diff_src_md, weights_md, diff_dst_md),
      UserScratchpad(), eng, fwd_pd);
  dnnl::inner_product_backward_weights::primitive_desc weights_pd(
      dnnl::inner_product_backward_weights::desc(src_md, diff_weights_md, bias_md, diff_dst_md),
      UserScratchpad(), eng, fwd_pd);
  BackwardPlan plan;
  plan.data_prim = dnnl::inner_product_backward_data(data_pd);
  plan.weights_prim = dnnl::inner_product_backward_weights(weights_pd);
  plan.data_scratchpad = ScratchpadArg(data_pd, eng);
  plan.weights_scratchpad = ScratchpadArg(weights_pd, eng);
  plan.src_mem = memory(src_md, eng, nullptr);
  plan.diff_dst_mem = memory(diff_dst_md, eng, nullptr);
  plan.diff_src_mem = memory(diff_src_md, eng, nullptr);
  plan.diff_weights_mem = memory(diff_weights_md, eng);
  plan.diff_bias_mem = memory(bias_md, eng);
  plan.weights = Prepared(weights_md);
  ++num_plans_created_;
  return plan;
}

Linear::BackwardPlan& Linear::GetBackwardPlan(int64_t rows) {
  const ComputeType type = compute_type_;
  return own_.backward_plans.Get({rows, static_cast<int64_t>(type)},
                                 [&] { return MakeBackwardPlan(rows, type); });
}

void Linear::Backward(const Tensor& x, const Tensor& dy, Tensor* dx) {
  const int64_t rows = Rows(x);
  ATTEND_CHECK(dy.size() == rows * out_dim_, weight_.name, ": output gradient has shape ",
               ShapeToString(dy.shape()), ", expected ", rows, " rows of ", out_dim_);
  if (dx != nullptr) BackwardData(dy, dx);
  BackwardWeights(x, dy);
}

void Linear::BackwardData(const Tensor& dy, Tensor* dx) {
  ATTEND_CHECK(dy.rank() >= 1 && dy.shape().back() == out_dim_, weight_.name,
               ": output gradient's last dimension must be ", out_dim_, ", got shape ",
               ShapeToString(dy.shape()));
  const int64_t rows = dy.size() / out_dim_;
  Shape dx_shape = dy.shape();
  dx_shape.back() = in_dim_;
  dx->Resize(dx_shape);
  if (rows == 0) return;
  BackwardPlan& plan = GetBackwardPlan(rows);
  auto& stream = engine_.stream();
  const memory& w = Refreshed(*plan.weights);
  plan.diff_dst_mem.set_data_handle(InComputeType(dy, &own_.diff_dst_bf16));
  plan.diff_src_mem.set_data_handle(dx->data());
  std::unordered_map<int, memory> args = {{DNNL_ARG_DIFF_DST, plan.diff_dst_mem},
                                          {DNNL_ARG_WEIGHTS, w},
                                          {DNNL_ARG_DIFF_SRC, plan.diff_src_mem}};
  plan.data_scratchpad.AddTo(&own_.scratchpad, &args);
  plan.data_prim.execute(stream, args);
  stream.wait();
}

void Linear::BackwardWeights(const Tensor& x, const Tensor& dy) {
  const int64_t rows = Rows(x);
  ATTEND_CHECK(dy.size() == rows * out_dim_, weight_.name, ": output gradient has shape ",
               ShapeToString(dy.shape()), ", expected ", rows, " rows of ", out_dim_);
  if (rows == 0) return;
  BackwardPlan& plan = GetBackwardPlan(rows);
  auto& stream = engine_.stream();
  plan.src_mem.set_data_handle(InComputeType(x, &own_.src_bf16));
  plan.diff_dst_mem.set_data_handle(InComputeType(dy, &own_.diff_dst_bf16));
  std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, plan.src_mem},
                                          {DNNL_ARG_DIFF_DST, plan.diff_dst_mem},
                                          {DNNL_ARG_DIFF_WEIGHTS, plan.diff_weights_mem},
                                          {DNNL_ARG_DIFF_BIAS, plan.diff_bias_mem}};
  plan.weights_scratchpad.AddTo(&own_.scratchpad, &args);
  plan.weights_prim.execute(stream, args);
  stream.wait();
  // Gradients accumulate (a layer applied at many time steps sums them).
  const auto* dw = static_cast<const float*>(plan.diff_weights_mem.get_data_handle());
  float* gw = weight_.grad.data();
  const int64_t n = weight_.grad.size();  // hoisted: size() is not inline, the loop then vectorizes
  for (int64_t i = 0; i < n; ++i) gw[i] += dw[i];
  if (has_bias_) {
    const auto* db = static_cast<const float*>(plan.diff_bias_mem.get_data_handle());
    float* gb = bias_.grad.data();
    for (int64_t i = 0; i < out_dim_; ++i) gb[i] += db[i];
  }
}

}  // namespace attend::nn
