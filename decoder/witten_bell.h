// Trains an interpolated Witten-Bell n-gram model (SRILM's -wbdiscount
// -interpolate) and writes it as ARPA, for `attend train-lm`:
//   P(w | h) = (c(h·w) + T(h) · P(w | h')) / (c(h) + T(h))
// where c(h) counts h's continuations, T(h) how many distinct words follow
// h, and h' is h without its oldest word. Unigrams are add-one smoothed over
// the vocabulary plus <unk>. Listed n-grams carry the interpolated
// probability and each history the backoff weight T(h) / (c(h) + T(h)), so
// the ARPA model's probability equals the interpolated one for every word.
#pragma once

#include <string>
#include <vector>

namespace attend::decoder {

// sentences: word sequences without <s> and </s>; order >= 1. Returns ARPA text.
// extra_words join the unigrams with count zero (add-one gives them one): a
// word LM's lexicon can then hold dictionary words its text never used.
std::string TrainWittenBellArpa(const std::vector<std::vector<std::string>>& sentences, int order,
                                const std::vector<std::string>& extra_words = {});

}  // namespace attend::decoder
