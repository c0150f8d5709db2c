// Attention over encoder states, one step at a time, with explicit forward and
// backward. One class covers the mechanisms the model config chooses from
// (they share masking, softmax, context and the backward bookkeeping; only the
// score function differs):
//   additive  (Bahdanau 2015):   e_t = wᵀ tanh(W s + V h_t + b)
//   location  (Chorowski 2015):  e_t = wᵀ tanh(W s + V h_t + U f_t + b),
//                                f = conv1d(α_prev; `location_filters` filters of
//                                width `location_kernel`, zero padded, no bias)
//   dot       (Luong 2015):      e_t = sᵀ h_t            (query dim = encoder dim)
//   general   (Luong 2015):      e_t = sᵀ W h_t
// then α = softmax(e / temperature) over the utterance's valid frames only:
// frames at or past its length are masked before the softmax and get exactly
// zero weight. context = Σ_t α_t h_t.
//
// Multi-head (additive, location, dot, general): the score space (A for
// additive, the query dim for dot/general) and the encoder dim are split into
// `num_heads` equal chunks; head k scores with chunk k and reads chunk k of the
// values, so the context keeps the encoder dim and no parameters are added.
// The returned weights are the heads' mean. Dot and general divide the scores
// by sqrt(head dim) when `scale` is set.
//
// Marian's mapped context: Prepare() projects the encoder states once per
// batch (V h, or W h for general) into an AttentionMemory; every step then
// costs one query projection plus the per-frame scoring.
//
// Rows: a step scores R query rows; row r reads utterance r / rows_per_utterance
// of the memory (beam search keeps B rows per utterance, training one).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <boost/program_options/options_description.hpp>

#include "base/random.h"
#include "nn/linear.h"
#include "nn/parameter.h"
#include "nn/tensor.h"

namespace attend::decoder {

struct AttentionOptions {
  std::string type = "location";  // additive | location | dot | general
  int attention_dim = 512;        // additive/location: size A of the tanh layer
  int num_heads = 1;              // splits A (or the query dim) and the encoder dim
  bool scale = true;              // dot/general: divide scores by sqrt(head dim)
  float temperature = 1.0f;       // softmax(e / temperature); < 1 sharpens, > 1 smooths
  int location_filters = 10;      // location: convolution channels over α_prev
  int location_kernel = 31;       // location: convolution width in frames (odd)

  void Register(boost::program_options::options_description* desc);
  // Throws attend::Error naming the flag (--attention-type, ...) and the value.
  void Validate() const;
  std::string ToString() const;
};

// The per-batch attention memory built by Prepare(): values and keys in
// batch-major layout, with the lengths.
struct AttentionMemory {
  int64_t frames = 0;            // T (padded)
  int64_t batch = 0;             // N utterances
  std::vector<int64_t> lengths;  // N valid frame counts, each in [1, T]
  nn::Tensor values;             // [N, T, D] the encoder states
  nn::Tensor keys;               // [N, T, K] V h (additive/location), W h (general); empty for dot
  // Inference (additive/location, filled by PrepareInference) and location
  // attention's Forward (filled by Prepare): the keys
  // frame-contiguous, [N, K, Tp] with Tp = T rounded up to 16, zero past T, so
  // that Infer() scores 16 frames per vector.
  nn::Tensor keys_by_frame;
};

// What inference changes, owned by the caller (one per decode state): the
// projections' oneDNN plans and Infer()'s work space, W s + b [R, A]; α_prev
// zero padded by kernel/2 in front and to Tp + kernel - 1 in all; for filter
// counts other than the default 10, one row's conv features, channel-major
// [F, Tp], and Uᵀ [F, A] (refreshed when U changes); the rows' scores, then
// weights, per head [R, H, Tp].
struct AttentionScratch {
  nn::Linear::State query_plans, key_plans;
  nn::Tensor projected, padded_prev, row_features, location_t, head_scores;
  uint64_t location_t_version = 0;
};

// What one step keeps for its backward.
struct AttentionStep {
  nn::Tensor query;         // [R, Q] the step's query (a copy)
  nn::Tensor projected;     // [R, A] W s + b (additive/location)
  nn::Tensor prev;          // [R, T] α_prev (location; its features are recomputed)
  nn::Tensor head_weights;  // [R, heads, T] per-head α
  nn::Tensor weights;       // [R, T] mean of the heads
};

class Attention {
 public:
  // query_dim Q: the decoder state's size; value_dim D: the encoder's.
  Attention(const std::string& name, const AttentionOptions& options, int64_t query_dim,
            int64_t value_dim, nn::Engine& engine = nn::Engine::Get());

  void Init(Rng* rng);

  // encoder_out [T, N, D] tnc and N lengths -> memory (resized, reused).
  void Prepare(const nn::Tensor& encoder_out, const std::vector<int64_t>& lengths,
               AttentionMemory* memory, AttentionScratch* scratch) const;
  // Prepare on the layer's own (training) scratch.
  void Prepare(const nn::Tensor& encoder_out, const std::vector<int64_t>& lengths,
               AttentionMemory* memory) {
    Prepare(encoder_out, lengths, memory, &own_);
  }
  // After Prepare, for Infer(): fills memory->keys_by_frame (additive; for
  // location Prepare already has, as Forward uses Infer's kernels).
  void PrepareInference(AttentionMemory* memory) const;
  // Backward of Prepare: given dL/dkeys [N, T, K] (ignored for dot) and
  // dL/dvalues [N, T, D], adds the key projection's gradient and writes
  // dL/dencoder_out [T, N, D] (resized). `scratch` is work space.
  void PrepareBackward(const AttentionMemory& memory, const nn::Tensor& dkeys,
                       const nn::Tensor& dvalues, nn::Tensor* dencoder_out, nn::Tensor* scratch);

  // One step: query [R, Q]; prev_weights [R, T] is α of the previous step
  // (location only; null elsewhere). Writes context [R, D] and step->weights
  // [R, T] (both resized; padded frames 0).
  // `scratch` holds the caller's plans and work space (a training context's).
  void Forward(const AttentionMemory& memory, int rows_per_utterance, const nn::Tensor& query,
               const nn::Tensor* prev_weights, AttentionScratch* scratch, nn::Tensor* context,
               AttentionStep* step) const;
  // Forward on the layer's own scratch.
  void Forward(const AttentionMemory& memory, int rows_per_utterance, const nn::Tensor& query,
               const nn::Tensor* prev_weights, nn::Tensor* context, AttentionStep* step) {
    Forward(memory, rows_per_utterance, query, prev_weights, &own_, context, step);
  }

  // Inference: Forward's context and weights (resized; padded frames 0) without
  // keeping anything for backward; needs PrepareInference. Additive and
  // location scores are computed 16 frames at a time, one frame per SIMD lane
  // (no horizontal sums); location attention projects its convolution
  // features inside that loop instead of materialising U f for every row and
  // frame ([R·T, A], megabytes per step), and no input is copied. Results
  // equal Forward's up to float rounding (sums run in another order).
  // Thread-safe for distinct scratches.
  void Infer(const AttentionMemory& memory, int rows_per_utterance, const nn::Tensor& query,
             const nn::Tensor* prev_weights, AttentionScratch* scratch, nn::Tensor* context,
             nn::Tensor* weights) const;
  // After Infer() on `scratch` with memory of `frames` frames (T): each
  // head's weights of that call [R, H, T] (resized; padded frames 0).
  void InferredHeadWeights(const AttentionScratch& scratch, int64_t frames,
                           nn::Tensor* heads) const;

  // Backward of one Forward. dcontext [R, D]; dweights [R, T] is an extra
  // gradient on step->weights (from the next step's location features; null
  // for none). Adds parameter gradients, adds into dkeys [N, T, K] and dvalues
  // [N, T, D] (sized by the caller, zeroed once per batch), writes dquery
  // [R, Q] and, for location, dprev_weights [R, T] (resized; may be null).
  // With `dprojected` (additive/location), the query projection's parameter
  // gradient is left to the caller: dL/d(W s + b) [R, A] is written there
  // (resized), so that a sequence of steps adds it in one GEMM over all rows
  // with query_projection().BackwardWeights(queries, dprojected).
  void Backward(const AttentionMemory& memory, int rows_per_utterance, const AttentionStep& step,
                const nn::Tensor& dcontext, const nn::Tensor* dweights, nn::Tensor* dkeys,
                nn::Tensor* dvalues, nn::Tensor* dquery, nn::Tensor* dprev_weights,
                nn::Tensor* dprojected = nullptr);

  std::vector<nn::Parameter*> Parameters();
  const AttentionOptions& options() const { return options_; }
  bool uses_location() const { return type_ == Type::kLocation; }
  // Whether scores see the query through query_projection() (additive, location).
  bool projects_query() const { return additive(); }
  int64_t key_dim() const;
  int64_t query_dim() const { return query_dim_; }
  int64_t value_dim() const { return value_dim_; }

  // Internal parameters, for loading from other toolkits and for tests.
  nn::Linear& query_projection() { return query_proj_; }   // W, b  (additive/location)
  nn::Linear& key_projection() { return key_proj_; }       // V (additive/location), W (general)
  nn::Parameter& score_vector() { return score_; }         // w [A]
  nn::Parameter& location_conv() { return conv_; }         // [F, kernel]
  nn::Linear& location_projection() { return loc_proj_; }  // U: F -> A, no bias
  const nn::Linear& query_projection() const { return query_proj_; }
  const nn::Linear& key_projection() const { return key_proj_; }
  const nn::Linear& location_projection() const { return loc_proj_; }

 private:
  enum class Type { kAdditive, kLocation, kDot, kGeneral };
  bool additive() const { return type_ == Type::kAdditive || type_ == Type::kLocation; }
  void CheckMemory(const AttentionMemory& memory, int rows_per_utterance, int64_t rows) const;

  std::string name_;
  AttentionOptions options_;
  Type type_;
  int64_t query_dim_, value_dim_;
  nn::Linear query_proj_;
  nn::Linear key_proj_;
  nn::Parameter score_;
  nn::Parameter conv_;
  nn::Linear loc_proj_;
  // The scratch of Backward and of the Forward and Prepare without one.
  AttentionScratch own_;
  // Backward work space (reused across steps; no allocation once warm): the
  // location features [R·T, F] and their gradient, dU f [R·T, A], one
  // score-dim row, and one row's α_prev gradient zero padded [T + W - 1] and
  // features' gradient channel-major [F, T].
  nn::Tensor dprojected_, features_, dfeatures_, dlocation_, score_work_, dscores_, dq_;
  nn::Tensor padded_dprev_, row_dfeatures_;
  // memory->keys_by_frame from memory->keys.
  void TransposeKeys(AttentionMemory* memory) const;
  // Uᵀ into scratch->location_t when U changed since.
  void RefreshLocationTransposed(AttentionScratch* scratch) const;
};

}  // namespace attend::decoder
