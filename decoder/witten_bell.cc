#include "decoder/witten_bell.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "base/error.h"

namespace attend::decoder {
namespace {

using Words = std::vector<std::string>;

struct Context {
  double total = 0;     // c(h): continuations counted
  double distinct = 0;  // T(h)
};

std::string Format(double log10_prob) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.7g", log10_prob);
  return buf;
}

}  // namespace

std::string TrainWittenBellArpa(const std::vector<Words>& sentences, int order,
                                const std::vector<std::string>& extra_words) {
  ATTEND_CHECK(order >= 1 && order <= 16, "--order must be in [1, 16], got ", order);
  // counts[k - 1]: every k-gram with its count (ordered: the ARPA lists are sorted).
  std::vector<std::map<Words, double>> counts(order);
  for (const Words& s : sentences) {
    Words padded = {"<s>"};
    padded.insert(padded.end(), s.begin(), s.end());
    padded.push_back("</s>");
    for (size_t end = 1; end < padded.size(); ++end)  // predicted word padded[end]
      for (int k = 1; k <= order && static_cast<int>(end) + 1 >= k; ++k)
        counts[k - 1][Words(padded.begin() + (end + 1 - k), padded.begin() + end + 1)] += 1;
  }
  // Unigrams: add-one over the seen words, the extra ones, </s> and <unk>.
  auto& uni = counts[0];
  uni.emplace(Words{"</s>"}, 0);
  uni.emplace(Words{"<unk>"}, 0);
  for (const std::string& w : extra_words)
    if (w != "<s>") uni.emplace(Words{w}, 0);
  double total = 0;
  for (const auto& [w, c] : uni) total += c;
  const double vocab = static_cast<double>(uni.size());
  std::vector<std::map<Words, double>> prob(order);  // interpolated P(w | h), by n-gram
  for (const auto& [w, c] : uni) prob[0][w] = (c + 1) / (total + vocab);
  // Histories of each order with their c(h) and T(h).
  std::map<Words, Context> contexts;
  for (int k = 2; k <= order; ++k)
    for (const auto& [g, c] : counts[k - 1]) {
      Context& ctx = contexts[Words(g.begin(), g.end() - 1)];
      ctx.total += c;
      ctx.distinct += 1;
    }
  for (int k = 2; k <= order; ++k)
    for (const auto& [g, c] : counts[k - 1]) {
      const Context& ctx = contexts[Words(g.begin(), g.end() - 1)];
      double lower = prob[k - 2].at(Words(g.begin() + 1, g.end()));
      prob[k - 1][g] = (c + ctx.distinct * lower) / (ctx.total + ctx.distinct);
    }
  // <s> is never predicted; it is listed so that histories can start with it.
  prob[0][Words{"<s>"}] = 0;

  std::string out = "\\data\\\n";
  for (int k = 1; k <= order; ++k)
    out += "ngram " + std::to_string(k) + "=" + std::to_string(prob[k - 1].size()) + "\n";
  for (int k = 1; k <= order; ++k) {
    out += "\n\\" + std::to_string(k) + "-grams:\n";
    for (const auto& [g, p] : prob[k - 1]) {
      out += p > 0 ? Format(std::log10(p)) : "-99";
      out += '\t';
      for (size_t i = 0; i < g.size(); ++i) out += (i ? " " : "") + g[i];
      auto ctx = contexts.find(g);
      if (k < order && ctx != contexts.end())
        out +=
            "\t" +
            Format(std::log10(ctx->second.distinct / (ctx->second.total + ctx->second.distinct)));
      out += '\n';
    }
  }
  out += "\n\\end\\\n";
  return out;
}

}  // namespace attend::decoder
