// The attention decoder (Luong-style input feeding, as in LAS/ESPnet):
//   x_t   = [E(y_{t−1}); c_{t−1}]                      embedding + previous context
//   s_t   = LSTM_L(… LSTM_1(x_t) …)                    1–2 layers, state carried
//   α_t   = Attend(s_t, H, α_{t−1});  c_t = Σ α_t H      (decoder/attention.h)
//   p_t   = log_softmax(W_o [s_t; c_t] + b_o)           [V]
// Initial state: h = c = 0, c_0 = 0, α_0 uniform over the valid frames.
//
// Two uses:
//  * Inference through the StepDecoder interface (batched rows, B per
//    utterance), const: the rows' state, the work buffers and the oneDNN
//    plans (keyed by the row count) live in the caller's
//    AttentionDecoder::State, reused across steps, so a step allocates and
//    creates nothing once warm. Reorder() gathers row states into a second
//    buffer set and swaps.
//  * Teacher-forced training over whole target sequences: Forward() runs every
//    step for a padded batch and keeps what Backward() needs in an explicit
//    DecoderTrainContext; Backward() takes dL/dlogits and returns dL/dH, the
//    gradient the encoder's backward consumes. Optional scheduled sampling
//    feeds the model's own argmax instead of the reference with a given rate.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <boost/program_options/options_description.hpp>

#include "base/random.h"
#include "decoder/attention.h"
#include "decoder/step_decoder.h"
#include "nn/compute_type.h"
#include "nn/embedding.h"
#include "nn/linear.h"
#include "nn/lstm_cell.h"

namespace attend::decoder {

struct AttentionDecoderConfig {
  int embedding_dim = 256;          // token embedding size
  int hidden_dim = 512;             // LSTM units per layer
  int num_layers = 1;               // LSTM layers, 1 or 2
  float scheduled_sampling = 0.0f;  // training: probability of feeding the model's argmax, [0, 1]
  AttentionOptions attention;

  void Register(boost::program_options::options_description* desc);
  // Throws attend::Error naming the flag (--decoder-layers, ...) and the value.
  void Validate() const;
  std::string ToString() const;
};

// What a teacher-forced Forward keeps for Backward (one entry per step), and
// Backward's work space. The context lives as long as the trainer's loss, so
// batches of the same shape reuse every buffer (fresh pages are slow to touch).
struct DecoderTrainContext {
  struct Step {
    std::vector<int> inputs;                 // [N] tokens fed at this step
    nn::Tensor embedded;                     // [N, E]
    nn::Tensor x;                            // [N, E+D] LSTM input
    std::vector<nn::LstmCellContext> cells;  // per layer
    std::vector<nn::Tensor> h;               // per layer output [N, H]
    AttentionStep attention;
    nn::Tensor context;  // [N, D]
  };
  AttentionMemory memory;
  std::vector<Step> steps;
  int64_t batch = 0;
  // [S·N, H+D] every step's [s_t; c_t]: the output layer does not feed the
  // recurrence, so it runs once over all steps' rows (forward and backward).
  nn::Tensor output_in;
  // Backward's work space: key and value gradients [N, T, ·], the output
  // layer's input gradient [S·N, H+D], and the rows of all steps that the
  // weight gradients of the LSTM gates [S·N, In+H], [S·N, 4H] and of the
  // attention's query projection [S·N, H], [S·N, A] are computed from.
  nn::Tensor dkeys, dvalues, dencoder_scratch, doutput_in;
  std::vector<nn::Tensor> gate_inputs, dgates;  // per LSTM layer
  nn::Tensor queries, dprojected;
  // The forward's oneDNN plans and work space (the backward's are the
  // decoder's own) and its logits [S·N, V] (or one step's [N, V] under
  // scheduled sampling).
  std::vector<nn::Linear::State> lstm_plans;  // per layer
  nn::Linear::State output_plans;
  AttentionScratch attention;
  nn::Tensor logits;
};

class AttentionDecoder : public StepDecoder {
 public:
  AttentionDecoder(const std::string& name, const AttentionDecoderConfig& config,
                   int64_t encoder_dim, int vocab_size, int sos_eos_id,
                   nn::Engine& engine = nn::Engine::Get());

  void Init(Rng* rng);
  std::vector<nn::Parameter*> Parameters();
  // The arithmetic of the LSTM gates' GEMMs: f32 (default) or bf16 with f32
  // master weights, like the encoder's recurrent layers. The attention and
  // the output layer stay f32 (their GEMMs are small or oddly shaped).
  void set_compute_type(nn::ComputeType type);

  // StepDecoder.
  int vocab_size() const override { return vocab_size_; }
  int sos_id() const override { return sos_eos_; }
  int eos_id() const override { return sos_eos_; }
  std::unique_ptr<DecoderState> NewState() const override;
  void Start(const nn::Tensor& encoder_out, const std::vector<int64_t>& lengths,
             int rows_per_utterance, DecoderState* state) const override;
  void Step(const std::vector<int>& tokens, DecoderState* state, nn::Tensor* log_probs,
            nn::Tensor* attention) const override;
  void Reorder(const std::vector<int>& origins, DecoderState* state) const override;
  int attention_heads() const override { return config_.attention.num_heads; }
  void HeadAttention(const DecoderState& state, nn::Tensor* heads) const override;

  // Teacher-forced training. encoder_out [T, N, D] tnc with N lengths;
  // targets[n]: reference tokens without <sos/eos>. Runs S = max|targets|+1
  // steps (inputs <sos/eos> y_1 … y_U, outputs y_1 … y_U <sos/eos>; past its
  // length an utterance is fed <sos/eos> and its outputs must be ignored by
  // the loss). Writes log_probs [S, N, V] and, when attention is not null,
  // the weights [S, N, T]. `rng` drives scheduled sampling (may be null when
  // the rate is 0).
  // Const: the forward changes only ctx.
  void Forward(const nn::Tensor& encoder_out, const std::vector<int64_t>& lengths,
               const std::vector<std::vector<int>>& targets, Rng* rng, DecoderTrainContext* ctx,
               nn::Tensor* log_probs, nn::Tensor* attention = nullptr) const;
  // dlogits [S, N, V] = dL/d(pre-softmax logits) -> adds parameter gradients,
  // writes dL/dencoder_out [T, N, D] (resized).
  void Backward(DecoderTrainContext* ctx, const nn::Tensor& dlogits, nn::Tensor* dencoder_out);

  const AttentionDecoderConfig& config() const { return config_; }
  Attention& attention() { return attention_; }
  const Attention& attention() const { return attention_; }
  nn::Embedding& embedding() { return embedding_; }
  nn::LstmCell& lstm(int layer) { return *lstm_[layer]; }
  nn::Linear& output() { return output_; }
  // oneDNN plans built so far (tests prove a warm step builds none).
  int64_t num_plans_created() const;

 private:
  struct RowState {
    std::vector<nn::Tensor> h, c;  // per layer [R, H]
    nn::Tensor context;            // [R, D]
    nn::Tensor weights;            // [R, T]
  };
  // Inference state and buffers (no allocation per step once warm).
  struct State : DecoderState {
    AttentionMemory memory;
    int rows_per_utterance = 1;
    RowState rows, spare;
    nn::Tensor embedded, x, h_new, context_new, weights_new, output_in, logits;
    nn::LstmCellContext cell_ctx;
    std::vector<nn::Linear::State> lstm_plans;  // per layer
    nn::Linear::State output_plans;
    AttentionScratch attention;
  };
  static State& Cast(DecoderState* state);
  static const State& Cast(const DecoderState& state);
  void ResetState(int64_t rows, const AttentionMemory& memory, int rows_per_utterance,
                  RowState* state) const;

  std::string name_;
  AttentionDecoderConfig config_;
  int64_t encoder_dim_;
  int vocab_size_;
  int sos_eos_;
  nn::Embedding embedding_;
  std::vector<std::unique_ptr<nn::LstmCell>> lstm_;
  Attention attention_;
  nn::Linear output_;
};

}  // namespace attend::decoder
