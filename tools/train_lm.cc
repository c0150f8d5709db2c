// `attend train-lm`: a character n-gram LM (interpolated Witten-Bell, ARPA)
// from a text file, for shallow fusion in `attend transcribe --lm`, or with
// --words a word n-gram LM for `attend transcribe --word-lm`.
#include <fstream>
#include <iostream>
#include <sstream>

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
      "model's vocabulary; the space between words is the token <space>. With --words the "
      "units are words (for --word-lm), and --vocab adds dictionary words to its lexicon."};
  std::string text_path, out_path, vocab_path;
  int order = 6;
  bool has_keys = false, words = false;
  decoder::TextNormalizerOptions normalizer_options;
  po::options_description options("Options");
  options.add_options()("text", po::value(&text_path)->required(), "training text ('-' for stdin)")(
      "out", po::value(&out_path)->required(), "output ARPA file")(
      "order", po::value(&order)->default_value(order), "n-gram order (1-16)")(
      "text-has-keys", po::bool_switch(&has_keys),
      "TEXT is a Kaldi `text` file: drop the first field of each line")(
      "words", po::bool_switch(&words), "a word LM: the units are the words between spaces")(
      "vocab", po::value(&vocab_path),
      "with --words: a word list (one or more per line) whose words join the unigrams, so the "
      "lexicon holds words the text never used");
  normalizer_options.Register(&options);
  po::positional_options_description positional;
  positional.add("text", 1).add("out", 1);
  po::variables_map vm;
  if (!ParseCommandLine(spec, args, options, positional, &vm)) return 0;
  normalizer_options.Validate();
  if (!vocab_path.empty() && !words) throw Error("--vocab needs --words (" + vocab_path + ")");

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
  // Normalized text as LM units: its words, or its characters and <space>.
  auto units = [&](const std::string& line, bool as_words) {
    std::vector<std::string> out;
    const std::string text = normalizer.Normalize(line);
    if (as_words) {
      std::istringstream split(text);
      for (std::string word; split >> word;) out.push_back(word);
    } else {
      for (int32_t cp : decoder::DecodeUtf8(text))
        out.push_back(cp == ' ' ? "<space>" : decoder::EncodeUtf8(cp));
    }
    return out;
  };
  std::vector<std::vector<std::string>> sentences;
  for (const std::string& line : lines) {
    std::vector<std::string> sentence = units(line, words);
    if (!sentence.empty()) sentences.push_back(std::move(sentence));
  }
  if (sentences.empty()) throw Error("no sentences in the training text (" + text_path + ")");
  std::vector<std::string> extra_words;
  if (!vocab_path.empty()) {
    std::ifstream vocab(vocab_path);
    if (!vocab) throw Error("cannot open word list (" + vocab_path + ")");
    for (std::string line; std::getline(vocab, line);)
      for (std::string& word : units(line, true)) extra_words.push_back(std::move(word));
  }
  WriteFileAtomically(out_path, decoder::TrainWittenBellArpa(sentences, order, extra_words));
  std::cerr << "attend train-lm: " << sentences.size() << " sentences";
  if (!vocab_path.empty()) std::cerr << ", " << extra_words.size() << " words listed";
  std::cerr << ", " << (words ? "word" : "character") << " order " << order << " -> " << out_path
            << "\n";
  return 0;
}

}  // namespace attend::tools
