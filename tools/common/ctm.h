// NIST CTM hypotheses for `attend score`: `KEY CHANNEL START DURATION WORD
// [CONFIDENCE]` lines, and the normalized cross entropy of their confidences
// as sclite's `-o sum` reports it.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace attend::tools {

struct CtmUtterance {
  std::vector<std::string> words;  // in the file's order
  std::vector<float> confidences;  // one per word; empty when a line has none
};

// Reads a CTM file; ';;' comment lines and blank lines are skipped. Throws
// attend::Error naming the file and line for a line with too few fields, a
// bad number, or a confidence outside [0, 1].
std::map<std::string, CtmUtterance> ReadCtm(const std::string& path);

// sclite's NCE: (H(C) - H(C | confidence)) / H(C) over hypothesis words, where
// H(C) is the entropy of being right at the observed rate. NaN when every
// word is right or every word wrong (or there are none). Confidences are
// clipped to [1e-7, 1 - 1e-7].
double NormalizedCrossEntropy(const std::vector<float>& confidences,
                              const std::vector<bool>& correct);

}  // namespace attend::tools
