// Transcription speed (issue 6): attend's whole pipeline on ~25 s of speech,
// one thread, beam 8, CTC weight 0.3, feature extraction included, against
// the same model and the same beam search in PyTorch eager
// (bench/peers/torch_transcribe.py) in the same run, plus the peak memory of
// an `attend transcribe` process and where attend's time goes.
//
// Model: $ATTEND_BENCH_MODEL when set (the bundled models/default.attend);
// otherwise the default AsrModelConfig (or the config file $ATTEND_BENCH_CONFIG,
// e.g. recipes/synth_en/conf/default.conf) with seeded random weights, a 30-token
// character vocabulary and CMVN from the benchmark audio, saved beside the
// executable. A random model does not find <eos> on its own, so both sides cap
// the output at --max-len-ratio 0.7 tokens per encoder frame and decode to that
// length: the text has 387 characters over 568 encoder frames of espeak-ng's
// speech (0.68 per frame, 17 characters/s), so the search does the work a
// trained character model would. A real model decodes with the default limit.
// Audio: espeak-ng speech (a fixed text, resampled to 16 kHz, kept under the
// 30 s segment limit so it is one segment), or a chirp + noise without espeak-ng.
//
// Figures: transcribe.speed (x realtime) and transcribe.rtf with the PyTorch
// peer's, transcribe.process (whole `attend transcribe` process, model load
// included), transcribe.peak_rss (MB, getrusage of that child), and a
// per-stage split of attend's time (features, CMVN, encoder, CTC head, beam
// search: decoder steps vs CTC prefix scoring and bookkeeping). The peer's
// best hypothesis is compared with attend's and both are printed.
#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "attend/recognizer.h"
#include "base/random.h"
#include "bench/common/child_process.h"
#include "bench/common/report.h"
#include "bench/common/wav_writer.h"
#include "decoder/beam_search.h"
#include "frontend/audio_reader.h"
#include "frontend/fbank.h"
#include "model/asr_model.h"
#include "nn/engine.h"

namespace {

namespace fs = std::filesystem;
using attend::bench::Figure;
using attend::bench::NowMs;

constexpr int kBeam = 8;
constexpr float kCtcWeight = 0.3f;
constexpr float kRandomMaxLenRatio = 0.7f;  // see the top comment
constexpr int kRepeats = 5;
constexpr double kMaxSeconds = 29.0;  // one segment (--max-segment 30 below)

// About 25 s of espeak-ng speech at its default rate.
constexpr const char* kText =
    "The quick brown fox jumps over the lazy dog. A speech recognizer turns sound into "
    "letters, one frame at a time. It listens to the whole sentence first, then it spells "
    "out what it heard, and the attention weights show where each letter came from. "
    "Beam search keeps eight guesses alive and the connectionist temporal classification "
    "branch keeps them honest, so that no word is dropped or repeated.";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

fs::path ExecutableDir() { return fs::read_symlink("/proc/self/exe").parent_path(); }

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  double one = 0;
  in >> one;
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f", one);
  return buf;
}

std::string Fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", digits, v);
  return buf;
}

// The benchmark audio at 16 kHz: espeak-ng speech, else a chirp with noise.
// Returns a description for the config strings.
std::string MakeAudio(const fs::path& dir, const std::string& wav) {
  const std::string text_path = (dir / "transcribe_text.txt").string();
  const std::string raw_wav = (dir / "transcribe_espeak.wav").string();
  std::ofstream(text_path) << kText << "\n";
  const std::string cmd =
      "espeak-ng -v en-us -w '" + raw_wav + "' -f '" + text_path + "' >/dev/null 2>&1";
  std::vector<float> samples;
  std::string what;
  if (std::system(cmd.c_str()) == 0) {
    attend::frontend::AudioOptions opts;  // 16 kHz, int16 scale, resampled with libsoxr
    samples = attend::frontend::AudioReader(raw_wav, opts).ReadAll();
    what = "espeak-ng en-us speech";
  } else {
    std::printf("  (espeak-ng unavailable: using a chirp with noise instead of speech)\n");
    attend::Rng rng(7, "transcribe-bench-audio");
    samples.resize(25 * 16000);
    for (size_t i = 0; i < samples.size(); ++i) {
      const double t = static_cast<double>(i) / 16000.0;
      samples[i] = static_cast<float>(6000 * std::sin(2 * M_PI * (200 + 50 * std::sin(t)) * t) +
                                      rng.Normal(0, 800));
    }
    what = "chirp + noise (no espeak-ng)";
  }
  if (samples.size() > static_cast<size_t>(kMaxSeconds * 16000))
    samples.resize(kMaxSeconds * 16000);
  attend::bench::WriteWav16k(wav, samples);
  return what;
}

// Resident and peak memory of this process (MB) from /proc/self/status.
std::string MemoryMb() {
  std::ifstream in("/proc/self/status");
  std::string line, out;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0 || line.rfind("VmHWM:", 0) == 0)
      out += line.substr(0, 6) + " " + Fixed(std::atof(line.c_str() + 6) / 1024.0, 0) + " MB ";
  return out;
}

// A random model: the default AsrModelConfig, or the config file
// $ATTEND_BENCH_CONFIG (e.g. recipes/synth_en/conf/default.conf, the bundled
// model's shape; training keys are ignored), seeded weights, CMVN from `wav`.
void MakeRandomModel(const std::string& wav, const std::string& path, const char* config_path) {
  attend::model::AsrModelConfig config;
  if (config_path != nullptr)
    config = attend::model::AsrModelConfig::FromString(ReadFile(config_path), config_path);
  const auto vocab = attend::decoder::Vocabulary::FromTexts({"abcdefghijklmnopqrstuvwxyz' "});
  attend::model::AsrModel model(config, vocab);
  attend::Rng rng(2024, "transcribe-bench-model");
  model.Init(&rng);
  attend::frontend::Fbank fbank(config.fbank);
  const auto samples = attend::frontend::AudioReader(wav, {}).ReadAll();
  attend::frontend::CmvnStats stats;
  stats.Accumulate(fbank.Compute(samples));
  model.SetCmvn(stats);
  model.Save(path);
}

// Forwards to the real decoder and times its calls.
class TimedDecoder : public attend::decoder::StepDecoder {
 public:
  explicit TimedDecoder(const attend::decoder::StepDecoder* inner) : inner_(inner) {}
  int vocab_size() const override { return inner_->vocab_size(); }
  int sos_id() const override { return inner_->sos_id(); }
  int eos_id() const override { return inner_->eos_id(); }
  std::unique_ptr<attend::decoder::DecoderState> NewState() const override {
    return inner_->NewState();
  }
  void Start(const attend::nn::Tensor& encoder_out, const std::vector<int64_t>& lengths, int rows,
             attend::decoder::DecoderState* state) const override {
    const double t = NowMs();
    inner_->Start(encoder_out, lengths, rows, state);
    start_ms += NowMs() - t;
  }
  void Step(const std::vector<int>& tokens, attend::decoder::DecoderState* state,
            attend::nn::Tensor* log_probs, attend::nn::Tensor* attention) const override {
    const double t = NowMs();
    inner_->Step(tokens, state, log_probs, attention);
    step_ms += NowMs() - t;
    ++steps;
  }
  void Reorder(const std::vector<int>& origins,
               attend::decoder::DecoderState* state) const override {
    const double t = NowMs();
    inner_->Reorder(origins, state);
    step_ms += NowMs() - t;
  }
  // Timings so far (the benchmark's counters, hence mutable).
  mutable double start_ms = 0, step_ms = 0;
  mutable int steps = 0;

 private:
  const attend::decoder::StepDecoder* inner_;
};

struct Split {
  double features = 0, cmvn = 0, encoder = 0, ctc = 0, search = 0, decoder_start = 0,
         decoder_steps = 0;
  int steps = 0;
  int64_t frames = 0, encoder_frames = 0;
  std::string encoder_shape;
};

// attend's pipeline stage by stage (what RecognizerImpl::DecodeSegment does,
// with the offline Fbank instead of the streaming one).
Split MeasureSplit(const std::string& model_path, const std::vector<float>& samples,
                   float max_len_ratio) {
  using attend::nn::Tensor;
  auto model = attend::model::AsrModel::Load(model_path);
  attend::frontend::Fbank fbank(model->config().fbank);
  attend::decoder::BeamSearchOptions opts;
  opts.beam = kBeam;
  opts.ctc_weight = kCtcWeight;
  opts.max_len_ratio = max_len_ratio;
  std::vector<Split> runs;
  attend::frontend::Matrix feats;
  Tensor input, encoded, ctc_log_probs;
  attend::acoustic::Encoder::Context ctx;
  // One search for all runs, as the Recognizer keeps one (it reuses its buffers).
  TimedDecoder decoder(&model->decoder());
  attend::decoder::BeamSearch search(opts, &decoder, nullptr, attend::decoder::Vocabulary::kBlank);
  for (int i = 0; i < 4; ++i) {  // the first is a warm-up
    Split s;
    double t = NowMs();
    fbank.Compute(samples, &feats);
    s.features = NowMs() - t;
    t = NowMs();
    if (model->cmvn() != nullptr) model->cmvn()->Apply(&feats);
    s.cmvn = NowMs() - t;
    t = NowMs();
    const int64_t T = feats.rows(), dim = feats.cols();
    input.Resize({T, 1, dim});
    std::copy_n(feats.data(), T * dim, input.data());
    std::vector<int64_t> out_lengths;
    model->encoder().Forward(input, {T}, &encoded, &out_lengths, &ctx);
    s.encoder = NowMs() - t;
    t = NowMs();
    model->ctc().Forward(encoded, &ctc_log_probs);
    s.ctc = NowMs() - t;
    decoder.start_ms = decoder.step_ms = 0;
    decoder.steps = 0;
    t = NowMs();
    search.Search(encoded, out_lengths, &ctc_log_probs);
    s.search = NowMs() - t;
    s.decoder_start = decoder.start_ms;
    s.decoder_steps = decoder.step_ms;
    s.steps = decoder.steps;
    s.frames = T;
    s.encoder_frames = out_lengths[0];
    const auto& e = model->config().encoder;
    s.encoder_shape = std::to_string(e.num_layers) + " x Bi" + e.cell + " " +
                      std::to_string(e.hidden_dim) +
                      (e.proj_dim > 0 ? " proj " + std::to_string(e.proj_dim) : "");
    if (i > 0) runs.push_back(s);
  }
  // The run with the median total.
  std::sort(runs.begin(), runs.end(), [](const Split& a, const Split& b) {
    return a.features + a.encoder + a.search < b.features + b.encoder + b.search;
  });
  return runs[runs.size() / 2];
}

}  // namespace

int main() {
  try {
    const fs::path dir = ExecutableDir();
    const std::string wav = (dir / "transcribe_speech.wav").string();
    const std::string audio_what = MakeAudio(dir, wav);
    std::string model_path, model_what;
    float max_len_ratio = 0;  // a trained model: the default limit (one per encoder frame)
    if (const char* m = std::getenv("ATTEND_BENCH_MODEL"); m != nullptr && *m != '\0') {
      model_path = m;
      model_what = "model " + fs::path(m).filename().string();
    } else {
      model_path = (dir / "transcribe_random.attend").string();
      const char* config = std::getenv("ATTEND_BENCH_CONFIG");
      if (config != nullptr && *config == '\0') config = nullptr;
      MakeRandomModel(wav, model_path, config);
      max_len_ratio = kRandomMaxLenRatio;
      model_what = std::string(config ? fs::path(config).filename().string() + " config"
                                      : "default AsrModelConfig") +
                   ", RANDOM weights (seeded, " + Fixed(fs::file_size(model_path) / 1048576.0, 1) +
                   " MB file): decodes to the max length, max-len-ratio " +
                   Fixed(kRandomMaxLenRatio, 2);
    }

    attend::DecodeOptions options;
    options.beam = kBeam;
    options.ctc_weight = kCtcWeight;
    options.max_len_ratio = max_len_ratio;
    options.threads = 1;
    options.endpoint.min_pause_seconds = 0;  // one segment, as the peer decodes it
    options.endpoint.max_utterance_seconds = 30;
    const std::string before_load = MemoryMb();
    auto recognizer = attend::Recognizer::Load(model_path, options);
    const std::string after_load = MemoryMb();
    attend::Transcript transcript;
    const double cold_start = NowMs();  // the first call also builds the oneDNN plans
    transcript = recognizer->RecognizeFile(wav);
    const double cold_ms = NowMs() - cold_start;
    const double ms =
        attend::bench::MedianMs([&] { transcript = recognizer->RecognizeFile(wav); }, kRepeats, 0);
    const double seconds = transcript.duration;
    const size_t tokens = transcript.segments.empty() || transcript.segments[0].nbest.empty()
                              ? 0
                              : transcript.segments[0].nbest[0].tokens.size();
    const std::string load = LoadAverage();
    const std::string setup = "f32, 1 thread, beam 8, ctc-weight 0.3, pre-beam 12, " +
                              Fixed(seconds, 1) + " s of " + audio_what + ", " + model_what + "; " +
                              std::to_string(tokens) + " tokens; load avg " + load;
    std::printf("# transcribe: %s\n", setup.c_str());
    std::printf("  attend  %.1f ms median of %d (%.4f RTF); the first call %.1f ms\n", ms, kRepeats,
                ms / 1000 / seconds, cold_ms);
    std::printf("  memory of this process: before load %s| after load %s| after decoding %s\n",
                before_load.c_str(), after_load.c_str(), MemoryMb().c_str());

    // The PyTorch peer, same model, file and search.
    char peer_args[512];
    std::snprintf(peer_args, sizeof(peer_args),
                  "'%s' '%s' --beam %d --ctc-weight %g --max-len-ratio %g --repeats 3 "
                  "--warmup 1 --threads 1",
                  model_path.c_str(), wav.c_str(), kBeam, kCtcWeight, max_len_ratio);
    const std::string peer_out = attend::bench::RunPeer("torch_transcribe.py", peer_args);
    double peer_ms = 0;
    std::string peer_text;
    nlohmann::json peer;
    if (!peer_out.empty()) {
      peer = nlohmann::json::parse(peer_out, nullptr, false);
      if (!peer.is_discarded()) {
        peer_ms = peer["median_ms"].get<double>();
        peer_text = peer["text"].get<std::string>();
        const auto& split = peer["split_ms"];
        std::printf(
            "  torch   %.1f ms median of 3 (%.4f RTF): features %.1f, encoder+CTC %.1f, "
            "search %.1f ms, %d steps\n",
            peer_ms, peer_ms / 1000 / seconds, split["features"].get<double>(),
            split["encoder_ctc"].get<double>(), split["search"].get<double>(),
            peer["steps"].get<int>());
      }
    }
    if (peer_ms <= 0) std::printf("  (PyTorch peer unavailable: no ratio)\n");

    std::printf("  attend transcript: \"%s\"\n", transcript.text.c_str());
    if (peer_ms > 0) {
      std::printf("  torch  transcript: \"%s\"\n", peer_text.c_str());
      std::printf("  best hypotheses %s\n",
                  peer_text == transcript.text ? "MATCH" : "DIFFER (see both above)");
    }

    const std::string peer_name = "torch 1.13 eager + OpenBLAS, ESPnet-style batched beam search";
    Figure speed{"transcribe.speed",
                 "x realtime",
                 seconds * 1000 / ms,
                 setup + "; in process, incl. reading and features; median of 5",
                 {}};
    Figure rtf{"transcribe.rtf",
               "RTF",
               ms / 1000 / seconds,
               "seconds of compute per second of audio; " + setup,
               {}};
    if (peer_ms > 0) {
      speed.peers.push_back({peer_name, seconds * 1000 / peer_ms});
      rtf.peers.push_back({peer_name, peer_ms / 1000 / seconds});
    }
    attend::bench::Report(speed);
    attend::bench::Report(rtf);
    if (peer_ms > 0)
      attend::bench::Report({"transcribe.peer_agrees",
                             "bool",
                             peer_text == transcript.text ? 1.0 : 0.0,
                             "1 when the PyTorch peer's best hypothesis equals attend's",
                             {}});

    // Whole process and its peak memory, on a copy of the model without the
    // MODEL.decode.conf that may sit beside it: the options above, as in process.
    const std::string out_path = (dir / "transcribe_child.txt").string();
    const std::string child_model = (dir / "transcribe_child.attend").string();
    fs::copy_file(model_path, child_model, fs::copy_options::overwrite_existing);
    std::vector<double> times;
    long peak_kb = 0;
    bool ok = true;
    for (int i = 0; i < 3 && ok; ++i) {
      const attend::bench::ChildRun run = attend::bench::RunChild(
          {ATTEND_BINARY, "transcribe", "--model", child_model, "--beam", "8", "--ctc-weight",
           "0.3", "--max-len-ratio", Fixed(max_len_ratio, 2), "--threads", "1", "--min-pause", "0",
           "--max-segment", "30", "--quiet", wav},
          out_path);
      ok = run.ok;
      times.push_back(run.ms);
      peak_kb = std::max(peak_kb, run.peak_kb);
    }
    if (ok) {
      std::sort(times.begin(), times.end());
      const std::string child_text = ReadFile(out_path);
      const bool same = child_text.find(transcript.text) != std::string::npos;
      attend::bench::Report({"transcribe.process",
                             "x realtime",
                             seconds * 1000 / times[1],
                             "`attend transcribe --threads 1` whole process (model load incl.), "
                             "median of 3: " +
                                 Fixed(times[1], 0) + " ms" +
                                 (same ? "" : "; ITS TRANSCRIPT DIFFERS from in-process"),
                             {}});
      attend::bench::Report({"transcribe.peak_rss",
                             "MB",
                             peak_kb / 1024.0,
                             "peak RSS of `attend transcribe` on the " + Fixed(seconds, 1) +
                                 " s file (getrusage of the child); goal <= 200",
                             {}});
    } else {
      std::printf("transcribe_bench: `attend transcribe` failed (binary %s)\n", ATTEND_BINARY);
    }

    // Where attend's time goes.
    attend::frontend::AudioOptions audio;
    const Split s = MeasureSplit(model_path, attend::frontend::AudioReader(wav, audio).ReadAll(),
                                 max_len_ratio);
    const double total = s.features + s.cmvn + s.encoder + s.ctc + s.search;
    const double prefix = s.search - s.decoder_steps - s.decoder_start;
    auto row = [&](const std::string& name, double v, const std::string& what) {
      attend::bench::Report({"transcribe.split." + name,
                             "ms",
                             v,
                             Fixed(100 * v / total, 1) + "% of " + Fixed(total, 0) + " ms; " + what,
                             {}});
    };
    row("features", s.features, std::to_string(s.frames) + " frames, offline Fbank");
    row("cmvn", s.cmvn, "");
    row("encoder", s.encoder,
        s.encoder_shape + ", " + std::to_string(s.encoder_frames) + " frames out");
    row("ctc_head", s.ctc, "linear + log-softmax");
    row("search.decoder_start", s.decoder_start, "attention keys, once per utterance");
    row("search.decoder_steps", s.decoder_steps,
        std::to_string(s.steps) + " steps x beam 8 (Step + Reorder)");
    row("search.ctc_prefix_and_rest", prefix,
        "CTC prefix scoring of 12 candidates/hyp + pre-beam, top-k, bookkeeping");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "transcribe_bench: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
