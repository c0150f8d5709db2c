// The acoustic encoder (Listen, Attend and Spell's listener, ESPnet's
// BLSTM/BLSTMP):
//   features x [T, N, input_dim] tnc, lengths
//     -> optional input projection (linear, input_proj_dim)
//     -> num_layers × { bidirectional LSTM/GRU (acoustic::BiRnn, exact on padded batches)
//                       -> time reduction ×2 after each of the first log2(reduction) layers
//                       -> optional projection (linear to proj_dim; tanh except after the last
//                       layer)
//                       -> dropout in training (not after the last layer) }
//   -> H [T', N, OutputDim()] tnc with lengths' (each ceil-halved per reduction).
// Padded frames of H are exactly zero. Parameters are named
//   encoder.input_proj.{weight,bias}
//   encoder.layers.<l>.{l2r,r2l}.{weight_ih,weight_hh,bias_ih,bias_hh}   (PyTorch layouts)
//   encoder.layers.<l>.proj.{weight,bias}
// and Save/Load put them, with the config, in an nn::ModelFile.
#pragma once

#include <boost/program_options.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "acoustic/bi_rnn.h"
#include "acoustic/time_reduction.h"
#include "base/random.h"
#include "nn/dropout.h"
#include "nn/linear.h"
#include "nn/model_file.h"
#include "nn/rnn_layer.h"

namespace attend::acoustic {

struct EncoderConfig {
  int64_t input_dim = 80;                 // feature dimension (fbank bins)
  std::string cell = "lstm";              // recurrent cell: lstm | gru (linear-before-reset GRU)
  int64_t num_layers = 3;                 // bidirectional layers
  int64_t hidden_dim = 320;               // units per direction
  int64_t input_proj_dim = 0;             // linear projection of the features first; 0 = none
  int64_t proj_dim = 0;                   // projection after each layer (BLSTMP); 0 = none
  int64_t reduction = 4;                  // total time reduction: 1, 2, 4 or 8 (one ×2 per layer)
  std::string reduction_type = "concat";  // how frames are combined: concat | max | mean
  float dropout = 0.0f;                   // dropout between layers in training, in [0, 1)
  int64_t bucket_frames = 16;             // round T up to a multiple (plan reuse); 1 = exact T

  // Options `encoder.<field>` (a flag and a config-file key).
  void Register(boost::program_options::options_description* desc);
  // Throws attend::Error naming the option and the bad value.
  void Validate() const;
  // `encoder.<field> = value` lines, the config-file syntax the model file stores.
  std::string ToString() const;
  // Parses what ToString() writes (unknown keys are ignored), then validates.
  static EncoderConfig FromString(const std::string& text, const std::string& source);

  int64_t NumReductions() const;  // log2(reduction)
  int64_t LayerInputDim(int64_t layer) const;
  int64_t OutputDim() const;
  // The length to pad a lone utterance of `frames` frames to (its length
  // passed as is): the next multiple of bucket_frames × reduction, so that
  // every layer's length is a multiple of its bucket. Segments of a long
  // recording then share a few shapes, and so a few plans and oneDNN
  // primitives, instead of bringing new ones each. Padding never
  // changes a valid output.
  int64_t PaddedLength(int64_t frames) const;
};

class Encoder {
 public:
  // Validates the config; creates (zero) parameters.
  explicit Encoder(const EncoderConfig& config, nn::Engine& engine = nn::Engine::Get());

  // PyTorch's default initialization for every layer.
  void Init(Rng* rng);

  // What Forward keeps for Backward, and scratch reused across calls; one per
  // in-flight batch.
  struct Context {
    bool training = false;
    nn::Tensor input;  // copy of x (only with an input projection, for its gradient)
    nn::Tensor projected_input;
    struct Layer {
      Lengths in_lengths, out_lengths;
      BiRnn::Context rnn;
      nn::Tensor rnn_out;  // [T, N, 2H]
      TimeReduction::Context reduction;
      nn::Tensor reduced;    // after the time reduction (when this layer reduces)
      nn::Tensor projected;  // after projection (+ tanh) and dropout
      nn::Tensor dropout_mask;
      bool dropped = false;
    };
    std::vector<Layer> layers;
    nn::Tensor grad_a, grad_b;  // backward scratch
    // The caller's oneDNN plans of the projections (the recurrent layers'
    // are in layers[l].rnn), and the inference workspace the recurrent
    // layers share (they run in turn).
    nn::Linear::State input_proj_plans;
    std::vector<nn::Linear::State> proj_plans;
    nn::ByteBuffer rnn_workspace;
  };

  // x [T, N, input_dim] tnc, lengths[n] <= T -> y [T', N, OutputDim()], out_lengths.
  // With training = true, ctx keeps what Backward needs and dropout (if any) draws
  // from dropout_rng (required then). Const: one encoder serves many threads,
  // each with its own context.
  void Forward(const nn::Tensor& x, const Lengths& lengths, nn::Tensor* y, Lengths* out_lengths,
               Context* ctx, bool training = false, Rng* dropout_rng = nullptr) const;
  // dy [T', N, OutputDim()] (padded frames ignored) -> dx [T, N, input_dim]
  // (may be null); adds every parameter's gradient.
  void Backward(const nn::Tensor& dy, Context* ctx, nn::Tensor* dx);

  // The compute type of the recurrent layers (f32 default, or bf16 with f32
  // master weights). Projections stay f32.
  void set_compute_type(nn::ComputeType type) { compute_type_ = type; }
  nn::ComputeType compute_type() const { return compute_type_; }

  std::vector<nn::Parameter*> Parameters();
  // Adds the config and every parameter's value to `model`.
  void Save(nn::ModelFile* model);
  // Reads every parameter by name from `model`, checking shapes (`source`
  // names the file in errors); marks them updated.
  void Load(const nn::ModelFile& model, const std::string& source);

  const EncoderConfig& config() const { return config_; }
  static Lengths OutputLengths(const EncoderConfig& config, const Lengths& lengths);
  // oneDNN plans built so far by all recurrent layers, and weight reorders.
  int64_t num_plans_created() const;
  int64_t num_weight_reorders() const;
  BiRnn& layer(int64_t l) { return *layers_[l].rnn; }

 private:
  struct Layer {
    std::unique_ptr<BiRnn> rnn;
    bool reduces = false;
    std::unique_ptr<nn::Linear> proj;  // null without projection
    bool tanh = false;
    bool dropout = false;
  };
  EncoderConfig config_;
  nn::ComputeType compute_type_ = nn::ComputeType::kF32;
  std::unique_ptr<nn::Linear> input_proj_;
  std::vector<Layer> layers_;
  TimeReduction reduction_;
  nn::Dropout dropout_;
};

}  // namespace attend::acoustic
