// An n-gram language model in the ARPA format (as written by SRILM, KenLM and
// Kaldi tools), for shallow fusion. The model's words are the decoder's token
// names (Vocabulary::Token: "a", "<space>", ...), so a character vocabulary
// uses a character LM; "</s>" is the decoder's <sos/eos>, "<unk>" any token
// the LM lacks. Probabilities are backoff-smoothed:
//   P(w | h) = P*(w | h)                 if the n-gram h·w is listed,
//            = bow(h) · P(w | h minus its oldest word)  otherwise.
// ARPA stores log10; Score() returns natural logs.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "decoder/language_model.h"

namespace attend::decoder {

class NgramLm : public LanguageModel {
 public:
  static constexpr double kLn10 = 2.302585092994046;
  // log10 probability of a word the model cannot produce at all (no <unk>).
  static constexpr double kLog10Floor = -99.0;

  // Reads an ARPA file; `tokens` are the decoder's token names by id. Throws
  // attend::Error naming the file and line on malformed input.
  NgramLm(const std::string& arpa_path, const std::vector<std::string>& tokens);
  // The same from ARPA text; `source` names it in errors.
  static NgramLm FromText(const std::string& arpa, const std::vector<std::string>& tokens,
                          const std::string& source);

  LmState Start() const override;
  float Score(const LmState& state, int token, LmState* next) const override;
  // One hash lookup per history length instead of up to two per length and
  // token: the distribution is built from the unigrams up, each longer
  // history adding its backoff weight and overriding the words it lists.
  void ScoreAll(const LmState& state, int vocab_size, float* scores) const override;

  int order() const { return order_; }
  // Listed n-grams per order (index 0 = unigrams).
  const std::vector<int64_t>& counts() const { return counts_; }

  // log10 P(word | history) over LM words ("<s>", "a", ...): for tests and tools.
  double Log10Prob(const std::vector<std::string>& history, const std::string& word) const;

  // The model over its own words, by LM word id (for a word LM that spells
  // its words in a character decoder's tokens: decoder/word_lm.h).
  int32_t WordId(std::string_view word) const;  // -1 when not in the LM
  std::vector<std::string> Words() const;       // by id
  int32_t bos() const { return bos_; }
  int32_t eos() const { return eos_; }
  int32_t unk() const { return unk_; }  // -1: a closed vocabulary
  // log10 P(w | h) with backoff; h oldest first (at most order-1 words count).
  double Log10(const int32_t* h, int h_len, int32_t w) const;

 private:
  NgramLm() = default;
  void Parse(const std::string& arpa, const std::string& source);

  struct Entry {
    float log10_prob = 0;
    float log10_backoff = 0;
    int32_t history_id = -1;  // below the top order: its id as a history
  };
  // The bytes of n word ids: an n-gram's key in ngrams_ (a view, so lookups
  // in the decoder's inner loop allocate nothing).
  static std::string_view Key(const int32_t* words, int n);
  // Hashes std::string keys and string_view lookups alike.
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
  };

  int order_ = 0;
  std::vector<int64_t> counts_;
  std::unordered_map<std::string, int32_t, KeyHash, std::equal_to<>> word_ids_;
  // Key: packed word ids, oldest first.
  std::unordered_map<std::string, Entry, KeyHash, std::equal_to<>> ngrams_;
  std::vector<int32_t> token_to_word_;  // decoder token id -> LM word id (or unk)
  // For ScoreAll: the words each history is listed with, grouped by the
  // history's id (0 the empty history, whose words are the unigrams), and the
  // decoder tokens each LM word stands for.
  struct Continuation {
    int32_t word;
    float log10_prob;
  };
  std::vector<Continuation> continuations_;
  std::vector<int32_t> continuations_begin_;  // by history id, and the end
  // Histories that are not n-grams themselves (a pruned file may list
  // "a b c" without "a b"); listed ones keep their id in their Entry.
  std::unordered_map<std::string, int32_t, KeyHash, std::equal_to<>> unlisted_histories_;
  std::vector<std::vector<int32_t>> word_to_tokens_;
  int32_t bos_ = -1, eos_ = -1, unk_ = -1;
};

}  // namespace attend::decoder
