// `attend transcribe`: audio files, globs, stdin or a wav.scp (with a Kaldi
// segments file: stretches of its recordings) in; text, JSON, subtitles or CTM
// out; attention heatmaps or the attention explorer's HTML pages on request.
// Thin: it goes through the public API (attend::Recognizer) like any
// application would. Under an MPI launcher (`mpirun -np N attend transcribe
// --scp wav.scp`) the inputs are split across the ranks and rank 0 writes the
// one output, in input order, as one process would.
#include <glob.h>
#include <malloc.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <sstream>
#include <thread>

#include "attend/recognizer.h"
#include "base/atomic_file.h"
#include "base/error.h"
#include "base/text_table.h"
#include "frontend/audio_reader.h"
#include "tools/commands.h"
#include "tools/common/attention_heatmap.h"
#include "tools/common/bundled_model.h"
#include "tools/common/cli.h"
#include "tools/common/decode_flags.h"
#include "tools/common/explorer_index.h"
#include "tools/common/explorer_page.h"
#include "tools/common/progress_bar.h"
#include "tools/common/transcript_writers.h"
#include "training/distributed.h"

namespace attend::tools {
namespace {

struct Input {
  std::string key;     // uttid (scp, segments) or the path as given
  std::string source;  // path, "-" or "cmd |"
  // A stretch of the source, in seconds (segments); end -1: to its end.
  double start = -1, end = -1;
  std::string error;  // why this input cannot be decoded (reported in its turn)

  static Input Whole(const std::string& key, const std::string& source) {
    Input in;
    in.key = key;
    in.source = source;
    return in;
  }
};

// Paths as given; an argument with wildcards that names no file is a glob.
std::vector<Input> ListInputs(const std::vector<std::string>& args, const std::string& scp) {
  std::vector<Input> inputs;
  for (const std::string& a : args) {
    const bool wildcard = a.find_first_of("*?[") != std::string::npos;
    if (!wildcard || a == "-" || std::filesystem::exists(a)) {
      inputs.push_back(Input::Whole(a, a));
      continue;
    }
    glob_t g{};
    const int rc = glob(a.c_str(), 0, nullptr, &g);
    if (rc == 0)
      for (size_t i = 0; i < g.gl_pathc; ++i)
        inputs.push_back(Input::Whole(g.gl_pathv[i], g.gl_pathv[i]));
    globfree(&g);
    if (rc != 0) throw Error("no file matches '" + a + "'");
  }
  if (!scp.empty()) {
    for (const TableEntry& e : ReadTextTable(scp)) {
      if (e.value.empty())
        throw Error("line " + std::to_string(e.line) + " has a key but no audio (" + scp + ")");
      inputs.push_back(Input::Whole(e.key, e.value));
    }
  }
  return inputs;
}

// Kaldi segments lines `uttid recording start end` (seconds; end -1 = to the
// recording's end) over the recordings of `recordings` (a wav.scp's inputs).
std::vector<Input> ListSegments(const std::string& path, const std::vector<Input>& recordings) {
  std::map<std::string, std::string> sources;
  for (const Input& r : recordings) sources[r.key] = r.source;
  std::vector<Input> inputs;
  for (const TableEntry& e : ReadTextTable(path)) {
    Input in;
    in.key = e.key;
    std::istringstream fields(e.value);
    std::string recording, extra;
    if (!(fields >> recording >> in.start >> in.end) || fields >> extra)
      throw Error("line " + std::to_string(e.line) + ": expected `uttid recording start end` (" +
                  path + ")");
    const auto it = sources.find(recording);
    if (it == sources.end()) {
      in.error = "recording '" + recording + "' of segment '" + e.key + "' is not in the --scp";
    } else if (in.start < 0 || (in.end != -1 && in.end <= in.start)) {
      std::ostringstream why;
      why << "segment '" << e.key << "' runs from " << in.start << " s to " << in.end << " s (line "
          << e.line << " of " << path << ")";
      in.error = why.str();
    } else {
      in.source = it->second;
    }
    inputs.push_back(in);
  }
  return inputs;
}

// Reads the audio of an input: a stretch of a recording, or all of it (start
// < 0). The recording is read whole, once for the run of segments from it
// (Kaldi's extract-segments reads it whole too): about 230 MB per hour at 16 kHz.
class SegmentReader {
 public:
  Transcript Recognize(Recognizer* recognizer, const Input& in) {
    const std::span<const float> samples = Samples(in, recognizer->SampleRate());
    return recognizer->Recognize(samples.data(), static_cast<int64_t>(samples.size()),
                                 recognizer->SampleRate());
  }

  // The input's samples in [-1, 1] at `rate`; valid until the next call.
  std::span<const float> Samples(const Input& in, int rate) {
    if (in.source != source_) {
      source_.clear();
      frontend::AudioOptions opts;
      opts.target_rate_hz = static_cast<float>(rate);
      samples_ = frontend::ReadAudio(in.source, opts);
      for (float& x : samples_) x /= 32768.0f;  // int16 scale -> [-1, 1]
      source_ = in.source;
    }
    const auto size = static_cast<int64_t>(samples_.size());
    if (in.start < 0) return samples_;
    const int64_t begin = std::llround(in.start * rate);
    const int64_t end = in.end < 0 ? size : std::min<int64_t>(std::llround(in.end * rate), size);
    if (begin >= size) {
      std::ostringstream why;
      why << "segment '" << in.key << "' starts at " << in.start << " s, after the end of "
          << in.source << " (" << static_cast<double>(size) / rate << " s)";
      throw Error(why.str());
    }
    return std::span<const float>(samples_).subspan(begin, end - begin);
  }

 private:
  std::string source_;
  std::vector<float> samples_;
};

// A file name for an utterance key (paths flattened).
std::string Stem(const std::string& key) {
  std::string stem = key == "-" ? "stdin" : std::filesystem::path(key).filename().string();
  if (const size_t dot = stem.rfind('.'); dot != std::string::npos && dot > 0) stem.resize(dot);
  for (char& c : stem)
    if (c == '/' || c == ' ') c = '_';
  return stem;
}

struct Outcome {
  bool done = false;
  std::string output;                   // formatted result for stdout
  std::string error;                    // one-line message when the input failed
  std::optional<ExplorerSummary> page;  // --format html: what the index lists
};

// Sharded transcription: rank 0 receives every rank's outputs (rank r held
// inputs r, r + size, ...) and prints them in input order. Returns the number
// of failed inputs over all ranks.
int GatherShardedOutputs(training::Communicator* world, const std::vector<std::string>& mine,
                         int failed, size_t total_inputs) {
  double failures = failed;
  world->AllreduceSum(&failures, 1);
  const std::vector<std::string> packs = world->GatherToRoot(training::PackStrings(mine));
  if (world->is_root()) {
    std::vector<std::vector<std::string>> per_rank;
    for (const std::string& pack : packs) per_rank.push_back(training::UnpackStrings(pack));
    const size_t size = per_rank.size();
    for (size_t i = 0; i < total_inputs; ++i) {
      const std::vector<std::string>& outputs = per_rank[i % size];
      ATTEND_CHECK(i / size < outputs.size(), "rank ", i % size, " returned too few outputs");
      std::cout << outputs[i / size];
    }
    std::cout << std::flush;
  }
  return static_cast<int>(failures);
}

constexpr char kFormats[] = "text, json, srt, vtt, ctm, html";

// Decodes `in` and writes its explorer page into `dir`; `references` are by
// key, or by the key's file name without extension.
ExplorerSummary WriteExplorerPage(Recognizer* recognizer, SegmentReader* reader, const Input& in,
                                  const std::map<std::string, std::string>& references,
                                  const std::string& dir, const std::string& model) {
  const int rate = recognizer->SampleRate();
  const std::span<const float> samples = reader->Samples(in, rate);
  const Transcript t =
      recognizer->Recognize(samples.data(), static_cast<int64_t>(samples.size()), rate);
  auto ref = references.find(in.key);
  if (ref == references.end()) ref = references.find(Stem(in.key));
  ExplorerSummary summary;
  summary.page = Stem(in.key) + ".html";
  WriteFileAtomically(
      (std::filesystem::path(dir) / summary.page).string(),
      RenderExplorerPage(in.key, t, samples, rate, ref == references.end() ? nullptr : &ref->second,
                         model, &summary));
  return summary;
}

}  // namespace

int RunTranscribe(const Args& args) {
  // Long audio is decoded in segments of many lengths; with glibc's dynamic
  // mmap threshold their large freed buffers stay in the heap and fragment it
  // (peak RSS for 1 h: 345 MB; with a fixed 128 KiB threshold 257 MB, the
  // same transcript and speed). Training keeps the default: it reuses its
  // buffers, and fresh mmaps would cost page faults every step.
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
  const CommandSpec spec{
      "transcribe", "attend transcribe [options] [FILE|GLOB|-]... [--scp wav.scp [--segments F]]",
      "Transcribes audio (any format libsndfile reads, any rate, or a wav.scp pipe command) with "
      "an attend model. --format text prints `KEY transcript` lines (KEY: the uttid for --scp "
      "input, the path otherwise), scoreable with `attend score`. A file that fails is reported "
      "and skipped; the exit status is 1 if any failed. With --segments, the stretches of the "
      "--scp recordings that a Kaldi segments file lists are decoded, each keyed by its uttid, "
      "with times from its start. --format html writes the attention explorer: a "
      "self-contained page per input (audio, filterbank, attention, tokens and words; hover a "
      "token to see where it attended, click to hear it) and DIR/index.html; with --ref, "
      "word errors are marked and the index lists the worst first. Its pages embed the audio "
      "(about 45 kB per second): it is meant for utterances, not hours. Under mpirun (or srun) "
      "the inputs are split across the ranks and rank 0 prints every result in input order.",
      kDecodeConfPathOptions};
  std::vector<std::string> files;
  std::string scp, segments, model_path, format = "text", output_dir, png_dir, ref_path;
  int jobs = 1, batch = 1;
  bool quiet = false;
  DecodeOptions decode;
  po::options_description options("Options");
  options.add_options()("input", po::value(&files)->multitoken(),
                        "audio files, globs, or - for stdin")(
      "scp", po::value(&scp), "Kaldi wav.scp (`uttid path` or `uttid command |` lines)")(
      "segments", po::value(&segments),
      "Kaldi segments file (`uttid recording start end` lines, seconds; end -1 = to the end): "
      "decode these stretches of the --scp recordings")(
      "model", po::value(&model_path),
      "model file (default: $ATTEND_MODEL, else the bundled models/default.attend)")(
      "format", po::value(&format)->default_value(format),
      "text | json | srt | vtt | ctm | html (the attention explorer; needs --output-dir)")(
      "output-dir", po::value(&output_dir), "write one file per input here instead of stdout")(
      "ref", po::value(&ref_path),
      "--format html: Kaldi text file of reference transcripts (`uttid text`; the uttid is the "
      "input's key or its file name without extension), to mark word errors")(
      "attention-png", po::value(&png_dir), "write each utterance's attention heatmap (PNG) here")(
      "jobs", po::value(&jobs)->default_value(jobs),
      "recordings decoded at once, on as many threads (one model shared by all)")(
      "batch", po::value(&batch)->default_value(batch),
      "with --jobs > 1: utterances of different recordings encoded together (GEMMs; less CPU, "
      "more memory: see README); 1: each alone. Not with --segments or --format html")(
      "confidence-features", po::bool_switch(&decode.keep_confidence_features),
      "--format json: each word's confidence features (the calibration's inputs, "
      "decoder/word_confidence.h)")("quiet", po::bool_switch(&quiet), "no progress bar");
  po::options_description decode_flags(
      "Decoding (defaults: the model's MODEL.decode.conf, if any)");
  RegisterDecodeFlags(&decode, &decode_flags);
  options.add(decode_flags);
  po::positional_options_description positional;
  positional.add("input", -1);
  po::variables_map vm;
  if (!ParseCommandLine(spec, args, options, positional, &vm)) return 0;
  const bool html = format == "html";
  if (!html && !IsKnownFormat(format))
    throw UsageError("unknown --format '" + format + "' (" + kFormats + ")");
  if (html && output_dir.empty())
    throw UsageError("--format html needs --output-dir (a page per input and index.html)");
  if (!ref_path.empty() && !html) throw UsageError("--ref needs --format html");
  if (html && !png_dir.empty())
    throw UsageError(
        "--attention-png does not go with --format html (its pages draw the attention)");
  if (decode.keep_confidence_features && format != "json")
    throw UsageError("--confidence-features needs --format json");
  if (jobs < 1) throw UsageError("--jobs must be at least 1, got " + std::to_string(jobs));
  if (batch < 1) throw UsageError("--batch must be at least 1, got " + std::to_string(batch));
  decode.keep_attention = html || !png_dir.empty();
  decode.keep_head_attention = html;  // the explorer's head switch
  // Only JSON and the explorer show per-token times, and heatmaps label their
  // rows with the tokens. A transcript holds every segment until it is
  // written, and tokens were most of its memory (5 MB per hour of audio).
  decode.keep_tokens = format == "json" || html || !png_dir.empty();
  std::map<std::string, std::string> references;
  if (!ref_path.empty())
    for (TableEntry& e : ReadTextTable(ref_path)) references[e.key] = std::move(e.value);

  if (!segments.empty() && (scp.empty() || !files.empty()))
    throw UsageError("--segments needs --scp (its recordings) and no other input");
  std::vector<Input> inputs = ListInputs(files, scp);
  if (!segments.empty()) {
    inputs = ListSegments(segments, inputs);
    if (inputs.empty()) throw UsageError("no segments listed (" + segments + ")");
  }
  if (inputs.empty()) throw UsageError("no input: give audio files, '-' or --scp (see --help)");
  if ((format == "srt" || format == "vtt") && inputs.size() > 1 && output_dir.empty())
    throw UsageError("--format " + format + " with several inputs needs --output-dir");
  // Under an MPI launcher each rank decodes every size-th input; rank 0
  // gathers the outputs and writes them in input order.
  training::Communicator& world = training::World();
  const size_t total_inputs = inputs.size();
  if (world.size() > 1) {
    if (html) throw UsageError("--format html is not sharded across MPI ranks: run one process");
    for (const Input& in : inputs)
      if (in.source == "-") throw UsageError("stdin ('-') is not sharded across MPI ranks");
    std::vector<Input> mine;
    for (int64_t i :
         training::ShardIndices(static_cast<int64_t>(inputs.size()), world.rank(), world.size()))
      mine.push_back(std::move(inputs[i]));
    inputs = std::move(mine);
    if (!world.is_root()) quiet = true;
  }
  for (const std::string& dir : {output_dir, png_dir})
    if (!dir.empty()) std::filesystem::create_directories(dir);

  // Load once up front so a bad model or option fails before any work; the
  // jobs share that model and its language models, each with its own state.
  std::vector<std::unique_ptr<Recognizer>> recognizers;
  if (model_path.empty()) model_path = BundledModelPath();
  const std::string model_defaults = ReadModelDecodeDefaults(model_path, decode_flags, &vm);
  if (!model_defaults.empty() && !quiet)
    std::cerr << "attend: decoding options from " << model_defaults
              << " (the command line and --config win)\n";
  recognizers.push_back(Recognizer::Load(model_path, decode));

  std::vector<Outcome> outcomes(inputs.size());
  std::mutex mutex;
  std::condition_variable ready;
  auto publish = [&](size_t i, Outcome o) {
    std::lock_guard<std::mutex> lock(mutex);
    o.done = true;
    outcomes[i] = std::move(o);
    ready.notify_all();
  };
  // A transcript as its --format (or its files) wants it.
  auto render = [&](const Input& in, const Transcript& t) {
    Outcome o;
    std::vector<std::string> pngs;
    if (!png_dir.empty()) {
      for (size_t s = 0; s < t.segments.size(); ++s) {
        if (t.segments[s].nbest.empty() || t.segments[s].nbest[0].attention_rows == 0) continue;
        std::string name =
            Stem(in.key) + (t.segments.size() > 1 ? "." + std::to_string(s) : "") + ".png";
        std::string path = (std::filesystem::path(png_dir) / name).string();
        DrawAttentionHeatmap(t.segments[s].nbest[0], t.segments[s].start, t.seconds_per_frame,
                             in.key)
            .Save(path);
        pngs.push_back(path);
      }
    }
    std::ostringstream text;
    WriteTranscript(format, in.key, t, pngs, text);
    if (output_dir.empty()) {
      o.output = text.str();
    } else {
      WriteFileAtomically(
          (std::filesystem::path(output_dir) / (Stem(in.key) + "." + FormatExtension(format)))
              .string(),
          text.str());
    }
    return o;
  };
  std::atomic<size_t> next{0};
  auto work = [&](Recognizer* recognizer) {
    SegmentReader segment_reader;
    for (size_t i; (i = next++) < inputs.size();) {
      Outcome o;
      try {
        const Input& in = inputs[i];
        if (!in.error.empty()) throw Error(in.error);
        if (html) {
          o.page = WriteExplorerPage(recognizer, &segment_reader, in, references, output_dir,
                                     Stem(model_path));
        } else {
          o = render(in, in.start < 0 ? recognizer->RecognizeFile(in.source)
                                      : segment_reader.Recognize(recognizer, in));
        }
      } catch (const std::exception& e) {
        o.error = e.what();
      }
      publish(i, std::move(o));
    }
  };
  // Whole recordings in groups, each decoded by all jobs with its utterances
  // encoded in batches.
  auto work_in_batches = [&](Recognizer* recognizer) {
    const size_t group = 4 * static_cast<size_t>(jobs * batch);
    for (size_t first = 0; first < inputs.size(); first += group) {
      const size_t last = std::min(inputs.size(), first + group);
      std::vector<std::string> sources;
      for (size_t i = first; i < last; ++i) sources.push_back(inputs[i].source);
      std::vector<Recognizer::FileResult> results;
      std::string failure;
      try {
        results = recognizer->RecognizeFiles(sources, jobs, batch);
      } catch (const std::exception& e) {
        failure = e.what();
      }
      for (size_t i = first; i < last; ++i) {
        Outcome o;
        try {
          if (!failure.empty()) throw Error(failure);
          if (!results[i - first].error.empty()) throw Error(results[i - first].error);
          o = render(inputs[i], results[i - first].transcript);
        } catch (const std::exception& e) {
          o.error = e.what();
        }
        publish(i, std::move(o));
      }
    }
  };
  const bool batched = jobs > 1 && batch > 1 && !html && segments.empty();
  if (!batched)
    for (int j = 1; j < jobs && static_cast<size_t>(j) < inputs.size(); ++j)
      recognizers.push_back(recognizers[0]->Clone());
  std::vector<std::thread> workers;
  for (size_t j = 1; j < recognizers.size(); ++j)
    workers.emplace_back([&, j] { work(recognizers[j].get()); });
  std::thread first([&] {
    if (batched)
      work_in_batches(recognizers[0].get());
    else
      work(recognizers[0].get());
  });

  // Results go out in input order as they complete (sharded: to rank 0 at the end).
  ProgressBar progress(static_cast<int64_t>(inputs.size()), !quiet && inputs.size() > 3);
  std::vector<std::string> shard_outputs;
  int failed = 0;
  std::vector<ExplorerSummary> pages;  // --format html
  for (size_t i = 0; i < inputs.size(); ++i) {
    std::unique_lock<std::mutex> lock(mutex);
    ready.wait(lock, [&] { return outcomes[i].done; });
    Outcome o = std::move(outcomes[i]);
    lock.unlock();
    if (!o.error.empty()) {
      ++failed;
      std::cerr << (progress.active() ? "\n" : "") << "attend: error: " << o.error << "\n";
    }
    if (world.size() > 1) {
      shard_outputs.push_back(std::move(o.output));
    } else {
      std::cout << o.output << std::flush;
    }
    if (o.page) pages.push_back(std::move(*o.page));
    progress.Advance(inputs[i].key);
  }
  first.join();
  for (auto& w : workers) w.join();
  if (html)
    WriteFileAtomically((std::filesystem::path(output_dir) / "index.html").string(),
                        RenderExplorerIndex(std::move(pages)));
  if (world.size() > 1) failed = GatherShardedOutputs(&world, shard_outputs, failed, total_inputs);
  if (failed > 0 && world.is_root())
    std::cerr << "attend: " << failed << " of " << total_inputs << " inputs failed\n";
  // Rank 0 alone reports the job's status: a non-zero exit of another rank
  // would make mpirun end rank 0 before it has written the output.
  return failed > 0 && world.is_root() ? kExitFailure : 0;
}

}  // namespace attend::tools
