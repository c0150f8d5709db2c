// `attend compute-cmvn [options] <rspecifier> <stats-wxfilename>`: global CMVN
// statistics over a set of utterances, in Kaldi's format (a 2 x (dim+1)
// double matrix, as compute-cmvn-stats writes), for `attend features
// --cmvn-stats` and for training to store in the model. Input: feature
// archives (ark:/scp:), or audio (scp:wav.scp or files) with --audio, whose
// features are computed on the fly with the filterbank options.
#include <iostream>
#include <string>

#include "base/error.h"
#include "base/text_table.h"
#include "frontend/cmvn.h"
#include "frontend/feature_extractor.h"
#include "frontend/kaldi_archive.h"
#include "tools/commands.h"
#include "tools/common/cli.h"

namespace attend::tools {

int RunComputeCmvn(const Args& args) {
  const CommandSpec spec{
      "compute-cmvn", "attend compute-cmvn [options] <rspecifier> <stats-file>",
      "Accumulates global mean/variance statistics of features, written in Kaldi's CMVN stats "
      "format (binary unless --binary=false). <rspecifier>: features (ark:feats.ark, "
      "scp:feats.scp), or audio with --audio (scp:wav.scp or audio files; features computed "
      "with the filterbank options below). Example: attend compute-cmvn scp:feats.scp cmvn.ark"};
  frontend::FbankOptions fbank;
  frontend::AudioOptions audio;
  std::string input, output;
  bool binary = true, from_audio = false;
  po::options_description options("Options");
  options.add_options()("binary", po::value(&binary)->default_value(binary),
                        "write the stats in Kaldi's binary format")(
      "audio", po::bool_switch(&from_audio), "the input is audio, not features");
  po::options_description fbank_options("Filterbank options (with --audio)");
  fbank.Register(&fbank_options);
  audio.Register(&fbank_options);
  po::options_description hidden;
  hidden.add_options()("input", po::value(&input)->required(), "input")(
      "output", po::value(&output)->required(), "output");
  po::options_description all;
  all.add(options).add(fbank_options).add(hidden);
  po::positional_options_description positional;
  positional.add("input", 1).add("output", 1);
  po::variables_map vm;
  if (!ParseCommandLine(spec, args, all, positional, &vm)) return 0;

  frontend::CmvnStats stats;
  int64_t utterances = 0, failed = 0;
  if (from_audio) {
    frontend::FeatureExtractor extractor(fbank, audio);
    std::vector<std::pair<std::string, std::string>> items;
    if (frontend::IsTableSpecifier(input)) {
      const auto table = frontend::ParseTableSpecifier(input, false);
      if (table.kind != frontend::TableSpecifier::Kind::kScript) {
        throw UsageError("with --audio the input is scp:wav.scp or an audio file (" + input + ")");
      }
      for (const TableEntry& e : ReadTextTable(table.scp_path)) items.emplace_back(e.key, e.value);
    } else {
      items.emplace_back(input, input);
    }
    for (const auto& [key, source] : items) {
      try {
        stats.Accumulate(extractor.Compute(source));
        ++utterances;
      } catch (const Error& e) {
        if (items.size() == 1) throw;
        std::cerr << "attend: error: " << key << ": " << e.what() << "; skipped\n";
        ++failed;
      }
    }
  } else {
    if (!frontend::IsTableSpecifier(input)) {
      throw UsageError(
          "the input must be a feature rspecifier (ark:... or scp:...), or use "
          "--audio (" +
          input + ")");
    }
    for (frontend::MatrixArchiveReader reader(input); !reader.Done(); reader.Next()) {
      stats.Accumulate(reader.Value());
      ++utterances;
    }
  }
  ATTEND_CHECK(stats.Count() > 0, "no frames in the input (", input, ")");
  stats.Write(output, binary);
  std::cerr << "attend compute-cmvn: " << utterances << " utterances, " << stats.Count()
            << " frames, dimension " << stats.Dim()
            << (failed ? ", " + std::to_string(failed) + " failed" : "") << "\n";
  return failed > 0 ? kExitFailure : 0;
}

}  // namespace attend::tools
