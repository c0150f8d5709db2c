// One attention-decoder step for a beam of 8 over 250 encoder frames of dim
// 640, f32, one thread: AttentionDecoder::Step + Reorder (what beam search
// calls per output token), against the same step in PyTorch eager
// (bench/peers/torch_decoder_step.py) in the same run.
// Model: embedding 256, 1-layer LSTM 512 with input feeding, additive
// attention 512 (encoder projection once per utterance), output 256 tokens.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "base/random.h"
#include "bench/common/report.h"
#include "decoder/attention_decoder.h"
#include "nn/engine.h"

namespace {

constexpr int kBeam = 8, kFrames = 250, kEncDim = 640, kEmb = 256, kHidden = 512, kAtt = 512,
              kVocab = 256, kSteps = 50;

}  // namespace

int main() {
  using attend::nn::Tensor;
  attend::nn::SetNumThreads(1);
  attend::decoder::AttentionDecoderConfig config;
  config.embedding_dim = kEmb;
  config.hidden_dim = kHidden;
  config.attention.type = "additive";
  config.attention.attention_dim = kAtt;
  attend::decoder::AttentionDecoder decoder("decoder", config, kEncDim, kVocab, 2);
  attend::Rng rng(1, "bench");
  decoder.Init(&rng);
  Tensor encoder({kFrames, 1, kEncDim});  // [T, N, D] tnc
  for (int64_t i = 0; i < encoder.size(); ++i) encoder[i] = rng.Uniform(-1, 1);
  auto state = decoder.NewState();
  decoder.Start(encoder, {kFrames}, kBeam, state.get());
  std::vector<int> tokens(kBeam), origins(kBeam);
  for (int i = 0; i < kBeam; ++i) {
    tokens[i] = static_cast<int>(rng.UniformInt(3, kVocab - 1));
    origins[i] = (i * 5 + 3) % kBeam;
  }
  Tensor log_probs, attention;
  double ms = attend::bench::MedianMs(
                  [&] {
                    for (int s = 0; s < kSteps; ++s) {
                      decoder.Step(tokens, state.get(), &log_probs, &attention);
                      decoder.Reorder(origins, state.get());
                    }
                  },
                  7, 2) /
              kSteps;
  // FLOPs per step: LSTM gates, query projection, scores (add, tanh·w as 2),
  // context, output layer.
  const double flops = 2.0 * kBeam * (kEmb + kEncDim + kHidden) * 4 * kHidden +
                       2.0 * kBeam * kHidden * kAtt + 3.0 * kBeam * kFrames * kAtt +
                       2.0 * kBeam * kFrames * kEncDim + 2.0 * kBeam * (kHidden + kEncDim) * kVocab;
  const std::string shape = "beam 8, T'=250, D=640, emb 256, LSTM 512, additive att 512, V=256";
  attend::bench::Figure figure{"decoder.step.beam8", "ms", ms, "f32, 1 thread, " + shape, {}};
  std::string peer = attend::bench::RunPeer(
      "torch_decoder_step.py",
      "--beam 8 --frames 250 --enc-dim 640 --emb 256 --hidden 512 --att 512 --vocab 256 "
      "--steps 50 --repeats 7 --threads 1");
  if (!peer.empty()) {
    figure.peers.push_back({"torch 1.13 eager, 1 thread", std::atof(peer.c_str())});
  } else {
    std::printf("  (PyTorch peer unavailable: no ratio)\n");
  }
  attend::bench::Report(figure);
  attend::bench::Report(
      {"decoder.step.beam8.gflops", "GFLOP/s", flops / (ms * 1e6), "f32, 1 thread, " + shape, {}});
  return 0;
}
