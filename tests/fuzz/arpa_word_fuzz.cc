// Fuzz target: the ARPA reader as `--word-lm` loads a word LM (any words),
// the lexicon tree decoder/word_lm builds from its words in a character
// vocabulary's tokens, then the word LM queried along a few spellings.
// attend::Error is the expected answer; anything else escaping is a finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "base/error.h"
#include "decoder/ngram_lm.h"
#include "decoder/word_lm.h"
#include "tests/fuzz/lm_query.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace attend::decoder;
  const std::string arpa(reinterpret_cast<const char*>(data), size);
  try {
    const WordLm lm(NgramLm::FromText(arpa, {}, "fuzz.arpa"), attend::fuzz::CharacterTokens(),
                    0.5f);
    attend::fuzz::QueryLm(lm);
  } catch (const attend::Error&) {
  }
  return 0;
}
