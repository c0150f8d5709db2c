#include "nn/lstm_cell.h"

#include <cmath>
#include <cstring>

#include "base/error.h"
#include "base/target_clones.h"
#include "nn/fast_math.h"

namespace attend::nn {

namespace {

// The fused gate math for one row: activates g [4H] in place, writes c and h.
// Compiled for AVX-512, AVX2 and baseline x86-64, chosen at load time.
ATTEND_TARGET_CLONES("arch=x86-64-v4", "arch=x86-64-v3", "default")
void GateMath(float* g, const float* c_prev, float* c, float* h, int64_t H) {
  for (int64_t j = 0; j < H; ++j) {
    const float i = FastSigmoid(g[j]), f = FastSigmoid(g[H + j]), gg = FastTanh(g[2 * H + j]),
                o = FastSigmoid(g[3 * H + j]);
    g[j] = i;
    g[H + j] = f;
    g[2 * H + j] = gg;
    g[3 * H + j] = o;
    c[j] = f * c_prev[j] + i * gg;
    h[j] = o * FastTanh(c[j]);
  }
}

}  // namespace

LstmCell::LstmCell(const std::string& name, int64_t input_dim, int64_t hidden_dim, Engine& engine)
    : input_dim_(input_dim),
      hidden_dim_(hidden_dim),
      gates_(name, input_dim + hidden_dim, 4 * hidden_dim, true, engine) {}

void LstmCell::Init(Rng* rng) {
  const float bound = 1.0f / std::sqrt(static_cast<float>(hidden_dim_));
  InitUniform(&gates_.weight(), bound, rng);
  Parameter& b = gates_.bias();
  for (int64_t i = 0; i < b.value.size(); ++i)
    b.value[i] = rng->Uniform(-bound, bound) + rng->Uniform(-bound, bound);
  b.MarkUpdated();
}

void LstmCell::FromTorch(const Tensor& weight_ih, const Tensor& weight_hh, const Tensor& bias_ih,
                         const Tensor& bias_hh) {
  const int64_t g = 4 * hidden_dim_;
  const Parameter& w = gates_.weight();
  ATTEND_CHECK(weight_ih.shape() == Shape({g, input_dim_}) &&
                   weight_hh.shape() == Shape({g, hidden_dim_}) && bias_ih.shape() == Shape({g}) &&
                   bias_hh.shape() == Shape({g}),
               w.name, ": PyTorch LSTM weights have shapes ", ShapeToString(weight_ih.shape()), " ",
               ShapeToString(weight_hh.shape()), " ", ShapeToString(bias_ih.shape()), " ",
               ShapeToString(bias_hh.shape()), ", expected [", g, ", ", input_dim_, "] [", g, ", ",
               hidden_dim_, "] [", g, "] [", g, "]");
  const int64_t cols = input_dim_ + hidden_dim_;
  float* dst = gates_.weight().value.data();
  for (int64_t r = 0; r < g; ++r) {
    std::memcpy(dst + r * cols, weight_ih.data() + r * input_dim_, input_dim_ * sizeof(float));
    std::memcpy(dst + r * cols + input_dim_, weight_hh.data() + r * hidden_dim_,
                hidden_dim_ * sizeof(float));
    gates_.bias().value[r] = bias_ih[r] + bias_hh[r];
  }
  gates_.weight().MarkUpdated();
  gates_.bias().MarkUpdated();
}

void LstmCell::Forward(const Tensor& x, const Tensor& h_prev, const Tensor& c_prev, Tensor* h,
                       LstmCellContext* ctx) {
  GateInput(x, h_prev, c_prev, ctx);
  gates_.Forward(ctx->xh, &ctx->gates);  // [R, 4H] nc
  ApplyGates(c_prev, h, ctx);
}

void LstmCell::Forward(const Tensor& x, const Tensor& h_prev, const Tensor& c_prev, Tensor* h,
                       LstmCellContext* ctx, Linear::State* gates) const {
  GateInput(x, h_prev, c_prev, ctx);
  gates_.Forward(ctx->xh, &ctx->gates, gates);  // [R, 4H] nc
  ApplyGates(c_prev, h, ctx);
}

void LstmCell::GateInput(const Tensor& x, const Tensor& h_prev, const Tensor& c_prev,
                         LstmCellContext* ctx) const {
  const int64_t rows = x.rank() == 2 ? x.dim(0) : -1;
  const int64_t H = hidden_dim_, In = input_dim_;
  ATTEND_CHECK(rows >= 0 && x.dim(1) == In && h_prev.shape() == Shape({rows, H}) &&
                   c_prev.shape() == Shape({rows, H}),
               gates_.weight().name, ": LSTM step inputs have shapes x ", ShapeToString(x.shape()),
               " h ", ShapeToString(h_prev.shape()), " c ", ShapeToString(c_prev.shape()),
               ", expected [R, ", In, "] and [R, ", H, "]");
  ctx->xh.Resize({rows, In + H});
  for (int64_t r = 0; r < rows; ++r) {
    float* dst = ctx->xh.data() + r * (In + H);
    std::memcpy(dst, x.data() + r * In, In * sizeof(float));
    std::memcpy(dst + In, h_prev.data() + r * H, H * sizeof(float));
  }
}

void LstmCell::ApplyGates(const Tensor& c_prev, Tensor* h, LstmCellContext* ctx) const {
  const int64_t rows = ctx->xh.dim(0), H = hidden_dim_;
  ctx->c.Resize({rows, H});
  h->Resize({rows, H});
  for (int64_t r = 0; r < rows; ++r)
    GateMath(ctx->gates.data() + r * 4 * H, c_prev.data() + r * H, ctx->c.data() + r * H,
             h->data() + r * H, H);
}

void LstmCell::Backward(const LstmCellContext& ctx, const Tensor& c_prev, const Tensor& dh,
                        const Tensor* dc, Tensor* dx, Tensor* dh_prev, Tensor* dc_prev,
                        LstmCellContext* scratch) {
  BackwardData(ctx, c_prev, dh, dc, dx, dh_prev, dc_prev, scratch);
  BackwardWeights(ctx.xh, scratch->gates);
}

void LstmCell::BackwardWeights(const Tensor& xh, const Tensor& dgates) {
  gates_.BackwardWeights(xh, dgates);
}

void LstmCell::BackwardData(const LstmCellContext& ctx, const Tensor& c_prev, const Tensor& dh,
                            const Tensor* dc, Tensor* dx, Tensor* dh_prev, Tensor* dc_prev,
                            LstmCellContext* scratch) {
  const int64_t rows = ctx.c.dim(0);
  const int64_t H = hidden_dim_, In = input_dim_;
  ATTEND_CHECK(dh.shape() == Shape({rows, H}) && (dc == nullptr || dc->shape() == dh.shape()),
               gates_.weight().name, ": LSTM step gradients have shape ", ShapeToString(dh.shape()),
               ", expected [", rows, ", ", H, "]");
  Tensor& dgates = scratch->gates;
  dgates.Resize({rows, 4 * H});
  dc_prev->Resize({rows, H});
  for (int64_t r = 0; r < rows; ++r) {
    const float* g = ctx.gates.data() + r * 4 * H;
    const float* c = ctx.c.data() + r * H;
    const float* cp = c_prev.data() + r * H;
    const float* dhr = dh.data() + r * H;
    const float* dcr = dc != nullptr ? dc->data() + r * H : nullptr;
    float* dg = dgates.data() + r * 4 * H;
    float* dcp = dc_prev->data() + r * H;
    for (int64_t j = 0; j < H; ++j) {
      float i = g[j], f = g[H + j], gg = g[2 * H + j], o = g[3 * H + j];
      float tc = FastTanh(c[j]);
      float dcj = dhr[j] * o * (1.0f - tc * tc) + (dcr != nullptr ? dcr[j] : 0.0f);
      dg[j] = dcj * gg * i * (1.0f - i);
      dg[H + j] = dcj * cp[j] * f * (1.0f - f);
      dg[2 * H + j] = dcj * i * (1.0f - gg * gg);
      dg[3 * H + j] = dhr[j] * tc * o * (1.0f - o);
      dcp[j] = dcj * f;
    }
  }
  Tensor& dxh = scratch->xh;
  gates_.BackwardData(dgates, &dxh);
  if (dx != nullptr) dx->Resize({rows, In});
  dh_prev->Resize({rows, H});
  for (int64_t r = 0; r < rows; ++r) {
    const float* src = dxh.data() + r * (In + H);
    if (dx != nullptr) std::memcpy(dx->data() + r * In, src, In * sizeof(float));
    std::memcpy(dh_prev->data() + r * H, src + In, H * sizeof(float));
  }
}

}  // namespace attend::nn
