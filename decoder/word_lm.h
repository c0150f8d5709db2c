// A word n-gram LM for a character decoder: shallow fusion that scores words,
// not spellings. The LM's words, spelled in the decoder's tokens, form a
// prefix tree (the lexicon). Inside a word each character is scored by
// look-ahead, the unigram mass of the words its prefix can still become,
// relative to its parent's; at the word's end (<space> or <sos/eos>) the
// n-gram probability replaces the look-ahead, so a finished word's characters
// sum to exactly ln P(word | history). A spelling that leaves the tree is an
// out-of-vocabulary word: it costs ln(P(<unk> | history) · oov_penalty) once,
// its later characters are free, and the history continues with <unk>. (The
// look-ahead word LM of Hori et al., "End-to-end speech recognition with
// word-based RNN language models", 2018, with unigram look-ahead.)
#pragma once

#include <string>
#include <vector>

#include "decoder/language_model.h"
#include "decoder/ngram_lm.h"

namespace attend::decoder {

class WordLm : public LanguageModel {
 public:
  // `tokens`: the decoder's token names by id; they must include "<space>"
  // and "<sos/eos>". Words with a character no token spells stay out of the
  // lexicon (skipped_words() counts them). oov_penalty in (0, 1].
  WordLm(NgramLm lm, const std::vector<std::string>& tokens, float oov_penalty);

  LmState Start() const override;
  float Score(const LmState& state, int token, LmState* next) const override;
  void ScoreAll(const LmState& state, int vocab_size, float* scores) const override;

  int lexicon_size() const { return lexicon_size_; }
  int skipped_words() const { return skipped_words_; }

 private:
  struct Node {
    std::vector<std::pair<int, int>> children;  // (token, node), by token
    int32_t word = -1;                          // the LM word spelled to here
    double ln_mass = 0;                         // ln(unigram mass below here / mass below the root)
  };
  static constexpr int kRoot = 0;
  static constexpr int kOutOfVocabulary = -1;  // the node of a spelling off the tree

  int Child(int node, int token) const;  // -1 when none
  // ln P(word | history); history = the state's words.
  double LnProb(const LmState& state, int32_t word) const;
  // Ending the state's word: its score and the LM word it was (<unk> off the
  // tree or for a prefix that is not a word).
  double EndWord(const LmState& state, int32_t* word) const;
  // A character that leaves the tree from `state`'s node.
  double LeaveTree(const LmState& state) const;
  // The state after `word`: the root, with the last order-1 words.
  LmState AfterWord(const LmState& state, int32_t word) const;

  NgramLm lm_;
  std::vector<Node> nodes_;
  int space_ = -1, eos_ = -1;
  double ln_oov_penalty_ = 0;
  int lexicon_size_ = 0, skipped_words_ = 0;
};

}  // namespace attend::decoder
