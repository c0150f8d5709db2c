#include "decoder/ngram_lm.h"

#include <gtest/gtest.h>

#include <cmath>

#include "base/error.h"
#include "decoder/witten_bell.h"

namespace attend::decoder {
namespace {

// A bigram model small enough to check by hand.
const char* kArpa = R"(\data\
ngram 1=5
ngram 2=3

\1-grams:
-0.5	</s>
-99	<s>	-0.2
-0.7	a	-0.1
-0.9	b
-1.5	<unk>

\2-grams:
-0.3	<s> a
-0.4	a b
-0.2	b </s>

\end\
)";

// Decoder tokens: blank, unk, sos/eos, then characters.
const std::vector<std::string> kTokens = {"<blank>", "<unk>", "<sos/eos>", "a", "b", "z"};

TEST(NgramLm, ListedNgramsAndBackoffByHand) {
  NgramLm lm = NgramLm::FromText(kArpa, kTokens, "test.arpa");
  EXPECT_EQ(lm.order(), 2);
  EXPECT_EQ(lm.counts(), (std::vector<int64_t>{5, 3}));
  EXPECT_NEAR(lm.Log10Prob({"<s>"}, "a"), -0.3, 1e-6);          // listed
  EXPECT_NEAR(lm.Log10Prob({"<s>"}, "b"), -0.2 + -0.9, 1e-6);   // bow(<s>) + P(b)
  EXPECT_NEAR(lm.Log10Prob({"b"}, "a"), -0.7, 1e-6);            // b has no backoff weight: 0
  EXPECT_NEAR(lm.Log10Prob({"a"}, "</s>"), -0.1 + -0.5, 1e-6);  // bow(a) + P(</s>)
}

TEST(NgramLm, ScoresDecoderTokensInNaturalLog) {
  NgramLm lm = NgramLm::FromText(kArpa, kTokens, "test.arpa");
  const float ln10 = std::log(10.0f);
  LmState s = lm.Start(), next;
  EXPECT_NEAR(lm.Score(s, 3, &next), -0.3f * ln10, 1e-5);    // a after <s>
  EXPECT_EQ(next.size(), 1u);                                // a bigram keeps one word
  EXPECT_NEAR(lm.Score(next, 4, &s), -0.4f * ln10, 1e-5);    // b after a
  EXPECT_NEAR(lm.Score(s, 2, nullptr), -0.2f * ln10, 1e-5);  // <sos/eos> is </s>
  EXPECT_NEAR(lm.Score(s, 5, nullptr), -1.5f * ln10, 1e-5);  // z is not in the LM: <unk>
}

// ScoreAll is Score for every token at once, with the same arithmetic: the
// beam search's choices must not depend on which one it calls.
void ExpectScoreAllIsScore(const NgramLm& lm, int vocab_size, const LmState& state) {
  std::vector<float> all(vocab_size);
  lm.ScoreAll(state, vocab_size, all.data());
  for (int token = 0; token < vocab_size; ++token)
    EXPECT_EQ(all[token], lm.Score(state, token, nullptr))
        << "token " << token << " after " << state.size() << " words";
}

TEST(NgramLm, ScoreAllMatchesScoreOnEveryReachableState) {
  // A 4-gram over a few sentences, and every state three tokens can reach
  // (listed histories, backed-off ones, <unk> and the sentence end).
  std::vector<std::vector<std::string>> sentences = {
      {"a", "b", "a", "c"}, {"a", "a", "c"}, {"b", "c"}, {"c", "a", "b", "b"}};
  const std::vector<std::string> tokens = {"<blank>", "<unk>", "<sos/eos>", "a", "b", "c", "z"};
  NgramLm lm = NgramLm::FromText(TrainWittenBellArpa(sentences, 4), tokens, "wb");
  const int V = static_cast<int>(tokens.size());
  std::vector<LmState> states = {lm.Start()};
  for (int depth = 0; depth < 3; ++depth) {
    std::vector<LmState> next_states;
    for (const LmState& s : states)
      for (int token = 0; token < V; ++token) {
        LmState next;
        lm.Score(s, token, &next);
        next_states.push_back(next);
      }
    states.insert(states.end(), next_states.begin(), next_states.end());
  }
  EXPECT_EQ(states.size(), 8u * 8 * 8);  // each round adds 7 children per state
  for (const LmState& s : states) ExpectScoreAllIsScore(lm, V, s);

  // The hand-made bigram, and the same without <unk>: "z" then has no word
  // at all and scores the floor.
  NgramLm bigram = NgramLm::FromText(kArpa, kTokens, "test.arpa");
  for (int token = 0; token < static_cast<int>(kTokens.size()); ++token) {
    LmState s;
    bigram.Score(bigram.Start(), token, &s);
    ExpectScoreAllIsScore(bigram, static_cast<int>(kTokens.size()), s);
  }
  std::string no_unk = kArpa;
  no_unk.replace(no_unk.find("ngram 1=5"), 9, "ngram 1=4");
  no_unk.erase(no_unk.find("-1.5\t<unk>\n"), 11);
  NgramLm closed = NgramLm::FromText(no_unk, kTokens, "closed.arpa");
  ExpectScoreAllIsScore(closed, static_cast<int>(kTokens.size()), closed.Start());
  EXPECT_LT(closed.Score(closed.Start(), 5, nullptr), -200);
}

TEST(NgramLm, MalformedFilesNameTheLine) {
  auto expect_error = [](std::string text, const std::string& needle) {
    try {
      NgramLm::FromText(text, kTokens, "bad.arpa");
      ADD_FAILURE() << "accepted: " << needle;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("bad.arpa"), std::string::npos) << e.what();
    }
  };
  expect_error("hello", "no \\data\\");
  std::string wrong_count = kArpa;
  wrong_count.replace(wrong_count.find("ngram 2=3"), 9, "ngram 2=4");
  expect_error(wrong_count, "count");
  std::string unknown_word = kArpa;
  unknown_word.replace(unknown_word.find("-0.4\ta b"), 8, "-0.4\ta q");
  expect_error(unknown_word, "line 14");
  std::string repeated = kArpa;
  repeated.replace(repeated.find("-0.2\tb </s>"), 11, "-0.3\ta b");
  expect_error(repeated, "repeated 2-gram");
  std::string truncated = std::string(kArpa).substr(0, std::string(kArpa).find("\\end\\"));
  expect_error(truncated, "\\end\\");
}

// Every history's distribution over the words the model predicts sums to 1.
TEST(WittenBell, DistributionsSumToOneAndRoundTrip) {
  std::vector<std::vector<std::string>> sentences = {
      {"a", "b", "a"}, {"a", "a", "c"}, {"b", "c"}, {"c", "a", "b", "b"}};
  for (int order : {1, 2, 3}) {
    const std::string arpa = TrainWittenBellArpa(sentences, order);
    NgramLm lm = NgramLm::FromText(arpa, {"<blank>", "<unk>", "<sos/eos>", "a", "b", "c"}, "wb");
    const std::vector<std::string> words = {"a", "b", "c", "</s>", "<unk>"};
    for (const auto& history : std::vector<std::vector<std::string>>{
             {"<s>"}, {"a"}, {"<s>", "a"}, {"a", "b"}, {"c", "c"}, {"b", "b"}}) {
      double total = 0;
      for (const auto& w : words) total += std::pow(10.0, lm.Log10Prob(history, w));
      EXPECT_NEAR(total, 1.0, 1e-5) << "order " << order << " history " << history.back();
    }
    // Writing the same counts again gives the same text (deterministic order).
    EXPECT_EQ(TrainWittenBellArpa(sentences, order), arpa);
  }
}

TEST(WittenBell, SeenContinuationsBeatUnseenOnes) {
  std::vector<std::vector<std::string>> sentences(20, {"a", "b"});
  sentences.push_back({"b", "a"});
  NgramLm lm = NgramLm::FromText(TrainWittenBellArpa(sentences, 2),
                                 {"<blank>", "<unk>", "<sos/eos>", "a", "b"}, "wb");
  EXPECT_GT(lm.Log10Prob({"a"}, "b"), lm.Log10Prob({"a"}, "a"));
  EXPECT_GT(lm.Log10Prob({"<s>"}, "a"), lm.Log10Prob({"<s>"}, "b"));
}

}  // namespace
}  // namespace attend::decoder
