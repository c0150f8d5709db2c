#include "decoder/attention_decoder.h"

#include <algorithm>
#include <boost/program_options.hpp>
#include <cstring>
#include <sstream>

#include "base/error.h"
#include "nn/log_softmax.h"

namespace attend::decoder {

namespace po = boost::program_options;
using nn::Shape;
using nn::ShapeToString;
using nn::Tensor;

void AttentionDecoderConfig::Register(po::options_description* desc) {
  desc->add_options()("decoder-embedding-dim",
                      po::value(&embedding_dim)->default_value(embedding_dim),
                      "decoder token embedding size")(
      "decoder-hidden-dim", po::value(&hidden_dim)->default_value(hidden_dim),
      "decoder LSTM units per layer")("decoder-layers",
                                      po::value(&num_layers)->default_value(num_layers),
                                      "decoder LSTM layers, 1 or 2")(
      "scheduled-sampling", po::value(&scheduled_sampling)->default_value(scheduled_sampling),
      "training: probability of feeding the decoder its own best token instead of the "
      "reference, in [0, 1]");
  attention.Register(desc);
}

void AttentionDecoderConfig::Validate() const {
  ATTEND_CHECK(embedding_dim > 0, "--decoder-embedding-dim must be > 0, got ", embedding_dim);
  ATTEND_CHECK(hidden_dim > 0, "--decoder-hidden-dim must be > 0, got ", hidden_dim);
  ATTEND_CHECK(num_layers == 1 || num_layers == 2, "--decoder-layers must be 1 or 2, got ",
               num_layers);
  ATTEND_CHECK(scheduled_sampling >= 0 && scheduled_sampling <= 1,
               "--scheduled-sampling must be in [0, 1], got ", scheduled_sampling);
  attention.Validate();
}

std::string AttentionDecoderConfig::ToString() const {
  std::ostringstream out;
  out << "decoder-embedding-dim=" << embedding_dim << " decoder-hidden-dim=" << hidden_dim
      << " decoder-layers=" << num_layers << " scheduled-sampling=" << scheduled_sampling << " "
      << attention.ToString();
  return out.str();
}

namespace {

// out [R, A+B] = [a; b] row by row, at `out` (R·(A+B) floats).
void ConcatRowsTo(const Tensor& a, const Tensor& b, float* out) {
  const int64_t R = a.dim(0), A = a.dim(1), B = b.dim(1);
  for (int64_t r = 0; r < R; ++r) {
    std::memcpy(out + r * (A + B), a.data() + r * A, A * sizeof(float));
    std::memcpy(out + r * (A + B) + A, b.data() + r * B, B * sizeof(float));
  }
}

// out [R, A+B] = [a; b] row by row (resized).
void ConcatRows(const Tensor& a, const Tensor& b, Tensor* out) {
  out->Resize({a.dim(0), a.dim(1) + b.dim(1)});
  ConcatRowsTo(a, b, out->data());
}

// Adds columns [offset, offset + out.dim(1)) of the rows src [R, C] (C floats
// a row, starting at `src`) into out [R, ·].
void AddColumns(const float* src, int64_t C, int64_t offset, Tensor* out) {
  const int64_t R = out->dim(0), W = out->dim(1);
  for (int64_t r = 0; r < R; ++r)
    for (int64_t i = 0; i < W; ++i) (*out)[r * W + i] += src[r * C + offset + i];
}

void AddColumns(const Tensor& src, int64_t offset, Tensor* out) {
  AddColumns(src.data(), src.dim(1), offset, out);
}

// Copies t's elements to rows [row, row + t.dim(0)) of the stacked rows `all`.
void CopyToRows(const Tensor& t, int64_t row, Tensor* all) {
  const int64_t C = all->dim(1);
  ATTEND_ASSERT(t.size() == t.dim(0) * C && (row + t.dim(0)) * C <= all->size());
  std::memcpy(all->data() + row * C, t.data(), t.size() * sizeof(float));
}

// dst rows = src rows [origins[i]].
void GatherRows(const Tensor& src, const std::vector<int>& origins, Tensor* dst) {
  const int64_t R = static_cast<int64_t>(origins.size()), C = src.size() / src.dim(0);
  dst->Resize({R, C});
  for (int64_t r = 0; r < R; ++r)
    std::memcpy(dst->data() + r * C, src.data() + origins[r] * C, C * sizeof(float));
}

}  // namespace

AttentionDecoder::AttentionDecoder(const std::string& name, const AttentionDecoderConfig& config,
                                   int64_t encoder_dim, int vocab_size, int sos_eos_id,
                                   nn::Engine& engine)
    : name_(name),
      config_((config.Validate(), config)),
      encoder_dim_(encoder_dim),
      vocab_size_(vocab_size),
      sos_eos_(sos_eos_id),
      embedding_(name + ".embedding", vocab_size, config.embedding_dim),
      attention_(name + ".attention", config.attention, config.hidden_dim, encoder_dim, engine),
      output_(name + ".output", config.hidden_dim + encoder_dim, vocab_size, true, engine) {
  ATTEND_CHECK(sos_eos_id >= 0 && sos_eos_id < vocab_size, name, ": <sos/eos> id ", sos_eos_id,
               " outside the vocabulary of ", vocab_size);
  for (int l = 0; l < config.num_layers; ++l) {
    int64_t in = l == 0 ? config.embedding_dim + encoder_dim : config.hidden_dim;
    lstm_.push_back(std::make_unique<nn::LstmCell>(name + ".lstm" + std::to_string(l), in,
                                                   config.hidden_dim, engine));
  }
}

void AttentionDecoder::Init(Rng* rng) {
  embedding_.Init(rng);
  for (auto& cell : lstm_) cell->Init(rng);
  attention_.Init(rng);
  output_.Init(rng);
}

void AttentionDecoder::set_compute_type(nn::ComputeType type) {
  for (auto& cell : lstm_) cell->gates().set_compute_type(type);
}

std::vector<nn::Parameter*> AttentionDecoder::Parameters() {
  std::vector<nn::Parameter*> params = embedding_.Parameters();
  for (auto& cell : lstm_)
    for (nn::Parameter* p : cell->Parameters()) params.push_back(p);
  for (nn::Parameter* p : attention_.Parameters()) params.push_back(p);
  for (nn::Parameter* p : output_.Parameters()) params.push_back(p);
  return params;
}

int64_t AttentionDecoder::num_plans_created() const {
  int64_t n = output_.num_plans_created();
  for (const auto& cell : lstm_) n += cell->gates().num_plans_created();
  n += attention_.query_projection().num_plans_created() +
       attention_.key_projection().num_plans_created() +
       attention_.location_projection().num_plans_created();
  return n;
}

void AttentionDecoder::ResetState(int64_t rows, const AttentionMemory& memory,
                                  int rows_per_utterance, RowState* state) const {
  const int64_t H = config_.hidden_dim, T = memory.frames;
  state->h.resize(lstm_.size());
  state->c.resize(lstm_.size());
  for (size_t l = 0; l < lstm_.size(); ++l) {
    state->h[l].Resize({rows, H});
    state->h[l].SetZero();
    state->c[l].Resize({rows, H});
    state->c[l].SetZero();
  }
  state->context.Resize({rows, encoder_dim_});
  state->context.SetZero();
  state->weights.Resize({rows, T});
  state->weights.SetZero();
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t len = memory.lengths[r / rows_per_utterance];
    for (int64_t t = 0; t < len; ++t) state->weights[r * T + t] = 1.0f / static_cast<float>(len);
  }
}

AttentionDecoder::State& AttentionDecoder::Cast(DecoderState* state) {
  auto* s = dynamic_cast<State*>(state);
  ATTEND_CHECK(s != nullptr, "attention decoder: the state was not made by its NewState()");
  return *s;
}

const AttentionDecoder::State& AttentionDecoder::Cast(const DecoderState& state) {
  const auto* s = dynamic_cast<const State*>(&state);
  ATTEND_CHECK(s != nullptr, "attention decoder: the state was not made by its NewState()");
  return *s;
}

std::unique_ptr<DecoderState> AttentionDecoder::NewState() const {
  auto state = std::make_unique<State>();
  state->lstm_plans.resize(lstm_.size());
  return state;
}

void AttentionDecoder::Start(const Tensor& encoder_out, const std::vector<int64_t>& lengths,
                             int rows_per_utterance, DecoderState* decoder_state) const {
  ATTEND_CHECK(rows_per_utterance > 0, name_, ": rows per utterance must be > 0, got ",
               rows_per_utterance);
  State& s = Cast(decoder_state);
  attention_.Prepare(encoder_out, lengths, &s.memory, &s.attention);
  attention_.PrepareInference(&s.memory);
  s.rows_per_utterance = rows_per_utterance;
  ResetState(s.memory.batch * rows_per_utterance, s.memory, rows_per_utterance, &s.rows);
}

void AttentionDecoder::Step(const std::vector<int>& tokens, DecoderState* decoder_state,
                            Tensor* log_probs, Tensor* attention) const {
  State& s = Cast(decoder_state);
  const int64_t R = s.memory.batch * s.rows_per_utterance;
  ATTEND_CHECK(static_cast<int64_t>(tokens.size()) == R, name_, ": ", tokens.size(), " tokens for ",
               R, " rows");
  embedding_.Forward(tokens, &s.embedded);
  ConcatRows(s.embedded, s.rows.context, &s.x);  // [R, E+D]
  const Tensor* input = &s.x;
  for (size_t l = 0; l < lstm_.size(); ++l) {
    lstm_[l]->Forward(*input, s.rows.h[l], s.rows.c[l], &s.h_new, &s.cell_ctx, &s.lstm_plans[l]);
    std::swap(s.rows.h[l], s.h_new);
    std::swap(s.rows.c[l], s.cell_ctx.c);
    input = &s.rows.h[l];
  }
  attention_.Infer(s.memory, s.rows_per_utterance, *input,
                   attention_.uses_location() ? &s.rows.weights : nullptr, &s.attention,
                   &s.context_new, &s.weights_new);
  std::swap(s.rows.context, s.context_new);
  std::swap(s.rows.weights, s.weights_new);
  ConcatRows(*input, s.rows.context, &s.output_in);          // [R, H+D]
  output_.Forward(s.output_in, &s.logits, &s.output_plans);  // [R, V]
  nn::LogSoftmax(s.logits, log_probs);
  if (attention != nullptr) *attention = s.rows.weights;
}

void AttentionDecoder::HeadAttention(const DecoderState& decoder_state, Tensor* heads) const {
  const State& s = Cast(decoder_state);
  attention_.InferredHeadWeights(s.attention, s.memory.frames, heads);
}

void AttentionDecoder::Reorder(const std::vector<int>& origins, DecoderState* decoder_state) const {
  State& s = Cast(decoder_state);
  const int64_t R = s.memory.batch * s.rows_per_utterance;
  const int B = s.rows_per_utterance;
  ATTEND_CHECK(static_cast<int64_t>(origins.size()) == R, name_, ": ", origins.size(),
               " origins for ", R, " rows");
  for (int64_t r = 0; r < R; ++r)
    ATTEND_CHECK(origins[r] >= 0 && origins[r] < R && origins[r] / B == r / B, name_, ": row ", r,
                 " cannot continue row ", origins[r]);
  s.spare.h.resize(lstm_.size());
  s.spare.c.resize(lstm_.size());
  for (size_t l = 0; l < lstm_.size(); ++l) {
    GatherRows(s.rows.h[l], origins, &s.spare.h[l]);
    GatherRows(s.rows.c[l], origins, &s.spare.c[l]);
  }
  GatherRows(s.rows.context, origins, &s.spare.context);
  GatherRows(s.rows.weights, origins, &s.spare.weights);
  std::swap(s.rows, s.spare);
}

void AttentionDecoder::Forward(const Tensor& encoder_out, const std::vector<int64_t>& lengths,
                               const std::vector<std::vector<int>>& targets, Rng* rng,
                               DecoderTrainContext* ctx, Tensor* log_probs,
                               Tensor* attention) const {
  attention_.Prepare(encoder_out, lengths, &ctx->memory, &ctx->attention);
  ctx->lstm_plans.resize(lstm_.size());
  const int64_t N = ctx->memory.batch, T = ctx->memory.frames, V = vocab_size_;
  const int64_t O = config_.hidden_dim + encoder_dim_;
  ATTEND_CHECK(static_cast<int64_t>(targets.size()) == N, name_, ": ", targets.size(),
               " target sequences for a batch of ", N);
  size_t max_len = 0;
  for (const auto& t : targets) max_len = std::max(max_len, t.size());
  const int64_t S = static_cast<int64_t>(max_len) + 1;
  const bool sampling = config_.scheduled_sampling > 0;
  ATTEND_CHECK(!sampling || rng != nullptr, name_, ": scheduled sampling needs a random generator");
  ctx->batch = N;
  ctx->steps.resize(S);
  ctx->output_in.Resize({S * N, O});
  log_probs->Resize({S, N, V});
  if (attention != nullptr) attention->Resize({S, N, T});
  RowState state;
  ResetState(N, ctx->memory, 1, &state);
  Tensor step_output_in, step_log_probs;
  for (int64_t s = 0; s < S; ++s) {
    DecoderTrainContext::Step& st = ctx->steps[s];
    st.inputs.resize(N);
    for (int64_t n = 0; n < N; ++n) {
      const auto& y = targets[n];
      int token = s == 0 || s > static_cast<int64_t>(y.size()) ? sos_eos_ : y[s - 1];
      if (s > 0 && sampling && s <= static_cast<int64_t>(y.size()) &&
          rng->Bernoulli(config_.scheduled_sampling)) {
        const float* p = log_probs->data() + ((s - 1) * N + n) * V;
        token = static_cast<int>(std::max_element(p, p + V) - p);
      }
      st.inputs[n] = token;
    }
    embedding_.Forward(st.inputs, &st.embedded);
    ConcatRows(st.embedded, state.context, &st.x);
    st.cells.resize(lstm_.size());
    st.h.resize(lstm_.size());
    const Tensor* input = &st.x;
    for (size_t l = 0; l < lstm_.size(); ++l) {
      lstm_[l]->Forward(*input, state.h[l], state.c[l], &st.h[l], &st.cells[l],
                        &ctx->lstm_plans[l]);
      state.h[l] = st.h[l];
      state.c[l] = st.cells[l].c;
      input = &st.h[l];
    }
    attention_.Forward(ctx->memory, 1, *input,
                       attention_.uses_location() ? &state.weights : nullptr, &ctx->attention,
                       &st.context, &st.attention);
    state.context = st.context;
    state.weights = st.attention.weights;
    ConcatRowsTo(*input, st.context, ctx->output_in.data() + s * N * O);
    if (sampling) {
      // The next step may feed this step's argmax: its outputs are needed now.
      ConcatRows(*input, st.context, &step_output_in);
      output_.Forward(step_output_in, &ctx->logits, &ctx->output_plans);
      nn::LogSoftmax(ctx->logits, &step_log_probs);
      std::memcpy(log_probs->data() + s * N * V, step_log_probs.data(), N * V * sizeof(float));
    }
    if (attention != nullptr)
      std::memcpy(attention->data() + s * N * T, st.attention.weights.data(),
                  N * T * sizeof(float));
  }
  if (!sampling) {
    // The output layer feeds nothing back: one GEMM over all steps' rows.
    output_.Forward(ctx->output_in, &ctx->logits, &ctx->output_plans);  // [S·N, V]
    nn::LogSoftmax(ctx->logits, log_probs);
    log_probs->Reshape({S, N, V});
  }
}

void AttentionDecoder::Backward(DecoderTrainContext* ctx, const Tensor& dlogits,
                                Tensor* dencoder_out) {
  const int64_t S = static_cast<int64_t>(ctx->steps.size()), N = ctx->batch, V = vocab_size_;
  const int64_t H = config_.hidden_dim, D = encoder_dim_, E = config_.embedding_dim, O = H + D;
  const int L = static_cast<int>(lstm_.size());
  ATTEND_CHECK(dlogits.shape() == Shape({S, N, V}), name_, ": logit gradient has shape ",
               ShapeToString(dlogits.shape()), ", expected [", S, ", ", N, ", ", V, "]");
  const AttentionMemory& memory = ctx->memory;
  ctx->dkeys.Resize(memory.keys.shape());
  ctx->dkeys.SetZero();
  ctx->dvalues.Resize(memory.values.shape());
  ctx->dvalues.SetZero();
  // The output layer over all steps' rows at once.
  output_.Backward(ctx->output_in, dlogits, &ctx->doutput_in);  // [S·N, H+D]
  // The per-step rows the weight gradients are computed from after the loop.
  const bool projects_query = attention_.projects_query();
  ctx->gate_inputs.resize(L);
  ctx->dgates.resize(L);
  for (int l = 0; l < L; ++l) {
    ctx->gate_inputs[l].Resize({S * N, lstm_[l]->input_dim() + H});
    ctx->dgates[l].Resize({S * N, 4 * H});
  }
  if (projects_query) {
    ctx->queries.Resize({S * N, H});
    ctx->dprojected.Resize({S * N, attention_.key_dim()});
  }
  // Gradients carried from step s+1 to step s.
  std::vector<Tensor> dh_carry(L, Tensor({N, H})), dc_carry(L, Tensor({N, H}));
  Tensor dcontext_carry({N, D}), dweights_carry({N, memory.frames});
  bool have_dweights = false;
  Tensor dtop({N, H}), dcontext({N, D}), dquery, dprojected, dprev, dx, dh_prev, dc_prev,
      zeros({N, H}), demb({N, E});
  nn::LstmCellContext scratch;
  for (int64_t s = S - 1; s >= 0; --s) {
    DecoderTrainContext::Step& st = ctx->steps[s];
    const float* doutput_in = ctx->doutput_in.data() + s * N * O;
    dtop = dh_carry[L - 1];
    AddColumns(doutput_in, O, 0, &dtop);
    dcontext = dcontext_carry;
    AddColumns(doutput_in, O, H, &dcontext);
    attention_.Backward(memory, 1, st.attention, dcontext,
                        have_dweights ? &dweights_carry : nullptr, &ctx->dkeys, &ctx->dvalues,
                        &dquery, attention_.uses_location() ? &dprev : nullptr,
                        projects_query ? &dprojected : nullptr);
    if (projects_query) {
      CopyToRows(st.attention.query, s * N, &ctx->queries);
      CopyToRows(dprojected, s * N, &ctx->dprojected);
    }
    if (attention_.uses_location()) {
      dweights_carry = dprev;
      have_dweights = true;
    }
    for (int64_t i = 0; i < dtop.size(); ++i) dtop[i] += dquery[i];
    // LSTM layers, top down: dh of layer l at step s is dtop (top) or the
    // input gradient of layer l+1 plus what step s+1 carried.
    Tensor dh = dtop;
    for (int l = L - 1; l >= 0; --l) {
      const Tensor& c_prev = s > 0 ? ctx->steps[s - 1].cells[l].c : zeros;
      lstm_[l]->BackwardData(st.cells[l], c_prev, dh, &dc_carry[l], &dx, &dh_prev, &dc_prev,
                             &scratch);
      CopyToRows(st.cells[l].xh, s * N, &ctx->gate_inputs[l]);
      CopyToRows(scratch.gates, s * N, &ctx->dgates[l]);
      dh_carry[l] = dh_prev;
      dc_carry[l] = dc_prev;
      if (l > 0) {
        dh = dx;
        for (int64_t i = 0; i < dh.size(); ++i) dh[i] += dh_carry[l - 1][i];
      }
    }
    // Layer 0's input is [embedding; previous context].
    demb.SetZero();
    AddColumns(dx, 0, &demb);
    embedding_.Backward(st.inputs, demb);
    dcontext_carry.SetZero();
    AddColumns(dx, E, &dcontext_carry);
  }
  // The weight gradients of all steps, one GEMM per layer.
  for (int l = 0; l < L; ++l) lstm_[l]->BackwardWeights(ctx->gate_inputs[l], ctx->dgates[l]);
  if (projects_query) attention_.query_projection().BackwardWeights(ctx->queries, ctx->dprojected);
  attention_.PrepareBackward(memory, ctx->dkeys, ctx->dvalues, dencoder_out,
                             &ctx->dencoder_scratch);
}

}  // namespace attend::decoder
