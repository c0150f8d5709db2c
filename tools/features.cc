// `attend features [options] <rspecifier> <wspecifier>`: filterbank features
// like Kaldi's compute-fbank-feats. Input: scp:wav.scp (paths, `-`, or pipe
// commands `cmd |`), or plain audio paths; output: a Kaldi archive (ark:,
// ark,t:, ark,scp:). A bad item in a list is reported and skipped, the rest is
// processed, and the exit status is 1 if anything failed.
#include <filesystem>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "base/error.h"
#include "base/text_table.h"
#include "frontend/cmvn.h"
#include "frontend/feature_extractor.h"
#include "frontend/kaldi_archive.h"
#include "tools/commands.h"
#include "tools/common/cli.h"

namespace attend::tools {

namespace {

// (key, audio source) pairs from a wav.scp rspecifier or plain paths.
std::vector<std::pair<std::string, std::string>> ListInputs(
    const std::vector<std::string>& inputs) {
  std::vector<std::pair<std::string, std::string>> items;
  for (const std::string& input : inputs) {
    if (frontend::IsTableSpecifier(input)) {
      const frontend::TableSpecifier spec = frontend::ParseTableSpecifier(input, false);
      if (spec.kind != frontend::TableSpecifier::Kind::kScript) {
        throw UsageError("audio input must be scp:wav.scp or audio file paths, not an archive (" +
                         input + ")");
      }
      for (const TableEntry& e : ReadTextTable(spec.scp_path)) {
        if (e.value.empty())
          Fail("wav.scp entry '", e.key, "' has no audio (", spec.scp_path, ":", e.line, ")");
        items.emplace_back(e.key, e.value);
      }
    } else {
      const std::string key = input == "-" ? "stdin" : std::filesystem::path(input).stem().string();
      items.emplace_back(key, input);
    }
  }
  return items;
}

}  // namespace

int RunFeatures(const Args& args) {
  const CommandSpec spec{
      "features", "attend features [options] <rspecifier> <wspecifier>",
      "Computes log-mel filterbank features, compatible with Kaldi's compute-fbank-feats and "
      "torchaudio.compliance.kaldi.fbank (same option names and defaults, except 80 mel bins and "
      "no dither). <rspecifier>: scp:wav.scp (lines `key path`, `key -` or `key command |`) or "
      "audio files (then the key is the file name without extension). <wspecifier>: ark:f.ark, "
      "ark,t:f.txt, ark,scp:f.ark,f.scp, ark:- (stdout). Audio at any rate is resampled to "
      "--sample-frequency; multi-channel audio is mixed down unless --channel is given. "
      "Example: attend features scp:data/wav.scp ark,scp:feats.ark,feats.scp"};
  frontend::FbankOptions fbank;
  frontend::AudioOptions audio;
  frontend::CmvnOptions cmvn;
  std::string cmvn_stats, output;
  std::vector<std::string> inputs;
  bool per_utterance_cmvn = false;
  float speed = 1.0f;
  po::options_description fbank_options("Filterbank options (Kaldi names)");
  fbank.Register(&fbank_options);
  po::options_description audio_options("Audio input options");
  audio.Register(&audio_options);
  audio_options.add_options()("speed", po::value(&speed)->default_value(speed),
                              "speed perturbation: play the audio this many times faster "
                              "(e.g. 0.9, 1.1) before computing features");
  po::options_description cmvn_options("Normalization options");
  cmvn_options.add_options()(
      "cmvn-stats", po::value(&cmvn_stats),
      "apply global CMVN with these stats (from `attend compute-cmvn`, or Kaldi's)")(
      "per-utterance-cmvn", po::bool_switch(&per_utterance_cmvn),
      "normalize each utterance by its own mean (and variance with --norm-vars)");
  cmvn.Register(&cmvn_options);
  po::options_description hidden;
  hidden.add_options()("inputs", po::value(&inputs)->composing(), "input");
  po::options_description options;
  options.add(fbank_options).add(audio_options).add(cmvn_options).add(hidden);
  po::positional_options_description positional;
  positional.add("inputs", -1);
  po::variables_map vm;
  if (!ParseCommandLine(spec, args, options, positional, &vm)) return 0;
  if (inputs.size() < 2)
    throw UsageError("expected <rspecifier> <wspecifier> (see 'attend features --help')");
  output = inputs.back();
  inputs.pop_back();
  if (!frontend::IsTableSpecifier(output)) {
    throw UsageError("the output must be a Kaldi wspecifier such as ark:feats.ark, got '" + output +
                     "'");
  }
  if (!cmvn_stats.empty() && per_utterance_cmvn) {
    throw UsageError("--cmvn-stats and --per-utterance-cmvn exclude each other");
  }

  frontend::FeatureExtractor extractor(fbank, audio);
  std::unique_ptr<frontend::Cmvn> global_cmvn;
  if (!cmvn_stats.empty()) {
    global_cmvn = std::make_unique<frontend::Cmvn>(frontend::CmvnStats::Read(cmvn_stats), cmvn);
  }
  const auto items = ListInputs(inputs);
  frontend::MatrixArchiveWriter writer(output);
  int64_t failed = 0, frames = 0;
  for (const auto& [key, source] : items) {
    try {
      frontend::Matrix feats = extractor.Compute(source, speed);
      if (global_cmvn) global_cmvn->Apply(&feats);
      if (per_utterance_cmvn) frontend::ApplyPerUtteranceCmvn(cmvn, &feats);
      writer.Write(key, feats);
      frames += feats.rows();
    } catch (const Error& e) {
      if (items.size() == 1) throw;
      std::cerr << "attend: error: " << key << ": " << e.what() << "; skipped\n";
      ++failed;
    }
  }
  writer.Close();
  if (items.size() > 1 || failed > 0) {
    std::cerr << "attend features: " << items.size() - failed << " of " << items.size()
              << " utterances done, " << frames << " frames" << (failed ? ", " : "")
              << (failed ? std::to_string(failed) + " failed" : "") << "\n";
  }
  return failed > 0 ? kExitFailure : 0;
}

}  // namespace attend::tools
