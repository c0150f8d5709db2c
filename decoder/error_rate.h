// Word and character error rates by Levenshtein alignment, with the counts
// and the alignment that sclite and Kaldi's compute-wer report:
//   error rate = (substitutions + deletions + insertions) / reference length.
// Ties between equally cheap alignments prefer, like Kaldi, a match or
// substitution over a deletion over an insertion, so counts are reproducible.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace attend::decoder {

struct ErrorCounts {
  int64_t reference = 0;  // reference units (words or characters)
  int64_t correct = 0;
  int64_t substitutions = 0;
  int64_t deletions = 0;
  int64_t insertions = 0;

  int64_t errors() const { return substitutions + deletions + insertions; }
  // errors / reference as a percentage; 0 when both are 0, +inf for errors
  // against an empty reference.
  double Rate() const;
  ErrorCounts& operator+=(const ErrorCounts& other);
};

// One aligned pair: ref or hyp empty for a deletion or an insertion.
struct AlignedPair {
  std::string ref, hyp;
  char op;  // 'C' correct, 'S' substitution, 'D' deletion, 'I' insertion
};

// Aligns two unit sequences and counts the edits. `alignment` may be null.
ErrorCounts Align(const std::vector<std::string>& ref, const std::vector<std::string>& hyp,
                  std::vector<AlignedPair>* alignment);

// Whitespace-separated words.
std::vector<std::string> SplitWords(const std::string& text);
// UTF-8 characters with whitespace removed (the usual CER convention for
// space-delimited languages: spacing errors are word errors, not character errors).
std::vector<std::string> SplitCharacters(const std::string& text);

}  // namespace attend::decoder
