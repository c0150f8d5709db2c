// `attend score --ref text --hyp hyp`: WER and CER like Kaldi's compute-wer,
// and with --groups a breakdown by speaker (or any grouping), as sclite's
// per-speaker report.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/text_table.h"
#include "decoder/error_rate.h"
#include "tools/commands.h"
#include "tools/common/cli.h"
#include "tools/common/ctm.h"

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

// Error counts of the utterances of one group.
struct GroupCounts {
  int64_t utterances = 0;
  decoder::ErrorCounts words, chars;
};

// One line per group, in the groups' sorted order.
void PrintGroups(const std::string& groups_path, const std::map<std::string, GroupCounts>& groups) {
  size_t width = 5;  // "group"
  for (const auto& [name, c] : groups) width = std::max(width, name.size());
  std::printf("\nBy group (%s):\n%-*s %6s %7s %7s %7s\n", groups_path.c_str(),
              static_cast<int>(width), "group", "utts", "words", "%WER", "%CER");
  for (const auto& [name, c] : groups) {
    std::printf("%-*s %6lld %7lld %7.2f %7.2f\n", static_cast<int>(width), name.c_str(),
                static_cast<long long>(c.utterances), static_cast<long long>(c.words.reference),
                c.words.Rate(), c.chars.Rate());
  }
}

std::string JoinWords(const std::vector<std::string>& words) {
  std::string text;
  for (const std::string& w : words) text += (text.empty() ? "" : " ") + w;
  return text;
}

// Each hypothesis word's confidence and whether the alignment matched it
// (nothing when the CTM has no confidences).
void CollectConfidences(const CtmUtterance& u, const std::vector<decoder::AlignedPair>& alignment,
                        std::vector<float>* confidences, std::vector<bool>* correct) {
  if (u.confidences.empty()) return;
  size_t j = 0;
  for (const decoder::AlignedPair& p : alignment) {
    if (p.op == 'D') continue;
    confidences->push_back(u.confidences[j++]);
    correct->push_back(p.op == 'C');
  }
}

}  // namespace

int RunScore(const Args& args) {
  const CommandSpec spec{
      "score", "attend score [options] --ref REF --hyp HYP",
      "Word and character error rates of HYP against REF, both Kaldi `text` files (`uttid "
      "transcript` lines). An utterance missing from HYP counts as an empty hypothesis; one "
      "missing from REF is an error. CER ignores whitespace. A HYP named *.ctm is read as NIST "
      "CTM (`attend transcribe --format ctm`, keyed by uttid), and the normalized cross entropy "
      "of its word confidences (NCE, as sclite reports it) is printed too."};
  std::string ref_path, hyp_path, groups_path;
  bool details = false;
  po::options_description options("Options");
  options.add_options()("ref", po::value(&ref_path)->required(), "reference text file")(
      "hyp", po::value(&hyp_path)->required(),
      "hypothesis text file ('-' for stdin), or a CTM file (*.ctm)")(
      "details", po::bool_switch(&details), "print each utterance's word alignment")(
      "groups", po::value(&groups_path),
      "also print WER and CER per group; FILE has `uttid group` lines, such as a data "
      "directory's utt2spk, and names every reference utterance's group");
  po::positional_options_description positional;
  po::variables_map vm;
  if (!ParseCommandLine(spec, args, options, positional, &vm)) return 0;

  auto refs = ReadTextTable(ref_path);
  std::map<std::string, std::string> hyps;
  // A CTM hypothesis: its words, and its confidences for the NCE.
  const bool ctm = hyp_path.size() > 4 && hyp_path.substr(hyp_path.size() - 4) == ".ctm";
  std::map<std::string, CtmUtterance> ctm_utts;
  if (ctm) {
    ctm_utts = ReadCtm(hyp_path);
    for (const auto& [key, u] : ctm_utts) hyps.emplace(key, JoinWords(u.words));
  } else {
    for (auto& e : ReadTextTable(hyp_path)) hyps.emplace(e.key, e.value);
  }
  std::vector<float> confidences;
  std::vector<bool> correct;
  std::set<std::string> ref_keys;
  for (const auto& r : refs) ref_keys.insert(r.key);
  for (const auto& [key, text] : hyps)
    if (!ref_keys.count(key))
      throw Error("utterance '" + key + "' is not in the reference (" + ref_path + ")");
  std::map<std::string, std::string> utt2group;
  if (!groups_path.empty()) {
    for (auto& e : ReadTextTable(groups_path)) utt2group.emplace(e.key, e.value);
    for (const auto& r : refs)
      if (!utt2group.count(r.key))
        throw Error("utterance '" + r.key + "' has no group (" + groups_path + ")");
  }
  std::map<std::string, GroupCounts> groups;
  decoder::ErrorCounts words, chars;
  int64_t sentence_errors = 0, missing = 0;
  for (const auto& r : refs) {
    auto it = hyps.find(r.key);
    if (it == hyps.end()) ++missing;
    const std::string hyp = it == hyps.end() ? "" : it->second;
    std::vector<decoder::AlignedPair> alignment;
    decoder::ErrorCounts w = decoder::Align(decoder::SplitWords(r.value), decoder::SplitWords(hyp),
                                            details || ctm ? &alignment : nullptr);
    if (ctm && it != hyps.end())
      CollectConfidences(ctm_utts.at(r.key), alignment, &confidences, &correct);
    const decoder::ErrorCounts c =
        decoder::Align(decoder::SplitCharacters(r.value), decoder::SplitCharacters(hyp), nullptr);
    chars += c;
    words += w;
    if (!utt2group.empty()) {
      GroupCounts& g = groups[utt2group.at(r.key)];
      ++g.utterances;
      g.words += w;
      g.chars += c;
    }
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
  if (!confidences.empty()) {
    const int64_t right = std::count(correct.begin(), correct.end(), true);
    std::printf("NCE %.3f [ %lld of %zu hypothesis words right ]\n",
                NormalizedCrossEntropy(confidences, correct), static_cast<long long>(right),
                correct.size());
  }
  if (!groups_path.empty()) PrintGroups(groups_path, groups);
  return 0;
}

}  // namespace attend::tools
