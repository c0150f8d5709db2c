// `attend score --ref text --hyp hyp`: WER and CER like Kaldi's compute-wer.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>
#include <set>

#include "base/error.h"
#include "base/text_table.h"
#include "decoder/error_rate.h"
#include "tools/commands.h"
#include "tools/common/cli.h"

namespace attend::tools {
namespace {

void PrintRate(const char* name, const decoder::ErrorCounts& c) {
  std::printf("%%%s %.2f [ %lld / %lld, %lld ins, %lld del, %lld sub ]\n", name, c.Rate(),
              static_cast<long long>(c.errors()), static_cast<long long>(c.reference),
              static_cast<long long>(c.insertions), static_cast<long long>(c.deletions),
              static_cast<long long>(c.substitutions));
}

// Kaldi's per-utterance detail lines (wer_per_utt_details.pl style).
void PrintDetails(const std::string& key, const std::vector<decoder::AlignedPair>& alignment,
                  const decoder::ErrorCounts& c) {
  std::string ref, hyp, op;
  for (const auto& p : alignment) {
    // Columns as wide as the longer word (at least "***", Kaldi's empty mark).
    const size_t width = std::max({p.ref.size(), p.hyp.size(), size_t{3}});
    auto pad = [&](const std::string& s) {
      std::string shown = s.empty() ? "***" : s;
      return shown + std::string(width - shown.size() + 1, ' ');
    };
    ref += pad(p.ref);
    hyp += pad(p.hyp);
    op += pad(std::string(1, p.op));
  }
  std::printf("%s ref  %s\n%s hyp  %s\n%s op   %s\n%s #csid %lld %lld %lld %lld\n", key.c_str(),
              ref.c_str(), key.c_str(), hyp.c_str(), key.c_str(), op.c_str(), key.c_str(),
              static_cast<long long>(c.correct), static_cast<long long>(c.substitutions),
              static_cast<long long>(c.deletions), static_cast<long long>(c.insertions));
}

}  // namespace

int RunScore(const Args& args) {
  const CommandSpec spec{
      "score", "attend score [options] --ref REF --hyp HYP",
      "Word and character error rates of HYP against REF, both Kaldi `text` files (`uttid "
      "transcript` lines). An utterance missing from HYP counts as an empty hypothesis; one "
      "missing from REF is an error. CER ignores whitespace."};
  std::string ref_path, hyp_path;
  bool details = false;
  po::options_description options("Options");
  options.add_options()("ref", po::value(&ref_path)->required(), "reference text file")(
      "hyp", po::value(&hyp_path)->required(), "hypothesis text file ('-' for stdin)")(
      "details", po::bool_switch(&details), "print each utterance's word alignment");
  po::positional_options_description positional;
  po::variables_map vm;
  if (!ParseCommandLine(spec, args, options, positional, &vm)) return 0;

  auto refs = ReadTextTable(ref_path);
  std::map<std::string, std::string> hyps;
  for (auto& e : ReadTextTable(hyp_path)) hyps.emplace(e.key, e.value);
  std::set<std::string> ref_keys;
  for (const auto& r : refs) ref_keys.insert(r.key);
  for (const auto& [key, text] : hyps)
    if (!ref_keys.count(key))
      throw Error("utterance '" + key + "' is not in the reference (" + ref_path + ")");
  decoder::ErrorCounts words, chars;
  int64_t sentence_errors = 0, missing = 0;
  for (const auto& r : refs) {
    auto it = hyps.find(r.key);
    if (it == hyps.end()) ++missing;
    const std::string hyp = it == hyps.end() ? "" : it->second;
    std::vector<decoder::AlignedPair> alignment;
    decoder::ErrorCounts w = decoder::Align(decoder::SplitWords(r.value), decoder::SplitWords(hyp),
                                            details ? &alignment : nullptr);
    chars +=
        decoder::Align(decoder::SplitCharacters(r.value), decoder::SplitCharacters(hyp), nullptr);
    words += w;
    if (w.errors() > 0) ++sentence_errors;
    if (details) PrintDetails(r.key, alignment, w);
  }
  PrintRate("WER", words);
  PrintRate("CER", chars);
  std::printf("%%SER %.2f [ %lld / %zu ]\n",
              refs.empty() ? 0.0 : 100.0 * static_cast<double>(sentence_errors) / refs.size(),
              static_cast<long long>(sentence_errors), refs.size());
  std::printf("Scored %zu sentences, %lld not present in hyp.\n", refs.size(),
              static_cast<long long>(missing));
  return 0;
}

}  // namespace attend::tools
