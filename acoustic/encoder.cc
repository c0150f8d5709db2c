#include "acoustic/encoder.h"

#include <cmath>

#include "base/config_text.h"
#include "base/error.h"

namespace attend::acoustic {

namespace po = boost::program_options;

void EncoderConfig::Register(po::options_description* desc) {
  desc->add_options()  //
      ("encoder.input_dim", po::value(&input_dim)->default_value(input_dim),
       "feature dimension of the encoder input (fbank bins)")  //
      ("encoder.cell", po::value(&cell)->default_value(cell),
       "recurrent cell: lstm | gru (linear-before-reset GRU)")  //
      ("encoder.num_layers", po::value(&num_layers)->default_value(num_layers),
       "bidirectional recurrent layers")  //
      ("encoder.hidden_dim", po::value(&hidden_dim)->default_value(hidden_dim),
       "units per direction of each layer")  //
      ("encoder.input_proj_dim", po::value(&input_proj_dim)->default_value(input_proj_dim),
       "linear projection of the features before the first layer; 0 = none")  //
      ("encoder.proj_dim", po::value(&proj_dim)->default_value(proj_dim),
       "linear projection (tanh between layers) after each layer (BLSTMP); 0 = none")  //
      ("encoder.reduction", po::value(&reduction)->default_value(reduction),
       "total time reduction: 1, 2, 4 or 8, one halving after each of the first layers")  //
      ("encoder.reduction_type", po::value(&reduction_type)->default_value(reduction_type),
       "how adjacent frames are combined: concat | max | mean")  //
      ("encoder.dropout", po::value(&dropout)->default_value(dropout),
       "dropout probability between layers in training, in [0, 1)")  //
      ("encoder.bucket_frames", po::value(&bucket_frames)->default_value(bucket_frames),
       "round sequence lengths up to a multiple of this many frames so oneDNN plans are "
       "reused; 1 = exact lengths");
}

void EncoderConfig::Validate() const {
  ATTEND_CHECK(input_dim > 0, "--encoder.input_dim must be positive, got ", input_dim);
  nn::ParseRnnCell(cell, "--encoder.cell");
  ATTEND_CHECK(num_layers >= 1, "--encoder.num_layers must be at least 1, got ", num_layers);
  ATTEND_CHECK(hidden_dim > 0, "--encoder.hidden_dim must be positive, got ", hidden_dim);
  ATTEND_CHECK(input_proj_dim >= 0, "--encoder.input_proj_dim must be >= 0, got ", input_proj_dim);
  ATTEND_CHECK(proj_dim >= 0, "--encoder.proj_dim must be >= 0, got ", proj_dim);
  ATTEND_CHECK(reduction == 1 || reduction == 2 || reduction == 4 || reduction == 8,
               "--encoder.reduction must be 1, 2, 4 or 8, got ", reduction);
  ATTEND_CHECK(NumReductions() <= num_layers, "--encoder.reduction ", reduction, " needs ",
               NumReductions(), " layers, but --encoder.num_layers is ", num_layers);
  ParseReductionType(reduction_type, "--encoder.reduction_type");
  ATTEND_CHECK(dropout >= 0.0f && dropout < 1.0f, "--encoder.dropout must be in [0, 1), got ",
               dropout);
  ATTEND_CHECK(bucket_frames >= 1, "--encoder.bucket_frames must be at least 1, got ",
               bucket_frames);
}

std::string EncoderConfig::ToString() const {
  EncoderConfig copy = *this;  // Register() binds to fields; keep this const
  po::options_description desc;
  copy.Register(&desc);
  return ConfigText(desc);
}

EncoderConfig EncoderConfig::FromString(const std::string& text, const std::string& source) {
  EncoderConfig config;
  po::options_description desc;
  config.Register(&desc);
  ParseConfigText(text, desc, source);
  config.Validate();
  return config;
}

int64_t EncoderConfig::NumReductions() const {
  int64_t k = 0;
  while ((int64_t{1} << k) < reduction) ++k;
  return k;
}

int64_t EncoderConfig::LayerInputDim(int64_t layer) const {
  if (layer == 0) return input_proj_dim > 0 ? input_proj_dim : input_dim;
  if (proj_dim > 0) return proj_dim;
  const bool concat = reduction_type == "concat" && layer - 1 < NumReductions();
  return 2 * hidden_dim * (concat ? 2 : 1);
}

int64_t EncoderConfig::OutputDim() const { return LayerInputDim(num_layers); }

int64_t EncoderConfig::PaddedLength(int64_t frames) const {
  const int64_t bucket = bucket_frames * reduction;
  return (frames + bucket - 1) / bucket * bucket;
}

Encoder::Encoder(const EncoderConfig& config, nn::Engine& engine)
    : config_(config),
      reduction_((config.Validate(),
                  ParseReductionType(config.reduction_type, "--encoder.reduction_type"))),
      dropout_(config.dropout) {
  const nn::RnnCell cell = nn::ParseRnnCell(config_.cell, "--encoder.cell");
  if (config_.input_proj_dim > 0)
    input_proj_ = std::make_unique<nn::Linear>("encoder.input_proj", config_.input_dim,
                                               config_.input_proj_dim, true, engine);
  for (int64_t l = 0; l < config_.num_layers; ++l) {
    const std::string name = "encoder.layers." + std::to_string(l);
    Layer layer;
    layer.rnn = std::make_unique<BiRnn>(name, cell, config_.LayerInputDim(l), config_.hidden_dim,
                                        config_.bucket_frames, engine);
    layer.reduces = l < config_.NumReductions();
    const bool last = l == config_.num_layers - 1;
    if (config_.proj_dim > 0) {
      const int64_t in =
          layer.reduces ? reduction_.OutputDim(2 * config_.hidden_dim) : 2 * config_.hidden_dim;
      layer.proj = std::make_unique<nn::Linear>(name + ".proj", in, config_.proj_dim, true, engine);
      layer.tanh = !last;
    }
    layer.dropout = !last && config_.dropout > 0.0f;
    layers_.push_back(std::move(layer));
  }
}

void Encoder::Init(Rng* rng) {
  if (input_proj_) input_proj_->Init(rng);
  for (Layer& layer : layers_) {
    layer.rnn->Init(rng);
    if (layer.proj) layer.proj->Init(rng);
  }
}

std::vector<nn::Parameter*> Encoder::Parameters() {
  std::vector<nn::Parameter*> params;
  auto add = [&](std::vector<nn::Parameter*> more) {
    params.insert(params.end(), more.begin(), more.end());
  };
  if (input_proj_) add(input_proj_->Parameters());
  for (Layer& layer : layers_) {
    add(layer.rnn->Parameters());
    if (layer.proj) add(layer.proj->Parameters());
  }
  return params;
}

Lengths Encoder::OutputLengths(const EncoderConfig& config, const Lengths& lengths) {
  Lengths out = lengths;
  for (int64_t k = 0; k < config.NumReductions(); ++k)
    for (int64_t& L : out) L = TimeReduction::ReducedLength(L);
  return out;
}

int64_t Encoder::num_plans_created() const {
  int64_t n = 0;
  for (const Layer& layer : layers_) n += layer.rnn->num_plans_created();
  return n;
}

int64_t Encoder::num_weight_reorders() const {
  int64_t n = 0;
  for (const Layer& layer : layers_) n += layer.rnn->num_weight_reorders();
  return n;
}

namespace {

// Zeroes frames t >= lengths[n] of a [T, N, C] tensor.
void MaskPadding(const Lengths& lengths, nn::Tensor* x) {
  const int64_t T = x->dim(0), N = x->dim(1), C = x->dim(2);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t t = lengths[n]; t < T; ++t) std::fill_n(x->data() + (t * N + n) * C, C, 0.0f);
}

}  // namespace

void Encoder::Forward(const nn::Tensor& x, const Lengths& lengths, nn::Tensor* y,
                      Lengths* out_lengths, Context* ctx, bool training, Rng* dropout_rng) const {
  ATTEND_CHECK(x.rank() == 3 && x.dim(2) == config_.input_dim, "encoder: input must be [T, N, ",
               config_.input_dim, "] (--encoder.input_dim), got ", nn::ShapeToString(x.shape()));
  CheckLengths(lengths, x.dim(0), x.dim(1), "encoder input");
  const bool any_dropout = training && config_.dropout > 0.0f;
  ATTEND_CHECK(!any_dropout || dropout_rng != nullptr,
               "encoder: training with dropout needs a dropout RNG");
  ctx->training = training;
  ctx->layers.resize(layers_.size());
  ctx->proj_plans.resize(layers_.size());
  const nn::Tensor* cur = &x;
  if (input_proj_) {
    if (training) ctx->input = x;
    input_proj_->Forward(x, &ctx->projected_input, &ctx->input_proj_plans);
    cur = &ctx->projected_input;
  }
  const Lengths* cur_lengths = &lengths;
  for (size_t l = 0; l < layers_.size(); ++l) {
    const Layer& layer = layers_[l];
    Context::Layer& lc = ctx->layers[l];
    lc.in_lengths = *cur_lengths;
    layer.rnn->Forward(compute_type_, *cur, lc.in_lengths, training, &lc.rnn_out, &lc.rnn,
                       &ctx->rnn_workspace);
    cur = &lc.rnn_out;
    lc.out_lengths = lc.in_lengths;
    if (layer.reduces) {
      reduction_.Forward(*cur, lc.in_lengths, &lc.reduced, &lc.out_lengths, &lc.reduction);
      cur = &lc.reduced;
    }
    lc.dropped = false;
    if (layer.proj) {
      layer.proj->Forward(*cur, &lc.projected, &ctx->proj_plans[l]);
      if (layer.tanh)
        for (int64_t i = 0; i < lc.projected.size(); ++i)
          lc.projected[i] = std::tanh(lc.projected[i]);
      MaskPadding(lc.out_lengths, &lc.projected);
      cur = &lc.projected;
    }
    if (layer.dropout && training) {
      if (cur != &lc.projected) {
        lc.projected = *cur;
        cur = &lc.projected;
      }
      dropout_.Forward(&lc.projected, &lc.dropout_mask, dropout_rng);
      lc.dropped = true;
    }
    cur_lengths = &lc.out_lengths;
  }
  *y = *cur;
  *out_lengths = *cur_lengths;
}

void Encoder::Backward(const nn::Tensor& dy, Context* ctx, nn::Tensor* dx) {
  ATTEND_CHECK(ctx->training && ctx->layers.size() == layers_.size(),
               "encoder: Backward needs a Forward run with training = true");
  nn::Tensor* g = &ctx->grad_a;
  nn::Tensor* other = &ctx->grad_b;
  *g = dy;
  for (int64_t l = static_cast<int64_t>(layers_.size()) - 1; l >= 0; --l) {
    Layer& layer = layers_[l];
    Context::Layer& lc = ctx->layers[l];
    if (lc.dropped) dropout_.Backward(lc.dropout_mask, g);
    if (layer.proj) {
      ATTEND_CHECK(g->shape() == lc.projected.shape(), "encoder: output gradient must be ",
                   nn::ShapeToString(lc.projected.shape()), ", got ",
                   nn::ShapeToString(g->shape()));
      MaskPadding(lc.out_lengths, g);
      if (layer.tanh) {
        // lc.projected holds tanh(z) (times the dropout mask when dropped).
        for (int64_t i = 0; i < g->size(); ++i) {
          float t = lc.projected[i];
          if (lc.dropped) t = lc.dropout_mask[i] == 0.0f ? 0.0f : t / lc.dropout_mask[i];
          (*g)[i] *= 1.0f - t * t;
        }
      }
      const nn::Tensor& proj_in = layer.reduces ? lc.reduced : lc.rnn_out;
      layer.proj->Backward(proj_in, *g, other);
      std::swap(g, other);
    }
    if (layer.reduces) {
      reduction_.Backward(*g, lc.reduction, other);
      std::swap(g, other);
    }
    layer.rnn->Backward(*g, &lc.rnn, other);
    std::swap(g, other);
  }
  if (input_proj_) {
    input_proj_->Backward(ctx->input, *g, dx);
  } else if (dx != nullptr) {
    *dx = *g;
  }
}

void Encoder::Save(nn::ModelFile* model) {
  model->config += config_.ToString();
  for (nn::Parameter* p : Parameters()) model->tensors[p->name] = p->value;
}

void Encoder::Load(const nn::ModelFile& model, const std::string& source) {
  for (nn::Parameter* p : Parameters()) {
    const nn::Tensor& t = model.Get(p->name, source);
    ATTEND_CHECK(t.shape() == p->value.shape(), "tensor ", p->name, " in ", source, " has shape ",
                 nn::ShapeToString(t.shape()), ", the encoder config expects ",
                 nn::ShapeToString(p->value.shape()));
    p->value = t;
    p->MarkUpdated();
  }
}

}  // namespace attend::acoustic
