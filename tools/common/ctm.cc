#include "tools/common/ctm.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include "base/error.h"

namespace attend::tools {
namespace {

float ParseNumber(const std::string& field, const std::string& path, int line) {
  size_t used = 0;
  float x = 0;
  try {
    x = std::stof(field, &used);
  } catch (const std::exception&) {
  }
  ATTEND_CHECK(used == field.size() && used > 0, "'", field, "' is not a number on line ", line,
               " (", path, ")");
  return x;
}

}  // namespace

std::map<std::string, CtmUtterance> ReadCtm(const std::string& path) {
  std::ifstream in(path);
  ATTEND_CHECK(in, "cannot open CTM file (", path, ")");
  std::map<std::string, CtmUtterance> utts;
  std::string text;
  for (int line = 1; std::getline(in, text); ++line) {
    std::istringstream fields(text);
    std::vector<std::string> f;
    for (std::string s; fields >> s;) f.push_back(s);
    if (f.empty() || f[0].rfind(";;", 0) == 0) continue;
    ATTEND_CHECK(f.size() >= 5, "line ", line, " has ", f.size(),
                 " fields, a CTM line needs KEY CHANNEL START DURATION WORD [CONFIDENCE] (", path,
                 ")");
    ParseNumber(f[2], path, line);
    ParseNumber(f[3], path, line);
    CtmUtterance& u = utts[f[0]];
    u.words.push_back(f[4]);
    if (f.size() >= 6) {
      const float c = ParseNumber(f[5], path, line);
      ATTEND_CHECK(c >= 0 && c <= 1, "confidence ", f[5], " outside [0, 1] on line ", line, " (",
                   path, ")");
      u.confidences.push_back(c);
    }
  }
  ATTEND_CHECK(!in.bad(), "read error (", path, ")");
  for (const auto& [key, u] : utts)
    ATTEND_CHECK(u.confidences.empty() || u.confidences.size() == u.words.size(), "utterance '",
                 key, "' has a confidence on some lines and not on others (", path, ")");
  return utts;
}

double NormalizedCrossEntropy(const std::vector<float>& confidences,
                              const std::vector<bool>& correct) {
  const double n = static_cast<double>(correct.size());
  const double right = static_cast<double>(std::count(correct.begin(), correct.end(), true));
  if (right == 0 || right == n) return std::numeric_limits<double>::quiet_NaN();
  const double p = right / n;
  const double h_max = -right * std::log2(p) - (n - right) * std::log2(1 - p);
  double h = 0;
  for (size_t i = 0; i < correct.size(); ++i) {
    const double c = std::clamp<double>(confidences[i], 1e-7, 1 - 1e-7);
    h -= correct[i] ? std::log2(c) : std::log2(1 - c);
  }
  return (h_max - h) / h_max;
}

}  // namespace attend::tools
