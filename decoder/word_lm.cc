#include "decoder/word_lm.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "base/error.h"
#include "decoder/vocabulary.h"

namespace attend::decoder {
namespace {

constexpr double kLn10 = NgramLm::kLn10;
// What NgramLm gives a word it cannot produce, in natural log.
constexpr double kLnFloor = NgramLm::kLog10Floor * kLn10;

}  // namespace

WordLm::WordLm(NgramLm lm, const std::vector<std::string>& tokens, float oov_penalty)
    : lm_(std::move(lm)) {
  ATTEND_CHECK(oov_penalty > 0 && oov_penalty <= 1, "--oov-penalty must be in (0, 1], got ",
               oov_penalty);
  ln_oov_penalty_ = std::log(static_cast<double>(oov_penalty));
  std::unordered_map<std::string, int> token_ids;
  for (size_t id = 0; id < tokens.size(); ++id) token_ids.emplace(tokens[id], id);
  auto find = [&](const std::string& name) {
    auto it = token_ids.find(name);
    ATTEND_CHECK(it != token_ids.end(), "a word LM needs the model's token ", name);
    return it->second;
  };
  space_ = find("<space>");
  eos_ = find("<sos/eos>");

  // The lexicon: every word but <s>, </s> and <unk>, with its unigram
  // probability added to the mass of each node on its path.
  nodes_.emplace_back();
  std::vector<double> mass(1, 0.0);
  const std::vector<std::string> words = lm_.Words();
  std::vector<int> spelling;
  for (int32_t w = 0; w < static_cast<int32_t>(words.size()); ++w) {
    if (w == lm_.bos() || w == lm_.eos() || w == lm_.unk()) continue;
    const std::vector<int32_t> code_points = DecodeUtf8(words[w]);
    spelling.clear();
    for (int32_t cp : code_points) {
      auto it = token_ids.find(EncodeUtf8(cp));
      if (it == token_ids.end()) break;
      spelling.push_back(it->second);
    }
    if (spelling.size() != code_points.size()) {
      ++skipped_words_;
      continue;
    }
    const double p = std::pow(10.0, lm_.Log10(nullptr, 0, w));
    int node = kRoot;
    mass[kRoot] += p;
    for (int token : spelling) {
      int child = Child(node, token);
      if (child < 0) {
        child = static_cast<int>(nodes_.size());
        auto& siblings = nodes_[node].children;
        siblings.insert(std::lower_bound(siblings.begin(), siblings.end(), std::pair(token, 0)),
                        {token, child});
        nodes_.emplace_back();
        mass.push_back(0.0);
      }
      node = child;
      mass[node] += p;
    }
    nodes_[node].word = w;
    ++lexicon_size_;
  }
  ATTEND_CHECK(lexicon_size_ > 0 && mass[kRoot] > 0,
               "the word LM has no word the model's tokens can spell");
  for (size_t n = 0; n < nodes_.size(); ++n) nodes_[n].ln_mass = std::log(mass[n] / mass[kRoot]);
}

int WordLm::Child(int node, int token) const {
  const auto& children = nodes_[node].children;
  auto it = std::lower_bound(children.begin(), children.end(), std::pair(token, 0));
  return it != children.end() && it->first == token ? it->second : -1;
}

LmState WordLm::Start() const { return {kRoot, lm_.bos()}; }

double WordLm::LnProb(const LmState& state, int32_t word) const {
  return lm_.Log10(state.data() + 1, static_cast<int>(state.size()) - 1, word) * kLn10;
}

double WordLm::LeaveTree(const LmState& state) const {
  if (lm_.unk() < 0) return kLnFloor;  // a closed vocabulary
  return LnProb(state, lm_.unk()) + ln_oov_penalty_ - nodes_[state[0]].ln_mass;
}

double WordLm::EndWord(const LmState& state, int32_t* word) const {
  const int node = state[0];
  *word = lm_.unk();
  if (node == kOutOfVocabulary) return 0;  // paid when it left the tree
  if (nodes_[node].word < 0) return LeaveTree(state);
  *word = nodes_[node].word;
  return LnProb(state, *word) - nodes_[node].ln_mass;
}

LmState WordLm::AfterWord(const LmState& state, int32_t word) const {
  LmState next = {kRoot};
  next.insert(next.end(), state.begin() + 1, state.end());
  next.push_back(word);
  const size_t keep = static_cast<size_t>(lm_.order() - 1);
  if (next.size() - 1 > keep) next.erase(next.begin() + 1, next.end() - keep);
  return next;
}

float WordLm::Score(const LmState& state, int token, LmState* next) const {
  // ScoreAll asks for <space> and <eos> without a next state: then only a
  // sentence end builds the state after the word (its history scores </s>).
  const int node = state[0];
  double score = 0;
  int next_node = node;
  if (token == space_ || token == eos_) {
    if (node == kRoot) {
      // Nothing spelled since the last word: a double or final space spells
      // no word; only an empty transcript may end here (still at <s>).
      const bool at_start = state.size() > 1 && state.back() == lm_.bos();
      score = token == eos_ && at_start ? LnProb(state, lm_.eos()) : kLnFloor;
    } else {
      int32_t word;
      score = EndWord(state, &word);
      if (token == eos_ || next != nullptr) {
        LmState after = AfterWord(state, word);
        if (token == eos_) score += LnProb(after, lm_.eos());
        if (next != nullptr) *next = std::move(after);
        return static_cast<float>(score);
      }
    }
  } else if (node != kOutOfVocabulary) {
    next_node = Child(node, token);
    if (next_node >= 0) {
      score = nodes_[next_node].ln_mass - nodes_[node].ln_mass;
    } else {
      score = LeaveTree(state);
      next_node = kOutOfVocabulary;
    }
  }
  if (next != nullptr) {
    *next = state;
    (*next)[0] = next_node;
  }
  return static_cast<float>(score);
}

void WordLm::ScoreAll(const LmState& state, int vocab_size, float* scores) const {
  const int node = state[0];
  if (node == kOutOfVocabulary) {
    std::fill(scores, scores + vocab_size, 0.0f);
  } else {
    std::fill(scores, scores + vocab_size, static_cast<float>(LeaveTree(state)));
    for (const auto& [token, child] : nodes_[node].children)
      scores[token] = static_cast<float>(nodes_[child].ln_mass - nodes_[node].ln_mass);
  }
  scores[space_] = Score(state, space_, nullptr);
  scores[eos_] = Score(state, eos_, nullptr);
}

}  // namespace attend::decoder
