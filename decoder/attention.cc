#include "decoder/attention.h"

#include <algorithm>
#include <boost/program_options.hpp>
#include <cmath>
#include <cstring>
#include <limits>
#include <sstream>

#include "base/error.h"
#include "nn/fast_math.h"

namespace attend::decoder {

namespace po = boost::program_options;
using nn::FastTanh;
using nn::Shape;
using nn::ShapeToString;
using nn::Tensor;

void AttentionOptions::Register(po::options_description* desc) {
  desc->add_options()("attention-type", po::value(&type)->default_value(type),
                      "additive | location | dot | general")(
      "attention-dim", po::value(&attention_dim)->default_value(attention_dim),
      "additive/location: size of the tanh layer")(
      "attention-heads", po::value(&num_heads)->default_value(num_heads),
      "number of heads; must divide the attention dim (or query dim) and the encoder dim")(
      "attention-scale", po::value(&scale)->default_value(scale),
      "dot/general: divide scores by sqrt(head dim)")(
      "attention-temperature", po::value(&temperature)->default_value(temperature),
      "softmax temperature, > 0; < 1 sharpens, > 1 smooths")(
      "attention-location-filters", po::value(&location_filters)->default_value(location_filters),
      "location: convolution channels over the previous weights")(
      "attention-location-kernel", po::value(&location_kernel)->default_value(location_kernel),
      "location: convolution width in frames, odd");
}

void AttentionOptions::Validate() const {
  ATTEND_CHECK(type == "additive" || type == "location" || type == "dot" || type == "general",
               "--attention-type must be additive, location, dot or general, got '", type, "'");
  ATTEND_CHECK(attention_dim > 0, "--attention-dim must be > 0, got ", attention_dim);
  ATTEND_CHECK(num_heads > 0, "--attention-heads must be > 0, got ", num_heads);
  ATTEND_CHECK(temperature > 0, "--attention-temperature must be > 0, got ", temperature);
  ATTEND_CHECK(location_filters > 0, "--attention-location-filters must be > 0, got ",
               location_filters);
  ATTEND_CHECK(location_kernel > 0 && location_kernel % 2 == 1,
               "--attention-location-kernel must be odd and > 0, got ", location_kernel);
}

std::string AttentionOptions::ToString() const {
  std::ostringstream out;
  out << "attention-type=" << type << " attention-dim=" << attention_dim
      << " attention-heads=" << num_heads << " attention-scale=" << scale
      << " attention-temperature=" << temperature
      << " attention-location-filters=" << location_filters
      << " attention-location-kernel=" << location_kernel;
  return out.str();
}

namespace {

// The hot loops, compiled for AVX-512, AVX2+FMA and baseline x86-64 and
// chosen at load time (the binary itself targets plain x86-64).
#define ATTEND_KERNEL __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))

// e[t] = Σ_a w[a] tanh(keys[t, a] + q[a]) for t < len, a in [0, A_h).
ATTEND_KERNEL void AdditiveScores(const float* keys, int64_t key_stride, const float* q,
                                  const float* w, int64_t dim, int64_t len, float* e) {
  for (int64_t t = 0; t < len; ++t) {
    const float* k = keys + t * key_stride;
    float acc = 0.0f;
#pragma omp simd reduction(+ : acc)
    for (int64_t a = 0; a < dim; ++a) acc += w[a] * FastTanh(k[a] + q[a]);
    e[t] = acc;
  }
}

// e[t] = scale · Σ_d q[d] keys[t, d].
ATTEND_KERNEL void DotScores(const float* keys, int64_t key_stride, const float* q, int64_t dim,
                             float scale, int64_t len, float* e) {
  for (int64_t t = 0; t < len; ++t) {
    const float* k = keys + t * key_stride;
    float acc = 0.0f;
#pragma omp simd reduction(+ : acc)
    for (int64_t d = 0; d < dim; ++d) acc += q[d] * k[d];
    e[t] = acc * scale;
  }
}

// c[d] = Σ_t α[t] values[t, d] for d in [0, dim).
ATTEND_KERNEL void WeightedSum(const float* values, int64_t stride, const float* alpha, int64_t dim,
                               int64_t len, float* c) {
  for (int64_t d = 0; d < dim; ++d) c[d] = 0.0f;
  for (int64_t t = 0; t < len; ++t) {
    const float a = alpha[t];
    const float* v = values + t * stride;
#pragma omp simd
    for (int64_t d = 0; d < dim; ++d) c[d] += a * v[d];
  }
}

// c_r[d] = Σ_t α_r[t] values[t, d] for `rows` rows at once (α_r at alpha +
// r·alpha_stride, c_r at c + r·c_stride), d in [0, dim), t < len: one pass
// over the values for all the rows of an utterance instead of one per row.
ATTEND_KERNEL void WeightedSumRows(const float* values, int64_t stride, const float* alpha,
                                   int64_t alpha_stride, int64_t rows, int64_t dim, int64_t len,
                                   float* c, int64_t c_stride) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t d = 0; d < dim; ++d) c[r * c_stride + d] = 0.0f;
  for (int64_t t = 0; t < len; ++t) {
    const float* v = values + t * stride;
    for (int64_t r = 0; r < rows; ++r) {
      const float a = alpha[r * alpha_stride + t];
      float* cr = c + r * c_stride;
#pragma omp simd
      for (int64_t d = 0; d < dim; ++d) cr[d] += a * v[d];
    }
  }
}

// Location features of one channel: f[t] = Σ_k w[k] p[t + k] for t < len,
// where p is α_prev zero padded by width/2 on both sides (so p[t + k] is
// α_prev[t + k − width/2]). Vectorized over frames.
ATTEND_KERNEL void ConvolveChannel(const float* p, const float* w, int64_t width, int64_t len,
                                   float* f) {
  for (int64_t t = 0; t < len; ++t) f[t] = 0.0f;
  for (int64_t k = 0; k < width; ++k) {
    const float wk = w[k];
    const float* pk = p + k;
#pragma omp simd
    for (int64_t t = 0; t < len; ++t) f[t] += wk * pk[t];
  }
}

// The backward kernels, one (row, head) each, frames t < len.

// de[t] = dc · values[t] (the gradient on α before the softmax) and
// dvalues[t] += α[t] dc, both over d in [0, dim).
ATTEND_KERNEL void ValueBackward(const float* dc, const float* values, float* dvalues,
                                 int64_t stride, const float* alpha, int64_t dim, int64_t len,
                                 float* de) {
  for (int64_t t = 0; t < len; ++t) {
    const float* v = values + t * stride;
    float* dv = dvalues + t * stride;
    const float a = alpha[t];
    float acc = 0.0f;
#pragma omp simd reduction(+ : acc)
    for (int64_t d = 0; d < dim; ++d) {
      acc += dc[d] * v[d];
      dv[d] += a * dc[d];
    }
    de[t] = acc;
  }
}

// The additive score's backward: with u = tanh(k + q) recomputed (cheaper than
// keeping the forward's R·T·A values), dpre = de[t] · w ⊙ (1 − u²) goes to the
// query (dq) and the keys (dkeys), and de[t] · u to the score vector (dw). dq
// and dw accumulate over frames.
ATTEND_KERNEL void AdditiveBackward(const float* keys, float* dkeys, int64_t key_stride,
                                    const float* q, const float* w, const float* de, int64_t dim,
                                    int64_t len, float* dw, float* dq) {
  for (int64_t t = 0; t < len; ++t) {
    const float* k = keys + t * key_stride;
    float* dk = dkeys + t * key_stride;
    const float g = de[t];
#pragma omp simd
    for (int64_t a = 0; a < dim; ++a) {
      const float u = FastTanh(k[a] + q[a]);
      dw[a] += g * u;
      const float dpre = g * w[a] * (1.0f - u * u);
      dq[a] += dpre;
      dk[a] += dpre;
    }
  }
}

// The location convolution's backward for one row, frames t < len. df
// [filters, df_stride] channel-major is the gradient on its output; p is
// α_prev zero padded by width/2 on both sides (p[t + k] is α_prev[t + k −
// width/2]) and dp a gradient buffer padded the same way:
//   dconv[c, k] += Σ_t df[c, t] p[t + k]   (vectorized over the taps k)
//   dp[t + k]   += Σ_c df[c, t] conv[c, k]  (vectorized over the frames t)
// The padding spares the per-frame bounds on k, and neither loop needs a
// horizontal sum.
ATTEND_KERNEL void ConvolutionBackward(const float* df, int64_t df_stride, const float* p,
                                       const float* conv, int64_t filters, int64_t width,
                                       int64_t len, float* dconv, float* dp) {
  for (int64_t c = 0; c < filters; ++c) {
    const float* d = df + c * df_stride;
    float* dw = dconv + c * width;
    for (int64_t t = 0; t < len; ++t) {
      const float g = d[t];
      const float* pt = p + t;
#pragma omp simd
      for (int64_t k = 0; k < width; ++k) dw[k] += g * pt[k];
    }
    if (dp == nullptr) continue;
    for (int64_t k = 0; k < width; ++k) {
      const float wk = conv[c * width + k];
      float* dpk = dp + k;
#pragma omp simd
      for (int64_t t = 0; t < len; ++t) dpk[t] += wk * d[t];
    }
  }
}

// Location attention's score backward for one row and head, frames t < len:
// AdditiveBackward with the location term U f[t] recomputed from the conv
// features (the forward never materialises it, [R·T, A] a step): with u =
// tanh(k + q + Uᵀ f[t]), dpre = de[t] · w ⊙ (1 − u²) goes to dq, dkeys and dw
// as there, and is written to dloc for U's and the features' gradients (one
// GEMM pair for the whole step). f: [len, channels] frame-major; ut: Uᵀ
// [channels, u_stride]; pre: work space of `dim` floats.
ATTEND_KERNEL void LocationBackward(const float* keys, float* dkeys, int64_t key_stride,
                                    const float* q, const float* f, const float* ut,
                                    int64_t u_stride, int64_t channels, float* dloc,
                                    int64_t loc_stride, const float* w, const float* de,
                                    int64_t dim, int64_t len, float* dw, float* dq, float* pre) {
  for (int64_t t = 0; t < len; ++t) {
    const float* k = keys + t * key_stride;
    float* dk = dkeys + t * key_stride;
    float* dl = dloc + t * loc_stride;
    const float g = de[t];
#pragma omp simd
    for (int64_t a = 0; a < dim; ++a) pre[a] = k[a] + q[a];
    for (int64_t c = 0; c < channels; ++c) {
      const float fc = f[t * channels + c];
      const float* u = ut + c * u_stride;
#pragma omp simd
      for (int64_t a = 0; a < dim; ++a) pre[a] += fc * u[a];
    }
#pragma omp simd
    for (int64_t a = 0; a < dim; ++a) {
      const float u = FastTanh(pre[a]);
      dw[a] += g * u;
      const float d = g * w[a] * (1.0f - u * u);
      dq[a] += d;
      dk[a] += d;
      dl[a] = d;
    }
  }
}

// Frames scored together by Infer(): one AVX-512 vector of floats.
constexpr int64_t kFrameTile = 16;

int64_t RoundUpToTile(int64_t frames) {
  return (frames + kFrameTile - 1) / kFrameTile * kFrameTile;
}

// Additive/location scores of kFrameTile frames, one per SIMD lane:
//   e[j] = Σ_a w[a] tanh(keys[a, j] + q[a] + Σ_c u[c, a] f[c, j])
// keys: [dim, key_stride] frame-contiguous; f: [channels, f_stride] location
// features of the same frames; u: Uᵀ [channels, u_stride]; channels = 0 for
// additive attention.
ATTEND_KERNEL void ScoreFrameTile(const float* keys, int64_t key_stride, const float* q,
                                  const float* f, int64_t f_stride, const float* u,
                                  int64_t u_stride, int64_t channels, const float* w, int64_t dim,
                                  float* e) {
  float acc[kFrameTile] = {};
  for (int64_t a = 0; a < dim; ++a) {
    const float* k = keys + a * key_stride;
    const float qa = q[a];
    float pre[kFrameTile];
#pragma omp simd
    for (int64_t j = 0; j < kFrameTile; ++j) pre[j] = k[j] + qa;
    for (int64_t c = 0; c < channels; ++c) {
      const float uc = u[c * u_stride + a];
      const float* fc = f + c * f_stride;
#pragma omp simd
      for (int64_t j = 0; j < kFrameTile; ++j) pre[j] += uc * fc[j];
    }
    const float wa = w[a];
#pragma omp simd
    for (int64_t j = 0; j < kFrameTile; ++j) acc[j] += wa * FastTanh(pre[j]);
  }
  for (int64_t j = 0; j < kFrameTile; ++j) e[j] = acc[j];
}

// 16 floats as one value: an AVX-512 register in the x86-64-v4 clones (GCC
// splits it on narrower targets). The default-filter kernel below uses it so
// that its accumulators stay in registers: with `omp simd` arrays GCC kept
// the score sum in memory, a store-to-load chain through every step of the
// loop over the score dim.
typedef float Floats16 __attribute__((vector_size(64)));
static_assert(sizeof(Floats16) == kFrameTile * sizeof(float));

// ScoreFrameTile for location attention with the default 10 filters, the
// count fixed at compile time: the tile's features are convolved here from
// α_prev (zero padded; prev[j + k] is α_prev[t0 + j + k − width/2]) and stay
// in registers across the loop over the score dim, where the general kernel
// reloads them with a loop per channel. u: U itself, [dim, 10] row-major.
constexpr int kDefaultFilters = 10;
ATTEND_KERNEL void ScoreLocationTile10(const float* keys, int64_t key_stride, const float* q,
                                       const float* prev, const float* conv, int64_t width,
                                       const float* u, const float* w, int64_t dim, float* e) {
  constexpr int C = kDefaultFilters;
  // (No helper functions taking or returning Floats16: outside the clones
  // that would change the calling convention.)
  // Taps outer, channels inner: ten independent accumulators.
  Floats16 f[C] = {};
  for (int64_t k = 0; k < width; ++k) {
    Floats16 pk;
    std::memcpy(&pk, prev + k, sizeof(pk));
#pragma GCC unroll 10
    for (int c = 0; c < C; ++c) f[c] += conv[c * width + k] * pk;
  }
  Floats16 acc = {};
  for (int64_t a = 0; a < dim; ++a) {
    const float* ua = u + a * C;
    // Even and odd channels in two sums: half the dependent chain.
    Floats16 even, odd = {};
    std::memcpy(&even, keys + a * key_stride, sizeof(even));
    even += q[a];
#pragma GCC unroll 5
    for (int c = 0; c < C; c += 2) {
      even += ua[c] * f[c];
      odd += ua[c + 1] * f[c + 1];
    }
    // FastTanh (nn/fast_math.h) on 16 lanes.
    Floats16 x = even + odd;
    x = x > nn::kFastTanhBound ? Floats16{} + nn::kFastTanhBound : x;
    x = x < -nn::kFastTanhBound ? Floats16{} - nn::kFastTanhBound : x;
    nn::TanhRationalInPlace(x);
    acc += w[a] * x;
  }
  std::memcpy(e, &acc, sizeof(acc));
}

// Softmax of e[0, len) / temperature in place; e[len, T) = 0 (the mask).
void MaskedSoftmax(float* e, int64_t len, int64_t frames, float temperature) {
  float max = -std::numeric_limits<float>::infinity();
  for (int64_t t = 0; t < len; ++t) max = std::max(max, e[t] / temperature);
  double sum = 0;
  for (int64_t t = 0; t < len; ++t) {
    e[t] = std::exp(e[t] / temperature - max);
    sum += e[t];
  }
  const float inv = static_cast<float>(1.0 / sum);
  for (int64_t t = 0; t < len; ++t) e[t] *= inv;
  for (int64_t t = len; t < frames; ++t) e[t] = 0.0f;
}

// The returned weights are the mean over heads: head h's softmax `e` (all T
// entries, zeros past `len`) is copied for the first head, added for the others
// and divided by H after the last.
void AddHeadWeights(const float* e, int64_t h, int64_t H, int64_t len, int64_t T, float* avg) {
  if (h == 0) {
    std::memcpy(avg, e, T * sizeof(float));
  } else {
    for (int64_t t = 0; t < len; ++t) avg[t] += e[t];
  }
  if (H > 1 && h == H - 1)
    for (int64_t t = 0; t < len; ++t) avg[t] /= static_cast<float>(H);
}

}  // namespace

Attention::Attention(const std::string& name, const AttentionOptions& options, int64_t query_dim,
                     int64_t value_dim, nn::Engine& engine)
    : name_(name),
      options_((options.Validate(), options)),
      type_(options.type == "additive"   ? Type::kAdditive
            : options.type == "location" ? Type::kLocation
            : options.type == "dot"      ? Type::kDot
                                         : Type::kGeneral),
      query_dim_(query_dim),
      value_dim_(value_dim),
      query_proj_(name + ".query", additive() ? query_dim : 1,
                  additive() ? options.attention_dim : 1, true, engine),
      key_proj_(name + ".key", type_ == Type::kDot ? 1 : value_dim,
                additive()                ? options.attention_dim
                : type_ == Type::kGeneral ? query_dim
                                          : 1,
                false, engine),
      score_(name + ".score", {additive() ? options.attention_dim : 1}),
      conv_(name + ".location_conv", {type_ == Type::kLocation ? options.location_filters : 1,
                                      type_ == Type::kLocation ? options.location_kernel : 1}),
      loc_proj_(name + ".location", type_ == Type::kLocation ? options.location_filters : 1,
                type_ == Type::kLocation ? options.attention_dim : 1, false, engine) {
  const int64_t heads = options.num_heads;
  ATTEND_CHECK(type_ != Type::kDot || query_dim == value_dim, name,
               ": dot attention needs the decoder state size (", query_dim,
               ") to equal the encoder output size (", value_dim,
               "); use --attention-type general");
  ATTEND_CHECK(value_dim % heads == 0 && key_dim() % heads == 0, name, ": --attention-heads ",
               heads, " must divide the encoder dim ", value_dim, " and the score dim ", key_dim());
}

int64_t Attention::key_dim() const { return additive() ? options_.attention_dim : query_dim_; }

void Attention::Init(Rng* rng) {
  if (additive()) {
    query_proj_.Init(rng);
    key_proj_.Init(rng);
    nn::InitUniform(&score_, 1.0f / std::sqrt(static_cast<float>(options_.attention_dim)), rng);
  }
  if (type_ == Type::kGeneral) key_proj_.Init(rng);
  if (type_ == Type::kLocation) {
    nn::InitUniform(&conv_, 1.0f / std::sqrt(static_cast<float>(options_.location_kernel)), rng);
    loc_proj_.Init(rng);
  }
}

std::vector<nn::Parameter*> Attention::Parameters() {
  switch (type_) {
    case Type::kAdditive:
      return {&query_proj_.weight(), &query_proj_.bias(), &key_proj_.weight(), &score_};
    case Type::kLocation:
      return {&query_proj_.weight(), &query_proj_.bias(), &key_proj_.weight(), &score_, &conv_,
              &loc_proj_.weight()};
    case Type::kGeneral:
      return {&key_proj_.weight()};
    case Type::kDot:
      break;
  }
  return {};
}

void Attention::Prepare(const Tensor& encoder_out, const std::vector<int64_t>& lengths,
                        AttentionMemory* memory, AttentionScratch* scratch) const {
  ATTEND_CHECK(encoder_out.rank() == 3 && encoder_out.dim(2) == value_dim_, name_,
               ": encoder output has shape ", ShapeToString(encoder_out.shape()),
               ", expected [T, N, ", value_dim_, "]");
  const int64_t T = encoder_out.dim(0), N = encoder_out.dim(1), D = value_dim_;
  ATTEND_CHECK(static_cast<int64_t>(lengths.size()) == N, name_, ": ", lengths.size(),
               " lengths for a batch of ", N);
  for (int64_t len : lengths)
    ATTEND_CHECK(len >= 1 && len <= T, name_, ": length ", len, " outside [1, ", T, "]");
  memory->frames = T;
  memory->batch = N;
  memory->lengths = lengths;
  memory->values.Resize({N, T, D});  // [N, T, D] from [T, N, D] tnc
  for (int64_t t = 0; t < T; ++t)
    for (int64_t n = 0; n < N; ++n)
      std::memcpy(memory->values.data() + (n * T + t) * D, encoder_out.data() + (t * N + n) * D,
                  D * sizeof(float));
  if (type_ == Type::kDot) {
    memory->keys.Resize({0});
  } else {
    key_proj_.Forward(memory->values, &memory->keys, &scratch->key_plans);  // [N, T, K]
  }
  // Location attention's Forward scores with Infer's frame-tiled kernels.
  if (type_ == Type::kLocation) TransposeKeys(memory);
}

void Attention::PrepareInference(AttentionMemory* memory) const {
  if (type_ == Type::kLocation) return;  // Prepare did it
  if (!additive()) {
    memory->keys_by_frame.Resize({0});
    return;
  }
  TransposeKeys(memory);
}

void Attention::TransposeKeys(AttentionMemory* memory) const {
  const int64_t N = memory->batch, T = memory->frames, K = key_dim(), Tp = RoundUpToTile(T);
  memory->keys_by_frame.Resize({N, K, Tp});  // [N, K, Tp] from [N, T, K]
  memory->keys_by_frame.SetZero();
  for (int64_t n = 0; n < N; ++n)
    for (int64_t t = 0; t < T; ++t) {
      const float* k = memory->keys.data() + (n * T + t) * K;
      float* dst = memory->keys_by_frame.data() + n * K * Tp + t;
      for (int64_t a = 0; a < K; ++a) dst[a * Tp] = k[a];
    }
}

void Attention::PrepareBackward(const AttentionMemory& memory, const Tensor& dkeys,
                                const Tensor& dvalues, Tensor* dencoder_out, Tensor* scratch) {
  const int64_t T = memory.frames, N = memory.batch, D = value_dim_;
  const Tensor* dv = &dvalues;
  if (type_ != Type::kDot) {
    key_proj_.Backward(memory.values, dkeys, scratch);
    float* s = scratch->data();
    for (int64_t i = 0; i < scratch->size(); ++i) s[i] += dvalues[i];
    dv = scratch;
  }
  dencoder_out->Resize({T, N, D});
  for (int64_t t = 0; t < T; ++t)
    for (int64_t n = 0; n < N; ++n)
      std::memcpy(dencoder_out->data() + (t * N + n) * D, dv->data() + (n * T + t) * D,
                  D * sizeof(float));
}

void Attention::CheckMemory(const AttentionMemory& memory, int rows_per_utterance,
                            int64_t rows) const {
  ATTEND_CHECK(rows_per_utterance > 0 && rows == memory.batch * rows_per_utterance, name_, ": ",
               rows, " query rows for ", memory.batch, " utterances × ", rows_per_utterance,
               " rows each");
}

void Attention::Forward(const AttentionMemory& memory, int rows_per_utterance, const Tensor& query,
                        const Tensor* prev_weights, AttentionScratch* scratch, Tensor* context,
                        AttentionStep* step) const {
  ATTEND_CHECK(query.rank() == 2 && query.dim(1) == query_dim_, name_, ": query has shape ",
               ShapeToString(query.shape()), ", expected [R, ", query_dim_, "]");
  const int64_t R = query.dim(0), T = memory.frames, D = value_dim_, K = key_dim();
  const int64_t H = options_.num_heads, Kh = K / H, Dh = D / H;
  CheckMemory(memory, rows_per_utterance, R);
  step->query = query;
  if (type_ == Type::kLocation) {
    // Infer's frame-tiled kernels, which never materialise U f ([R·T, A] a
    // step); Backward recomputes what it needs from α_prev.
    ATTEND_CHECK(prev_weights != nullptr && prev_weights->shape() == Shape({R, T}), name_,
                 ": location attention needs the previous weights [", R, ", ", T, "]");
    step->prev = *prev_weights;
    Infer(memory, rows_per_utterance, query, prev_weights, scratch, context, &step->weights);
    step->projected = scratch->projected;
    const int64_t Tp = RoundUpToTile(T);
    step->head_weights.Resize({R, H, T});
    for (int64_t rh = 0; rh < R * H; ++rh)
      std::memcpy(step->head_weights.data() + rh * T, scratch->head_scores.data() + rh * Tp,
                  T * sizeof(float));
    return;
  }
  const float* q_base = query.data();
  if (additive()) {
    query_proj_.Forward(query, &step->projected, &scratch->query_plans);  // [R, A]
    q_base = step->projected.data();
  }
  const float* keys = type_ == Type::kDot ? memory.values.data() : memory.keys.data();
  const float scale =
      !additive() && options_.scale ? 1.0f / std::sqrt(static_cast<float>(Kh)) : 1.0f;
  step->head_weights.Resize({R, H, T});
  step->weights.Resize({R, T});
  context->Resize({R, D});
  for (int64_t r = 0; r < R; ++r) {
    const int64_t n = r / rows_per_utterance, len = memory.lengths[n];
    float* avg = step->weights.data() + r * T;
    for (int64_t h = 0; h < H; ++h) {
      float* e = step->head_weights.data() + (r * H + h) * T;
      const float* k = keys + n * T * K + h * Kh;
      const float* q = q_base + r * K + h * Kh;
      if (additive()) {
        AdditiveScores(k, K, q, score_.value.data() + h * Kh, Kh, len, e);
      } else {
        DotScores(k, K, q, Kh, scale, len, e);
      }
      MaskedSoftmax(e, len, T, options_.temperature);
      WeightedSum(memory.values.data() + n * T * D + h * Dh, D, e, Dh, len,
                  context->data() + r * D + h * Dh);
      AddHeadWeights(e, h, H, len, T, avg);
    }
  }
}

void Attention::RefreshLocationTransposed(AttentionScratch* scratch) const {
  const nn::Parameter& u = loc_proj_.weight();  // [A, F]
  Tensor& ut = scratch->location_t;
  if (scratch->location_t_version == u.version() && !ut.empty()) return;
  const int64_t F = options_.location_filters, K = key_dim();
  ut.Resize({F, K});
  for (int64_t c = 0; c < F; ++c)
    for (int64_t a = 0; a < K; ++a) ut[c * K + a] = u.value[a * F + c];
  scratch->location_t_version = u.version();
}

void Attention::Infer(const AttentionMemory& memory, int rows_per_utterance, const Tensor& query,
                      const Tensor* prev_weights, AttentionScratch* scratch, Tensor* context,
                      Tensor* weights) const {
  Tensor& projected = scratch->projected;
  Tensor& padded_prev = scratch->padded_prev;
  Tensor& row_features = scratch->row_features;
  Tensor& head_scores = scratch->head_scores;
  ATTEND_CHECK(query.rank() == 2 && query.dim(1) == query_dim_, name_, ": query has shape ",
               ShapeToString(query.shape()), ", expected [R, ", query_dim_, "]");
  const int64_t R = query.dim(0), T = memory.frames, D = value_dim_, K = key_dim();
  const int64_t H = options_.num_heads, Kh = K / H, Dh = D / H, Tp = RoundUpToTile(T);
  CheckMemory(memory, rows_per_utterance, R);
  const float* q_base = query.data();
  if (additive()) {
    ATTEND_CHECK(memory.keys_by_frame.shape() == Shape({memory.batch, K, Tp}), name_,
                 ": Infer needs PrepareInference after Prepare");
    query_proj_.Forward(query, &projected, &scratch->query_plans);  // [R, A]
    q_base = projected.data();
  }
  const bool location = type_ == Type::kLocation;
  const int64_t F = location ? options_.location_filters : 0, W = options_.location_kernel;
  if (location) {
    ATTEND_CHECK(prev_weights != nullptr && prev_weights->shape() == Shape({R, T}), name_,
                 ": location attention needs the previous weights [", R, ", ", T, "]");
    RefreshLocationTransposed(scratch);
    // Zero once: every row rewrites only [W/2, W/2 + T).
    padded_prev.Resize({Tp + W - 1});
    padded_prev.SetZero();
    row_features.Resize({F, Tp});
  }
  const float* keys = type_ == Type::kDot ? memory.values.data() : memory.keys.data();
  const float scale =
      !additive() && options_.scale ? 1.0f / std::sqrt(static_cast<float>(Kh)) : 1.0f;
  head_scores.Resize({R, H, Tp});
  weights->Resize({R, T});
  context->Resize({R, D});
  for (int64_t r = 0; r < R; ++r) {
    const int64_t n = r / rows_per_utterance, len = memory.lengths[n];
    const float* q = q_base + r * K;
    float* scores = head_scores.data() + r * H * Tp;  // [H, Tp]
    if (additive()) {
      // Whole tiles: the frames past len score finite values that the
      // softmax's mask then zeroes.
      const int64_t frames = RoundUpToTile(len);
      const float* k = memory.keys_by_frame.data() + n * K * Tp;
      if (location)
        std::memcpy(padded_prev.data() + W / 2, prev_weights->data() + r * T, T * sizeof(float));
      if (F == kDefaultFilters) {
        const float* u = loc_proj_.weight().value.data();  // [A, F]
        for (int64_t h = 0; h < H; ++h)
          for (int64_t t0 = 0; t0 < frames; t0 += kFrameTile)
            ScoreLocationTile10(k + h * Kh * Tp + t0, Tp, q + h * Kh, padded_prev.data() + t0,
                                conv_.value.data(), W, u + h * Kh * F, score_.value.data() + h * Kh,
                                Kh, scores + h * Tp + t0);
      } else {
        for (int64_t c = 0; c < F; ++c)
          ConvolveChannel(padded_prev.data(), conv_.value.data() + c * W, W, frames,
                          row_features.data() + c * Tp);
        for (int64_t h = 0; h < H; ++h)
          for (int64_t t0 = 0; t0 < frames; t0 += kFrameTile)
            ScoreFrameTile(k + h * Kh * Tp + t0, Tp, q + h * Kh, row_features.data() + t0, Tp,
                           scratch->location_t.data() + h * Kh, K, F, score_.value.data() + h * Kh,
                           Kh, scores + h * Tp + t0);
      }
    } else {
      for (int64_t h = 0; h < H; ++h)
        DotScores(keys + n * T * K + h * Kh, K, q + h * Kh, Kh, scale, len, scores + h * Tp);
    }
    float* avg = weights->data() + r * T;
    for (int64_t h = 0; h < H; ++h) {
      float* e = scores + h * Tp;
      MaskedSoftmax(e, len, T, options_.temperature);
      AddHeadWeights(e, h, H, len, T, avg);
    }
  }
  // The contexts, all rows of an utterance per pass over its values.
  for (int64_t n = 0; n < memory.batch; ++n)
    for (int64_t h = 0; h < H; ++h)
      WeightedSumRows(memory.values.data() + n * T * D + h * Dh, D,
                      head_scores.data() + (n * rows_per_utterance * H + h) * Tp, H * Tp,
                      rows_per_utterance, Dh, memory.lengths[n],
                      context->data() + n * rows_per_utterance * D + h * Dh, D);
}

void Attention::InferredHeadWeights(const AttentionScratch& scratch, int64_t frames,
                                    Tensor* heads) const {
  const Tensor& scores = scratch.head_scores;  // [R, H, Tp]
  const int64_t H = options_.num_heads, Tp = RoundUpToTile(frames);
  ATTEND_CHECK(scores.rank() == 3 && scores.dim(1) == H && scores.dim(2) == Tp, name_,
               ": InferredHeadWeights needs an Infer() over ", frames, " frames first");
  const int64_t R = scores.dim(0);
  heads->Resize({R, H, frames});
  for (int64_t rh = 0; rh < R * H; ++rh)
    std::memcpy(heads->data() + rh * frames, scores.data() + rh * Tp, frames * sizeof(float));
}

void Attention::Backward(const AttentionMemory& memory, int rows_per_utterance,
                         const AttentionStep& step, const Tensor& dcontext, const Tensor* dweights,
                         Tensor* dkeys, Tensor* dvalues, Tensor* dquery, Tensor* dprev_weights,
                         Tensor* dprojected) {
  const int64_t R = step.query.dim(0), T = memory.frames, D = value_dim_, K = key_dim();
  const int64_t H = options_.num_heads, Kh = K / H, Dh = D / H;
  CheckMemory(memory, rows_per_utterance, R);
  ATTEND_CHECK(dcontext.shape() == Shape({R, D}), name_, ": context gradient has shape ",
               ShapeToString(dcontext.shape()), ", expected [", R, ", ", D, "]");
  ATTEND_CHECK(dvalues->shape() == memory.values.shape() &&
                   (type_ == Type::kDot || dkeys->shape() == memory.keys.shape()),
               name_, ": key/value gradients must be sized like the memory");
  const bool location = type_ == Type::kLocation;
  const float* keys = type_ == Type::kDot ? memory.values.data() : memory.keys.data();
  float* dk_base = type_ == Type::kDot ? dvalues->data() : dkeys->data();
  const float scale =
      !additive() && options_.scale ? 1.0f / std::sqrt(static_cast<float>(Kh)) : 1.0f;
  dq_.Resize({R, K});
  dq_.SetZero();
  const int64_t F = location ? options_.location_filters : 0, W = options_.location_kernel;
  if (location) {
    // The conv features recomputed from α_prev (zero padded by W/2), [R·T, F]
    // frame-major as U's GEMMs read them; dU f's gradient [R·T, A] (frames
    // < len written below, the rest zeroed).
    RefreshLocationTransposed(&own_);
    own_.padded_prev.Resize({T + W - 1});
    own_.padded_prev.SetZero();
    own_.row_features.Resize({T});
    features_.Resize({R * T, F});
    features_.SetZero();
    dlocation_.Resize({R * T, K});
    score_work_.Resize({Kh});
  }
  dscores_.Resize({T});
  float* de = dscores_.data();
  const float inv_heads = 1.0f / static_cast<float>(H);
  for (int64_t r = 0; r < R; ++r) {
    const int64_t n = r / rows_per_utterance, len = memory.lengths[n];
    const float* dc = dcontext.data() + r * D;
    if (location) {
      // One channel at a time, vectorized over frames, then interleaved.
      std::memcpy(own_.padded_prev.data() + W / 2, step.prev.data() + r * T, T * sizeof(float));
      float* f = features_.data() + r * T * F;
      for (int64_t c = 0; c < F; ++c) {
        ConvolveChannel(own_.padded_prev.data(), conv_.value.data() + c * W, W, len,
                        own_.row_features.data());
        for (int64_t t = 0; t < len; ++t) f[t * F + c] = own_.row_features[t];
      }
    }
    for (int64_t h = 0; h < H; ++h) {
      const float* alpha = step.head_weights.data() + (r * H + h) * T;
      // dα_t = dc · v_t (+ the external gradient on the mean), and dV += α dc.
      ValueBackward(dc + h * Dh, memory.values.data() + n * T * D + h * Dh,
                    dvalues->data() + n * T * D + h * Dh, D, alpha, Dh, len, de);
      double dot = 0;
      for (int64_t t = 0; t < len; ++t) {
        if (dweights != nullptr) de[t] += (*dweights)[r * T + t] * inv_heads;
        dot += static_cast<double>(alpha[t]) * de[t];
      }
      // Softmax backward, then the temperature.
      for (int64_t t = 0; t < len; ++t)
        de[t] = alpha[t] * (de[t] - static_cast<float>(dot)) / options_.temperature;
      const float* q = (additive() ? step.projected.data() : step.query.data()) + r * K + h * Kh;
      float* dq = dq_.data() + r * K + h * Kh;
      if (location) {
        LocationBackward(keys + n * T * K + h * Kh, dk_base + n * T * K + h * Kh, K, q,
                         features_.data() + r * T * F, own_.location_t.data() + h * Kh, K, F,
                         dlocation_.data() + r * T * K + h * Kh, K, score_.value.data() + h * Kh,
                         de, Kh, len, score_.grad.data() + h * Kh, dq, score_work_.data());
      } else if (additive()) {
        AdditiveBackward(keys + n * T * K + h * Kh, dk_base + n * T * K + h * Kh, K, q,
                         score_.value.data() + h * Kh, de, Kh, len, score_.grad.data() + h * Kh,
                         dq);
      } else {
        for (int64_t t = 0; t < len; ++t) {
          const float* k = keys + (n * T + t) * K + h * Kh;
          float* dk = dk_base + (n * T + t) * K + h * Kh;
          const float g = de[t] * scale;
          for (int64_t d = 0; d < Kh; ++d) {
            dq[d] += g * k[d];
            dk[d] += g * q[d];
          }
        }
      }
    }
  }
  if (location) {
    for (int64_t r = 0; r < R; ++r) {
      const int64_t len = memory.lengths[r / rows_per_utterance];
      std::fill(dlocation_.data() + (r * T + len) * K, dlocation_.data() + (r + 1) * T * K, 0.0f);
    }
  }
  if (additive()) {
    if (dprojected != nullptr) {
      *dprojected = dq_;
      query_proj_.BackwardData(dq_, dquery);
    } else {
      query_proj_.Backward(step.query, dq_, dquery);
    }
  } else {
    *dquery = dq_;
  }
  if (location) {
    loc_proj_.Backward(features_, dlocation_, &dfeatures_);       // [R·T, F]
    if (dprev_weights != nullptr) dprev_weights->Resize({R, T});  // every row written below
    // Per row: α_prev and its gradient zero padded by W/2 (the padding's
    // gradient is dropped), the features' gradient channel-major.
    padded_dprev_.Resize({T + W - 1});
    row_dfeatures_.Resize({F, T});
    for (int64_t r = 0; r < R; ++r) {
      const int64_t len = memory.lengths[r / rows_per_utterance];
      std::memcpy(own_.padded_prev.data() + W / 2, step.prev.data() + r * T, T * sizeof(float));
      const float* df = dfeatures_.data() + r * T * F;
      for (int64_t t = 0; t < len; ++t)
        for (int64_t c = 0; c < F; ++c) row_dfeatures_[c * T + t] = df[t * F + c];
      padded_dprev_.SetZero();
      ConvolutionBackward(row_dfeatures_.data(), T, own_.padded_prev.data(), conv_.value.data(), F,
                          W, len, conv_.grad.data(),
                          dprev_weights != nullptr ? padded_dprev_.data() : nullptr);
      if (dprev_weights != nullptr)
        std::memcpy(dprev_weights->data() + r * T, padded_dprev_.data() + W / 2, T * sizeof(float));
    }
  } else if (dprev_weights != nullptr) {
    dprev_weights->Resize({R, T});
    dprev_weights->SetZero();
  }
}

}  // namespace attend::decoder
