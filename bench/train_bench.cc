// Training throughput (issue 7): `attend train`'s optimizer step
// (training/train_step.h: encoder forward with dropout, joint CTC/attention
// loss with label smoothing, encoder backward, clipping, Adam) against the
// same model trained in PyTorch eager (bench/peers/torch_train.py) on the same
// batch, one thread, in the same run; in f32 and in bf16.
//
// Model: the recipe's default architecture, read from
// recipes/synth_en/conf/default.conf (or $ATTEND_BENCH_CONFIG): 80 mel bins,
// 3×256 BiLSTMP with 256-dim projections and 4× reduction, a 1×320 LSTM
// decoder with location-aware attention (dim 160), CTC weight 0.3, dropout
// 0.1; seeded random weights and a 31-token character vocabulary. Batch: 16
// utterances of 300–500 frames (sorted, as a length bucket is) of unit-normal
// features (CMVN'd features are about that), 40–60 random characters each,
// fixed seed. Both sides start from the same weights (the model file below)
// and run Adam (lr 1e-3), label smoothing 0.1, clipping at norm 5.
//
// Figures: ms per step (median of kSteps after kWarmup), input frames/s and
// target tokens/s, each with the peer's and the ratio (goals: ≥ 1.5× in f32,
// ≥ 2.5× in bf16); attend's split of a step (training/train_step.h phases,
// and the CTC and decoder parts of the heads measured alone), and the data
// loader's work for a batch of this shape (features of 16 utterances from
// audio + SpecAugment; the loader thread overlaps it with the step). The
// losses of the first two steps of both sides are printed: same weights and
// batch, so they agree up to dropout masks (and bf16 rounding), the second
// one showing that the gradients and the Adam update agree too.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/random.h"
#include "bench/common/report.h"
#include "decoder/ctc_loss.h"
#include "decoder/label_smoothing_loss.h"
#include "frontend/fbank.h"
#include "frontend/spec_augment.h"
#include "model/asr_model.h"
#include "nn/engine.h"
#include "training/train_step.h"

namespace {

namespace fs = std::filesystem;
using attend::Rng;
using attend::bench::Figure;
using attend::nn::ComputeType;
using attend::training::Batch;

constexpr int64_t kUtterances = 16;
constexpr int64_t kMinFrames = 300, kMaxFrames = 500;
constexpr int64_t kMinChars = 40, kMaxChars = 60;
constexpr int kWarmup = 1, kSteps = 5;
constexpr float kLearningRate = 1e-3f;
constexpr float kLabelSmoothing = 0.1f;
constexpr double kClipNorm = 5.0;
constexpr const char* kChars = "abcdefghijklmnopqrstuvwxyz' ";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", digits, v);
  return buf;
}

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  double one = 0;
  in >> one;
  return Fixed(one, 1);
}

attend::model::AsrModelConfig BenchConfig() {
  const char* env = std::getenv("ATTEND_BENCH_CONFIG");
  const std::string path = env != nullptr ? env : ATTEND_TRAIN_CONF;
  const std::string text = ReadFile(path);
  if (text.empty()) {
    std::printf("  (no %s: using the default model config)\n", path.c_str());
    return {};
  }
  std::printf("# model config: %s\n", path.c_str());
  return attend::model::AsrModelConfig::FromString(text, path);  // training keys ignored
}

// The benchmark batch: lengths descending (a length bucket), unit-normal
// features zero-padded [T, N, C] tnc, random character targets.
Batch MakeBatch(int64_t dim, int vocab_size) {
  Rng rng(7, "train-bench-batch");
  Batch b;
  for (int64_t n = 0; n < kUtterances; ++n) {
    b.lengths.push_back(rng.UniformInt(kMinFrames, kMaxFrames));
    std::vector<int> y(rng.UniformInt(kMinChars, kMaxChars));
    for (int& token : y) token = static_cast<int>(rng.UniformInt(3, vocab_size - 1));
    b.targets.push_back(y);
    b.keys.push_back("utt" + std::to_string(n));
  }
  std::sort(b.lengths.rbegin(), b.lengths.rend());
  const int64_t T = b.lengths[0];
  b.features.Resize({T, kUtterances, dim});
  b.features.SetZero();
  for (int64_t n = 0; n < kUtterances; ++n)
    for (int64_t t = 0; t < b.lengths[n]; ++t)
      for (int64_t c = 0; c < dim; ++c)
        b.features[(t * kUtterances + n) * dim + c] = rng.Normal(0, 1);
  return b;
}

// The model plus the batch ("batch.*" tensors) for the peer.
void SaveForPeer(const attend::model::AsrModel& model, const Batch& b, const std::string& path) {
  attend::nn::ModelFile file = model.ToModelFile();
  file.tensors["batch.features"] = b.features;
  attend::nn::Tensor lengths({kUtterances});
  int64_t max_u = 0;
  for (const auto& y : b.targets) max_u = std::max<int64_t>(max_u, y.size());
  attend::nn::Tensor targets({kUtterances, max_u});
  targets.Fill(-1.0f);
  for (int64_t n = 0; n < kUtterances; ++n) {
    lengths[n] = static_cast<float>(b.lengths[n]);
    for (size_t u = 0; u < b.targets[n].size(); ++u)
      targets[n * max_u + static_cast<int64_t>(u)] = static_cast<float>(b.targets[n][u]);
  }
  file.tensors["batch.lengths"] = lengths;
  file.tensors["batch.targets"] = targets;
  file.Save(path);
}

struct AttendRun {
  double median_ms = 0;
  std::vector<double> losses;
  attend::training::StepTimes times;  // summed over the timed steps
  double ctc_ms = 0, decoder_ms = 0;  // the heads' parts measured alone
};

// kWarmup + kSteps trainer steps from the weights in `path`.
AttendRun RunAttend(const std::string& path, const Batch& batch, ComputeType type) {
  auto model = attend::model::AsrModel::Load(path);
  model->set_compute_type(type);
  attend::decoder::JointLossOptions loss;
  loss.ctc_weight = model->config().ctc_weight;
  loss.label_smoothing = kLabelSmoothing;
  attend::training::TrainStep step(model.get(), loss, attend::training::OptimizerOptions{},
                                   kClipNorm);
  Rng dropout(1, "dropout"), sampling(1, "scheduled sampling");
  AttendRun run;
  std::vector<double> times;
  for (int i = 0; i < kWarmup + kSteps; ++i) {
    if (i == kWarmup) step.ResetTimes();
    const double start = attend::bench::NowMs();
    const attend::training::GradientResult r = step.ComputeGradients(batch, &dropout, &sampling);
    step.Update(kLearningRate);
    if (i >= kWarmup) times.push_back(attend::bench::NowMs() - start);
    run.losses.push_back(r.loss.total);
  }
  std::sort(times.begin(), times.end());
  run.median_ms = times[times.size() / 2];
  run.times = step.times();

  // The heads alone on this batch's encoder output: CTC (head, loss,
  // backward) and the decoder (teacher-forced forward, label-smoothed CE,
  // backward), with the joint loss's weights.
  attend::acoustic::Encoder::Context ctx;
  attend::nn::Tensor h, lp, dlogits, dh;
  std::vector<int64_t> lengths;
  model->encoder().Forward(batch.features, batch.lengths, &h, &lengths, &ctx, true, &dropout);
  const double lambda = loss.ctc_weight;
  std::vector<double> losses;
  std::vector<double> ctc_weights(kUtterances, lambda / kUtterances);
  run.ctc_ms = attend::bench::MedianMs(
      [&] {
        model->ctc().Forward(h, &lp);
        attend::decoder::CtcLoss(lp, lengths, batch.targets, loss.ctc, &ctc_weights, &losses,
                                 &dlogits);
        model->ctc().Backward(h, dlogits, &dh);
      },
      kSteps, 1);
  std::vector<std::vector<int>> outputs = batch.targets;
  for (auto& y : outputs) y.push_back(model->decoder().eos_id());
  std::vector<double> att_weights(kUtterances, (1 - lambda) / kUtterances);
  attend::decoder::DecoderTrainContext dctx;
  run.decoder_ms = attend::bench::MedianMs(
      [&] {
        model->decoder().Forward(h, lengths, batch.targets, &sampling, &dctx, &lp);
        attend::decoder::LabelSmoothedCrossEntropy(lp, outputs, kLabelSmoothing, &att_weights,
                                                   &losses, &dlogits);
        model->decoder().Backward(&dctx, dlogits, &dh);
      },
      kSteps, 1);
  return run;
}

// The loader's work for a batch of this shape: 16 utterances' features from
// audio (white noise of the same lengths) and SpecAugment as conf/default.conf sets it.
double DataMs(const attend::model::AsrModelConfig& config, const Batch& batch) {
  attend::frontend::Fbank fbank(config.fbank);
  Rng rng(3, "train-bench-audio");
  std::vector<std::vector<float>> waves;
  for (int64_t frames : batch.lengths) {
    std::vector<float> w(frames * 160 + 240);
    for (float& x : w) x = rng.Normal(0, 1000);
    waves.push_back(std::move(w));
  }
  attend::frontend::SpecAugmentOptions spec;
  spec.max_freq_width = 15;
  spec.max_time_width = 30;
  return attend::bench::MedianMs(
      [&] {
        for (const auto& w : waves) {
          attend::frontend::Matrix m = fbank.Compute(w);
          attend::frontend::SpecAugment(spec, &rng, &m);
        }
      },
      kSteps, 1);
}

nlohmann::json RunPeer(const std::string& model, const std::string& dtype, const std::string& mode,
                       const std::string& encoder) {
  const std::string out = attend::bench::RunPeer(
      "torch_train.py", "'" + model + "' --dtype " + dtype + " --bf16-mode " + mode +
                            " --encoder " + encoder + " --steps " + std::to_string(kSteps) +
                            " --warmup " + std::to_string(kWarmup) +
                            " --threads 1 --lr 0.001 --clip-norm 5" + " --label-smoothing 0.1");
  if (out.empty()) return {};
  try {
    return nlohmann::json::parse(out);
  } catch (const nlohmann::json::exception&) {
    return {};
  }
}

}  // namespace

int main() {
  attend::nn::SetNumThreads(1);
  const attend::model::AsrModelConfig config = BenchConfig();
  const auto vocab = attend::decoder::Vocabulary::FromTexts({kChars});
  attend::model::AsrModel model(config, vocab);
  Rng init(2024, "train-bench-model");
  model.Init(&init);
  const Batch batch = MakeBatch(config.encoder.input_dim, vocab.size());
  const fs::path dir = fs::read_symlink("/proc/self/exe").parent_path();
  const std::string path = (dir / "train_bench.attend").string();
  SaveForPeer(model, batch, path);
  const int64_t frames = batch.num_frames(), tokens = batch.num_tokens();
  const std::string shape = "batch 16 x " + std::to_string(kMinFrames) + "-" +
                            std::to_string(kMaxFrames) + " frames (" + std::to_string(frames) +
                            ") x " + std::to_string(tokens) + " chars";
  std::printf(
      "# train step: 3x256 BiLSTMP + 1x320 location-attention decoder, CTC 0.3, LS 0.1, "
      "Adam, clip 5; %s; 1 thread; load average %s\n",
      shape.c_str(), LoadAverage().c_str());

  // The peer's configurations: f32; bf16 under autocast (f32 weights, as
  // attend) and as bf16 modules (pure bf16), whichever is faster counts. The
  // encoder LSTMs run over the padded batch (the peer's fastest way); with
  // $ATTEND_BENCH_TRAIN_PACKED set, also on packed sequences as ESPnet does.
  struct PeerConfig {
    std::string mode, encoder;
  };
  struct Case {
    std::string dtype;
    ComputeType type;
    std::vector<PeerConfig> peers;
    double goal;  // issue 7's target ratio against the fastest peer
  };
  const bool packed = std::getenv("ATTEND_BENCH_TRAIN_PACKED") != nullptr;
  std::vector<PeerConfig> f32_peers = {{"autocast", "padded"}};
  if (packed) f32_peers.push_back({"autocast", "packed"});
  const Case cases[] = {
      {"f32", ComputeType::kF32, f32_peers, 1.5},
      {"bf16", ComputeType::kBf16, {{"autocast", "padded"}, {"modules", "padded"}}, 2.5}};
  for (const Case& k : cases) {
    const AttendRun run = RunAttend(path, batch, k.type);
    const std::string config_text = k.dtype + ", 1 thread, " + shape;
    Figure ms{"train.step." + k.dtype + ".ms", "ms", run.median_ms, config_text, {}};
    Figure fps{"train.step." + k.dtype + ".frames_per_s",
               "frames/s",
               frames * 1000.0 / run.median_ms,
               config_text,
               {}};
    Figure tps{"train.step." + k.dtype + ".tokens_per_s",
               "tokens/s",
               tokens * 1000.0 / run.median_ms,
               config_text,
               {}};
    std::string peer_losses;
    double fastest_peer_ms = 0;
    for (const PeerConfig& pc : k.peers) {
      const nlohmann::json peer = RunPeer(path, k.dtype, pc.mode, pc.encoder);
      if (peer.empty()) {
        std::printf("  (PyTorch peer unavailable: no ratio)\n");
        continue;
      }
      const double peer_ms = peer["median_ms"].get<double>();
      if (pc.encoder == "padded" && (fastest_peer_ms == 0 || peer_ms < fastest_peer_ms))
        fastest_peer_ms = peer_ms;
      const std::string mode = k.dtype == "f32" ? pc.encoder : pc.mode;
      const std::string name = (k.dtype == "f32" ? std::string("torch 1.13 eager + OpenBLAS")
                                                 : "torch 1.13 eager bf16 " + pc.mode) +
                               (pc.encoder == "packed" ? ", packed LSTM" : "") + ", 1 thread";
      ms.peers.push_back({name, peer_ms});
      fps.peers.push_back({name, frames * 1000.0 / peer_ms});
      tps.peers.push_back({name, tokens * 1000.0 / peer_ms});
      const auto& s = peer["split_ms"];
      peer_losses += " | torch " + mode + " " + Fixed(peer["losses"][0].get<double>(), 4) + ", " +
                     Fixed(peer["losses"][1].get<double>(), 4) + " (split ms: encoder fwd " +
                     Fixed(s["encoder_forward"].get<double>(), 0) + ", heads fwd " +
                     Fixed(s["heads_forward"].get<double>(), 0) + ", backward " +
                     Fixed(s["backward"].get<double>(), 0) + ", clip+Adam " +
                     Fixed(s["clip_optimizer"].get<double>(), 0) + ")";
    }
    attend::bench::Report(ms);
    attend::bench::Report(fps);
    attend::bench::Report(tps);
    std::printf("  losses of steps 1, 2: attend %s, %s%s\n", Fixed(run.losses[0], 4).c_str(),
                Fixed(run.losses[1], 4).c_str(), peer_losses.c_str());
    if (fastest_peer_ms > 0)
      std::printf("  %s: attend is %.2fx the fastest PyTorch configuration (goal %.1fx)\n",
                  k.dtype.c_str(), fastest_peer_ms / run.median_ms, k.goal);
    // attend's split: the trainer's phases (mean per timed step) and the
    // heads' two parts measured alone.
    const attend::training::StepTimes& t = run.times;
    const double n = static_cast<double>(std::max<int64_t>(1, t.steps));
    const std::pair<const char*, double> parts[] = {{"encoder_forward", t.encoder_forward},
                                                    {"heads_fwd_bwd", t.heads},
                                                    {"encoder_backward", t.encoder_backward},
                                                    {"zero_grad_clip", t.clip},
                                                    {"optimizer", t.optimizer}};
    for (const auto& [part, seconds] : parts)
      attend::bench::Report({"train.split." + k.dtype + "." + part,
                             "ms",
                             seconds * 1000.0 / n,
                             Fixed(100.0 * seconds / t.total(), 1) + "% of the step",
                             {}});
    attend::bench::Report({"train.split." + k.dtype + ".heads.ctc",
                           "ms",
                           run.ctc_ms,
                           "CTC head + loss + backward, measured alone",
                           {}});
    attend::bench::Report({"train.split." + k.dtype + ".heads.decoder",
                           "ms",
                           run.decoder_ms,
                           "decoder teacher-forced fwd + label-smoothed CE + bwd, alone",
                           {}});
  }
  attend::bench::Report({"train.data.ms",
                         "ms",
                         DataMs(config, batch),
                         "loader thread per batch: fbank of 16 utterances + SpecAugment "
                         "(overlaps the step)",
                         {}});
  return 0;
}
