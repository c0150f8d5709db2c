// Fuzz target: the ARPA reader (decoder/ngram_lm) as `--lm` loads a character
// LM (the LM's words are a character vocabulary's token names), then the LM
// queried. attend::Error is the expected answer; anything else escaping is a
// finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "base/error.h"
#include "decoder/ngram_lm.h"
#include "tests/fuzz/lm_query.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string arpa(reinterpret_cast<const char*>(data), size);
  try {
    const auto lm =
        attend::decoder::NgramLm::FromText(arpa, attend::fuzz::CharacterTokens(), "fuzz.arpa");
    attend::fuzz::QueryLm(lm);
  } catch (const attend::Error&) {
  }
  return 0;
}
