// `attend train-lm`: a character n-gram LM (interpolated Witten-Bell, ARPA)
// from a text file, for shallow fusion in `attend transcribe --lm`.
#include <fstream>
#include <iostream>

#include "base/atomic_file.h"
#include "base/error.h"
#include "base/text_table.h"
#include "decoder/text_normalizer.h"
#include "decoder/vocabulary.h"
#include "decoder/witten_bell.h"
#include "tools/commands.h"
#include "tools/common/cli.h"

namespace attend::tools {

int RunTrainLm(const Args& args) {
  const CommandSpec spec{
      "train-lm", "attend train-lm [options] TEXT OUT.arpa",
      "Trains a character n-gram language model (interpolated Witten-Bell) on TEXT, one sentence "
      "per line, and writes it in ARPA format. The text goes through the same normalizer as the "
      "model's vocabulary; the space between words is the token <space>."};
  std::string text_path, out_path;
  int order = 6;
  bool has_keys = false;
  decoder::TextNormalizerOptions normalizer_options;
  po::options_description options("Options");
  options.add_options()("text", po::value(&text_path)->required(), "training text ('-' for stdin)")(
      "out", po::value(&out_path)->required(), "output ARPA file")(
      "order", po::value(&order)->default_value(order), "n-gram order (1-16)")(
      "text-has-keys", po::bool_switch(&has_keys),
      "TEXT is a Kaldi `text` file: drop the first field of each line");
  normalizer_options.Register(&options);
  po::positional_options_description positional;
  positional.add("text", 1).add("out", 1);
  po::variables_map vm;
  if (!ParseCommandLine(spec, args, options, positional, &vm)) return 0;
  normalizer_options.Validate();

  std::vector<std::string> lines;
  if (has_keys) {
    for (auto& e : ReadTextTable(text_path)) lines.push_back(e.value);
  } else {
    std::ifstream file;
    if (text_path != "-") {
      file.open(text_path);
      if (!file) throw Error("cannot open text file (" + text_path + ")");
    }
    std::istream& in = text_path == "-" ? std::cin : file;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
  }
  const decoder::TextNormalizer normalizer(normalizer_options);
  std::vector<std::vector<std::string>> sentences;
  for (const std::string& line : lines) {
    std::vector<std::string> tokens;
    for (int32_t cp : decoder::DecodeUtf8(normalizer.Normalize(line)))
      tokens.push_back(cp == ' ' ? "<space>" : decoder::EncodeUtf8(cp));
    if (!tokens.empty()) sentences.push_back(std::move(tokens));
  }
  if (sentences.empty()) throw Error("no sentences in the training text (" + text_path + ")");
  WriteFileAtomically(out_path, decoder::TrainWittenBellArpa(sentences, order));
  std::cerr << "attend train-lm: " << sentences.size() << " sentences, order " << order << " -> "
            << out_path << "\n";
  return 0;
}

}  // namespace attend::tools
