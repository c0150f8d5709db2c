#include "decoder/word_lm.h"

#include <gtest/gtest.h>

#include <cmath>

#include "base/error.h"
#include "decoder/lm_sum.h"
#include "decoder/witten_bell.h"

namespace attend::decoder {
namespace {

// A word bigram small enough to follow by hand. "q@" has a character no
// token spells, so it stays out of the lexicon.
const char* kArpa = R"(\data\
ngram 1=7
ngram 2=2

\1-grams:
-1.0	</s>
-99	<s>	-0.3
-0.5	ab	-0.2
-0.8	ac
-0.7	b
-1.2	<unk>
-1.5	q@

\2-grams:
-0.2	<s> ab
-0.4	ab b

\end\
)";

const std::vector<std::string> kTokens = {"<blank>", "<unk>", "<sos/eos>", "<space>",
                                          "a",       "b",     "c",         "q"};
constexpr int kEos = 2, kSpace = 3, kA = 4, kB = 5, kC = 6, kQ = 7;
const double kLn10 = std::log(10.0);
constexpr float kPenalty = 0.01f;

WordLm MakeLm(const char* arpa = kArpa) {
  return WordLm(NgramLm::FromText(arpa, kTokens, "words.arpa"), kTokens, kPenalty);
}

// Scores `tokens` from the start; each step's score is also checked against
// ScoreAll's.
double Spell(const WordLm& lm, const std::vector<int>& tokens, LmState* state_out = nullptr) {
  LmState state = lm.Start();
  double total = 0;
  std::vector<float> all(kTokens.size());
  for (int token : tokens) {
    lm.ScoreAll(state, static_cast<int>(kTokens.size()), all.data());
    LmState next;
    const float score = lm.Score(state, token, &next);
    EXPECT_EQ(all[token], score) << "token " << token;
    total += score;
    state = next;
  }
  if (state_out != nullptr) *state_out = state;
  return total;
}

TEST(WordLm, LexiconSkipsWordsTheTokensCannotSpell) {
  WordLm lm = MakeLm();
  EXPECT_EQ(lm.lexicon_size(), 3);   // ab ac b
  EXPECT_EQ(lm.skipped_words(), 1);  // q@
}

TEST(WordLm, CharactersLookAheadAndFinishedWordsScoreTheirNgram) {
  WordLm lm = MakeLm();
  const double m_ab = std::pow(10, -0.5), m_ac = std::pow(10, -0.8), m_b = std::pow(10, -0.7);
  const double m_root = m_ab + m_ac + m_b;
  LmState s = lm.Start(), next;
  // 'a' from the root: the unigram mass of ab and ac against all words'.
  EXPECT_NEAR(lm.Score(s, kA, &next), std::log((m_ab + m_ac) / m_root), 1e-6);
  EXPECT_NEAR(lm.Score(next, kB, nullptr), std::log(m_ab / (m_ab + m_ac)), 1e-6);
  // "ab b</s>": the characters sum to the word bigram's three probabilities.
  EXPECT_NEAR(Spell(lm, {kA, kB, kSpace, kB, kEos}), (-0.2 - 0.4 - 1.0) * kLn10, 1e-5);
  // "ac": <s> ac backs off: bow(<s>) + P(ac); then </s> after ac.
  EXPECT_NEAR(Spell(lm, {kA, kC, kEos}), (-0.3 - 0.8 - 1.0) * kLn10, 1e-5);
  // An empty transcript is P(</s> | <s>); a double or a final space is ruled
  // out (it would only copy a hypothesis).
  EXPECT_NEAR(Spell(lm, {kEos}), (-0.3 - 1.0) * kLn10, 1e-5);
  EXPECT_LT(Spell(lm, {kB, kSpace, kSpace}), -200);
  EXPECT_LT(Spell(lm, {kB, kSpace, kEos}), -200);
}

TEST(WordLm, OutOfVocabularySpellingsPayOnceAsUnk) {
  WordLm lm = MakeLm();
  const double unk = (-0.3 - 1.2) * kLn10 + std::log(kPenalty);  // P(<unk> | <s>) · penalty
  // Off the tree at the first character: the rest of the word is free, and
  // the next word is scored after <unk> (no bigram: P(b) with bow(<unk>) = 0).
  LmState state;
  EXPECT_NEAR(Spell(lm, {kQ, kQ, kA}, &state), unk, 1e-5);
  EXPECT_NEAR(Spell(lm, {kQ, kQ, kA, kSpace, kB, kEos}), unk + (-0.7 - 1.0) * kLn10, 1e-5);
  // Off the tree after a prefix of real words ("ab" -> "abq"), and a prefix
  // that is not a word ("a"): either way the word costs what <unk> costs.
  EXPECT_NEAR(Spell(lm, {kA, kB, kQ, kSpace}), unk, 1e-5);
  EXPECT_NEAR(Spell(lm, {kA, kSpace}), unk, 1e-5);
}

TEST(WordLm, ClosedVocabularyRulesOutUnknownWords) {
  std::string closed = kArpa;
  closed.replace(closed.find("ngram 1=7"), 9, "ngram 1=6");
  closed.erase(closed.find("-1.2\t<unk>\n"), 11);
  WordLm lm = MakeLm(closed.c_str());
  EXPECT_LT(Spell(lm, {kQ}), -200);
  EXPECT_NEAR(Spell(lm, {kB, kEos}), (-0.3 - 0.7 - 1.0) * kLn10, 1e-5);
}

// A Witten-Bell trigram: the histories back off over several orders, and
// ScoreAll agrees with Score on every state a few tokens reach.
TEST(WordLm, ScoreAllMatchesScoreOnEveryReachableState) {
  const std::vector<std::vector<std::string>> sentences = {
      {"ab", "b", "ac"}, {"b", "ab"}, {"ac", "ac", "b"}, {"ab", "ab", "b"}};
  WordLm lm(NgramLm::FromText(TrainWittenBellArpa(sentences, 3, {"ca"}), kTokens, "wb"), kTokens,
            kPenalty);
  EXPECT_EQ(lm.lexicon_size(), 4);  // the extra dictionary word "ca" too
  const int V = static_cast<int>(kTokens.size());
  std::vector<LmState> states = {lm.Start()};
  for (int depth = 0; depth < 4; ++depth) {
    std::vector<LmState> grown;
    for (const LmState& s : states)
      for (int token = kSpace; token < V; ++token) {
        LmState next;
        lm.Score(s, token, &next);
        grown.push_back(next);
      }
    states.insert(states.end(), grown.begin(), grown.end());
  }
  std::vector<float> all(V);
  for (const LmState& s : states) {
    lm.ScoreAll(s, V, all.data());
    for (int token = 0; token < V; ++token) EXPECT_EQ(all[token], lm.Score(s, token, nullptr));
  }
  // Each sentence of the training text, spelled, scores as its word trigrams.
  NgramLm words = NgramLm::FromText(TrainWittenBellArpa(sentences, 3, {"ca"}), {}, "wb");
  EXPECT_NEAR(Spell(lm, {kB, kSpace, kA, kB, kEos}),
              (words.Log10Prob({"<s>"}, "b") + words.Log10Prob({"<s>", "b"}, "ab") +
               words.Log10Prob({"b", "ab"}, "</s>")) *
                  kLn10,
              1e-5);
}

// A character LM and the word LM fused at once: each step's score is their
// weighted sum, and each keeps its own state.
TEST(LmSum, ScoresTheWeightedSumAndCarriesBothStates) {
  const std::vector<std::vector<std::string>> chars = {{"a", "b", "<space>", "b"}, {"a", "c"}};
  NgramLm char_lm = NgramLm::FromText(TrainWittenBellArpa(chars, 3), kTokens, "chars");
  WordLm word_lm = MakeLm();
  LmSum sum(&char_lm, 0.3f, &word_lm, 0.7f);
  LmState s = sum.Start(), c = char_lm.Start(), w = word_lm.Start();
  std::vector<float> all(kTokens.size());
  for (int token : {kA, kB, kSpace, kB, kQ, kSpace, kC, kEos}) {
    sum.ScoreAll(s, static_cast<int>(kTokens.size()), all.data());
    LmState s_next, c_next, w_next;
    const float expected =
        0.3f * char_lm.Score(c, token, &c_next) + 0.7f * word_lm.Score(w, token, &w_next);
    EXPECT_EQ(sum.Score(s, token, &s_next), expected) << "token " << token;
    EXPECT_EQ(all[token], expected) << "token " << token;
    s = s_next, c = c_next, w = w_next;
  }
}

TEST(WordLm, BadSetupsAreErrors) {
  EXPECT_THROW(WordLm(NgramLm::FromText(kArpa, kTokens, "w"), kTokens, 0.0f), Error);
  const std::vector<std::string> no_space = {"<blank>", "<unk>", "<sos/eos>", "a", "b"};
  EXPECT_THROW(WordLm(NgramLm::FromText(kArpa, no_space, "w"), no_space, kPenalty), Error);
  const std::vector<std::string> digits = {"<blank>", "<unk>", "<sos/eos>", "<space>", "1"};
  EXPECT_THROW(WordLm(NgramLm::FromText(kArpa, digits, "w"), digits, kPenalty), Error);
}

}  // namespace
}  // namespace attend::decoder
