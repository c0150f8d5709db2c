#include "decoder/ngram_lm.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>
#include <string_view>

#include "base/error.h"

namespace attend::decoder {
namespace {

constexpr double kLn10 = NgramLm::kLn10;
constexpr double kLog10Floor = NgramLm::kLog10Floor;
constexpr int kMaxOrder = 16;

// The next whitespace-separated field of `*rest` (empty at the end), which
// then starts after it.
std::string_view NextField(std::string_view* rest) {
  size_t begin = 0;
  while (begin < rest->size() && ((*rest)[begin] == ' ' || (*rest)[begin] == '\t')) ++begin;
  size_t end = begin;
  while (end < rest->size() && (*rest)[end] != ' ' && (*rest)[end] != '\t') ++end;
  const std::string_view field = rest->substr(begin, end - begin);
  rest->remove_prefix(end);
  return field;
}

// `field` as a number (a leading '+' allowed); false if it is not one.
bool ParseNumber(std::string_view field, double* value) {
  if (!field.empty() && field[0] == '+') field.remove_prefix(1);
  if (field.empty()) return false;
  const auto [end, error] = std::from_chars(field.data(), field.data() + field.size(), *value);
  return error == std::errc() && end == field.data() + field.size();
}

}  // namespace

std::string_view NgramLm::Key(const int32_t* words, int n) {
  return std::string_view(reinterpret_cast<const char*>(words),
                          static_cast<size_t>(n) * sizeof(int32_t));
}

NgramLm::NgramLm(const std::string& arpa_path, const std::vector<std::string>& tokens) {
  std::ifstream in(arpa_path);
  if (!in) Fail("cannot open language model (", arpa_path, ")");
  std::stringstream text;
  text << in.rdbuf();
  *this = FromText(text.str(), tokens, arpa_path);
}

NgramLm NgramLm::FromText(const std::string& arpa, const std::vector<std::string>& tokens,
                          const std::string& source) {
  NgramLm lm;
  lm.Parse(arpa, source);
  lm.bos_ = lm.WordId("<s>");
  lm.eos_ = lm.WordId("</s>");
  lm.unk_ = lm.WordId("<unk>");
  ATTEND_CHECK(lm.bos_ >= 0 && lm.eos_ >= 0, "language model has no <s> or </s> unigram (", source,
               ")");
  lm.token_to_word_.resize(tokens.size());
  for (size_t id = 0; id < tokens.size(); ++id) {
    const std::string& t = tokens[id];
    int w = t == "<sos/eos>" ? lm.eos_ : lm.WordId(t);
    lm.token_to_word_[id] = w >= 0 ? w : lm.unk_;
  }
  lm.word_to_tokens_.assign(lm.word_ids_.size(), {});
  for (size_t id = 0; id < tokens.size(); ++id)
    if (lm.token_to_word_[id] >= 0) lm.word_to_tokens_[lm.token_to_word_[id]].push_back(id);
  return lm;
}

int32_t NgramLm::WordId(std::string_view word) const {
  auto it = word_ids_.find(word);
  return it == word_ids_.end() ? -1 : it->second;
}

std::vector<std::string> NgramLm::Words() const {
  std::vector<std::string> words(word_ids_.size());
  for (const auto& [word, id] : word_ids_) words[id] = word;
  return words;
}

void NgramLm::Parse(const std::string& arpa, const std::string& source) {
  std::istringstream in(arpa);
  std::string line;
  int number = 0;
  auto fail = [&](const std::string& what) {
    Fail("malformed ARPA language model: ", what, " on line ", number, " (", source, ")");
  };
  // Header: \data\ then "ngram K=count" lines.
  bool in_data = false;
  while (std::getline(in, line)) {
    ++number;
    if (line == "\\data\\") {
      in_data = true;
      continue;
    }
    if (!in_data) continue;
    if (line.rfind("ngram ", 0) == 0) {
      int k = 0;
      long long count = 0;
      if (std::sscanf(line.c_str(), "ngram %d=%lld", &k, &count) != 2 || k != order_ + 1 ||
          count < 0)
        fail("bad count line '" + line + "'");
      // Each n-gram takes a line, so a count beyond the text's size is a lie
      // (and would size the tables below from the header alone).
      if (count > static_cast<long long>(arpa.size()))
        fail("count " + std::to_string(count) + " in '" + line + "' exceeds what the file holds");
      if (k > kMaxOrder) fail("order above " + std::to_string(kMaxOrder));
      counts_.push_back(count);
      order_ = k;
      continue;
    }
    if (line.empty() && order_ == 0) continue;
    break;
  }
  if (!in_data) fail("no \\data\\ section");
  if (order_ == 0) fail("no ngram counts");
  long long total = 0;
  for (long long c : counts_) total += c;
  ngrams_.reserve(static_cast<size_t>(std::min<long long>(total, 1LL << 26)));
  // Sections \1-grams: ... \N-grams:, then \end\.
  std::vector<int32_t> ids;
  // Each n-gram as a history's continuation, in file order; grouped by
  // history below.
  std::vector<Continuation> continuations;
  std::vector<int32_t> history_of;
  continuations.reserve(static_cast<size_t>(std::min<long long>(total, 1LL << 26)));
  history_of.reserve(continuations.capacity());
  int32_t histories = 1;  // id 0: the empty history
  std::string last_history;
  int32_t last_history_id = 0;
  for (int k = 1; k <= order_; ++k) {
    while (line.empty() && std::getline(in, line)) ++number;
    if (line != "\\" + std::to_string(k) + "-grams:")
      fail("expected \\" + std::to_string(k) + "-grams:");
    int64_t seen = 0;
    while (std::getline(in, line)) {
      ++number;
      if (line.empty()) continue;
      if (line[0] == '\\') break;
      // Fields by hand (no stream per line: a 6-gram LM has ~350k lines).
      std::string_view rest(line);
      double log10_prob = 0;
      if (!ParseNumber(NextField(&rest), &log10_prob)) fail("bad probability");
      ids.clear();
      for (int i = 0; i < k; ++i) {
        const std::string_view word = NextField(&rest);
        if (word.empty()) fail("an " + std::to_string(k) + "-gram with fewer words");
        int id = WordId(word);
        if (id < 0) {
          if (k > 1) fail("word '" + std::string(word) + "' is not a unigram");
          id = static_cast<int>(word_ids_.size());
          word_ids_.emplace(word, id);
        }
        ids.push_back(id);
      }
      Entry e;
      e.log10_prob = static_cast<float>(log10_prob);
      double backoff = 0;
      const std::string_view backoff_field = NextField(&rest);
      if (!backoff_field.empty()) {
        if (!ParseNumber(backoff_field, &backoff)) fail("bad backoff");
        e.log10_backoff = static_cast<float>(backoff);
      }
      const std::string_view extra = NextField(&rest);
      if (!extra.empty()) fail("unexpected field '" + std::string(extra) + "'");
      if (!std::isfinite(log10_prob) || !std::isfinite(backoff)) fail("non-finite value");
      // Files list a history's continuations together (sorted), so the last
      // line's history is usually this one's.
      const std::string_view history = Key(ids.data(), k - 1);
      if (k > 1 && last_history != history) {
        last_history = history;
        auto listed = ngrams_.find(history);
        last_history_id =
            listed != ngrams_.end()
                ? listed->second.history_id
                : unlisted_histories_.try_emplace(last_history, histories).first->second;
        if (last_history_id == histories) ++histories;
      }
      continuations.push_back({ids[k - 1], e.log10_prob});
      history_of.push_back(k > 1 ? last_history_id : 0);
      if (k < order_) e.history_id = histories++;
      if (!ngrams_.try_emplace(std::string(Key(ids.data(), k)), e).second)
        fail("a repeated " + std::to_string(k) + "-gram");
      ++seen;
    }
    if (seen != counts_[k - 1])
      fail(std::to_string(k) + "-gram count " + std::to_string(seen) +
           " differs from the header's " + std::to_string(counts_[k - 1]));
  }
  if (line != "\\end\\") fail("expected \\end\\");
  // Group by history (a counting sort, file order kept within a history).
  continuations_begin_.assign(histories + 1, 0);
  for (int32_t h : history_of) ++continuations_begin_[h + 1];
  for (int32_t h = 0; h < histories; ++h) continuations_begin_[h + 1] += continuations_begin_[h];
  continuations_.resize(continuations.size());
  std::vector<int32_t> next_slot(continuations_begin_.begin(), continuations_begin_.end() - 1);
  for (size_t i = 0; i < continuations.size(); ++i)
    continuations_[next_slot[history_of[i]]++] = continuations[i];
}

double NgramLm::Log10(const int32_t* h, int h_len, int32_t w) const {
  // Back off from the longest history: P(w | h) = bow(h) P(w | h[1:]).
  // (A fixed array: this runs for every vocabulary entry of every hypothesis.)
  if (h_len > order_ - 1) {  // only the last order-1 words can be listed
    h += h_len - (order_ - 1);
    h_len = order_ - 1;
  }
  double backoff = 0;
  int32_t key[kMaxOrder];
  for (int start = 0; start <= h_len; ++start) {
    const int n = h_len - start;
    std::copy(h + start, h + h_len, key);
    key[n] = w;
    auto it = ngrams_.find(Key(key, n + 1));
    if (it != ngrams_.end()) return backoff + it->second.log10_prob;
    auto ctx = ngrams_.find(Key(h + start, n));
    if (n > 0 && ctx != ngrams_.end()) backoff += ctx->second.log10_backoff;
  }
  return kLog10Floor;
}

LmState NgramLm::Start() const { return {bos_}; }

float NgramLm::Score(const LmState& state, int token, LmState* next) const {
  ATTEND_ASSERT(token >= 0 && static_cast<size_t>(token) < token_to_word_.size(), "token ", token);
  const int32_t w = token_to_word_[token];
  double log10 = w < 0 ? kLog10Floor : Log10(state.data(), static_cast<int>(state.size()), w);
  if (next != nullptr) {
    // Keep the last order-1 words: all an n-gram model conditions on.
    *next = state;
    next->push_back(w < 0 ? unk_ : w);
    if (static_cast<int>(next->size()) > order_ - 1)
      next->erase(next->begin(), next->begin() + (next->size() - (order_ - 1)));
  }
  return static_cast<float>(log10 * kLn10);
}

void NgramLm::ScoreAll(const LmState& state, int vocab_size, float* scores) const {
  ATTEND_ASSERT(vocab_size == static_cast<int>(token_to_word_.size()), "vocab_size ", vocab_size);
  // Log10's arithmetic, all tokens at once: from the longest history down, a
  // token not yet scored takes the backoff weights summed so far plus its
  // probability after this history (NaN marks "not yet").
  std::fill(scores, scores + vocab_size, std::numeric_limits<float>::quiet_NaN());
  const int32_t* h = state.data();
  const int h_len = static_cast<int>(state.size());
  double backoff = 0;
  for (int start = 0; start <= h_len; ++start) {
    const std::string_view history = Key(h + start, h_len - start);
    int32_t id = history.empty() ? 0 : -1;
    float history_backoff = 0;
    if (!history.empty()) {
      auto listed = ngrams_.find(history);
      if (listed != ngrams_.end()) {
        id = listed->second.history_id;
        history_backoff = listed->second.log10_backoff;
      } else if (!unlisted_histories_.empty()) {
        auto unlisted = unlisted_histories_.find(history);
        if (unlisted != unlisted_histories_.end()) id = unlisted->second;
      }
    }
    if (id >= 0)
      for (int32_t i = continuations_begin_[id]; i < continuations_begin_[id + 1]; ++i)
        for (int32_t token : word_to_tokens_[continuations_[i].word])
          if (std::isnan(scores[token]))
            scores[token] = static_cast<float>((backoff + continuations_[i].log10_prob) * kLn10);
    backoff += history_backoff;
  }
  for (int token = 0; token < vocab_size; ++token)
    if (std::isnan(scores[token])) scores[token] = static_cast<float>(kLog10Floor * kLn10);
}

double NgramLm::Log10Prob(const std::vector<std::string>& history, const std::string& word) const {
  std::vector<int32_t> h;
  for (const std::string& s : history) {
    int id = WordId(s);
    h.push_back(id >= 0 ? id : unk_);
  }
  int w = WordId(word);
  if (w < 0) w = unk_;
  if (w < 0) return kLog10Floor;
  int keep = std::min<int>(static_cast<int>(h.size()), order_ - 1);
  return Log10(h.data() + h.size() - keep, keep, w);
}

}  // namespace attend::decoder
