// A pure seq2seq sanity task: a tiny attention decoder over a trivial encoder
// (the encoder states are embeddings of the input tokens plus learned
// position embeddings, so content-based attention can tell repeats apart) learns to copy or
// reverse short random sequences, with the joint loss's attention part and
// Adam. Token accuracy is measured on fresh sequences by greedy decoding
// through the StepDecoder interface.
#include <gtest/gtest.h>

#include "decoder/attention_decoder.h"
#include "decoder/joint_loss.h"
#include "nn/adam.h"
#include "nn/embedding.h"
#include "nn/grad_clip.h"

namespace attend::decoder {
namespace {

using nn::Tensor;

constexpr int kVocab = 3 + 6;  // specials + 6 symbols
constexpr int kSos = 2;
constexpr int64_t kDim = 24;

struct Batch {
  Tensor encoder;  // [T, N, D]
  std::vector<int64_t> lengths;
  std::vector<std::vector<int>> inputs, targets;
};

Batch MakeBatch(int64_t n, bool reverse, nn::Embedding& encoder, nn::Embedding& positions,
                Rng* rng) {
  Batch b;
  int64_t max_len = 0;
  for (int64_t i = 0; i < n; ++i) {
    std::vector<int> x(rng->UniformInt(3, 6));
    for (int& t : x) t = static_cast<int>(rng->UniformInt(3, kVocab - 1));
    b.inputs.push_back(x);
    b.targets.push_back(reverse ? std::vector<int>(x.rbegin(), x.rend()) : x);
    b.lengths.push_back(static_cast<int64_t>(x.size()));
    max_len = std::max<int64_t>(max_len, x.size());
  }
  b.encoder.Resize({max_len, n, kDim});
  b.encoder.SetZero();
  Tensor row, pos;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t t = 0; t < b.lengths[i]; ++t) {
      encoder.Forward({b.inputs[i][t]}, &row);
      positions.Forward({static_cast<int>(t)}, &pos);
      for (int64_t d = 0; d < kDim; ++d) b.encoder[(t * n + i) * kDim + d] = row[d] + pos[d];
    }
  return b;
}

double Train(const std::string& type, bool reverse) {
  Rng rng(41, type);
  AttentionDecoderConfig config;
  config.embedding_dim = 16;
  config.hidden_dim = type == "dot" ? kDim : 32;
  config.attention.type = type;
  config.attention.attention_dim = 24;
  config.attention.location_filters = 4;
  config.attention.location_kernel = 5;
  AttentionDecoder decoder("dec", config, kDim, kVocab, kSos);
  nn::Embedding encoder("enc", kVocab, kDim), positions("pos", 8, kDim);
  decoder.Init(&rng);
  encoder.Init(&rng);
  positions.Init(&rng);
  std::vector<nn::Parameter*> params = decoder.Parameters();
  params.push_back(&encoder.weight());
  params.push_back(&positions.weight());
  nn::AdamOptions adam_options;
  adam_options.learning_rate = 0.01f;
  nn::Adam adam(params, adam_options);
  JointLossOptions loss_options;
  loss_options.ctc_weight = 0.0f;
  loss_options.label_smoothing = 0.0f;
  loss_options.normalize = "token";
  JointLoss loss(loss_options);
  Tensor denc;
  for (int step = 0; step < 150; ++step) {
    Batch b = MakeBatch(16, reverse, encoder, positions, &rng);
    nn::ZeroGrad(params);
    loss.ForwardBackward(nullptr, &decoder, b.encoder, b.lengths, b.targets, nullptr, &denc);
    // The trivial encoder's backward: scatter dL/dH into its embedding rows.
    for (size_t i = 0; i < b.inputs.size(); ++i)
      for (int64_t t = 0; t < b.lengths[i]; ++t) {
        Tensor g({1, kDim});
        std::copy(denc.data() + (t * 16 + i) * kDim, denc.data() + (t * 16 + i + 1) * kDim,
                  g.data());
        encoder.Backward({b.inputs[i][t]}, g);
        positions.Backward({static_cast<int>(t)}, g);
      }
    nn::ClipGradNorm(params, 5.0);
    adam.Step();
  }
  // Greedy decoding of fresh sequences, one row per utterance.
  Batch b = MakeBatch(64, reverse, encoder, positions, &rng);
  auto state = decoder.NewState();
  decoder.Start(b.encoder, b.lengths, 1, state.get());
  std::vector<int> tokens(64, kSos);
  Tensor log_probs;
  int64_t correct = 0, total = 0;
  for (int step = 0; step <= 6; ++step) {
    decoder.Step(tokens, state.get(), &log_probs, nullptr);
    for (int i = 0; i < 64; ++i) {
      const float* p = log_probs.data() + i * kVocab;
      tokens[i] = static_cast<int>(std::max_element(p, p + kVocab) - p);
      const auto& y = b.targets[i];
      if (step <= static_cast<int>(y.size())) {
        correct += tokens[i] == (step < static_cast<int>(y.size()) ? y[step] : kSos);
        ++total;
      }
    }
  }
  return static_cast<double>(correct) / total;
}

void ExpectLearnsCopyAndReverse(const std::string& type) {
  EXPECT_GT(Train(type, false), 0.99) << type << " copy";
  EXPECT_GT(Train(type, true), 0.99) << type << " reverse";
}

TEST(Learning, AdditiveAttentionCopiesAndReverses) { ExpectLearnsCopyAndReverse("additive"); }
TEST(Learning, LocationAttentionCopiesAndReverses) { ExpectLearnsCopyAndReverse("location"); }
TEST(Learning, DotAttentionCopiesAndReverses) { ExpectLearnsCopyAndReverse("dot"); }
TEST(Learning, GeneralAttentionCopiesAndReverses) { ExpectLearnsCopyAndReverse("general"); }

}  // namespace
}  // namespace attend::decoder
