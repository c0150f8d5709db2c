#include "tools/common/explorer_index.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace attend::tools {
namespace {

// A file name as a relative URL: the characters a path may hold that would
// end or change the URL's path percent-encoded.
std::string UrlPath(const std::string& name) {
  std::string out;
  for (char c : name) {
    if (c == '%' || c == '#' || c == '?' || c == ' ') {
      char code[4];
      std::snprintf(code, sizeof(code), "%%%02X", static_cast<unsigned char>(c));
      out += code;
    } else {
      out += c;
    }
  }
  return out;
}

// "12.50" (a percentage); "inf" for errors against an empty reference.
std::string Percent(double rate) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.2f", rate);
  return text;
}

constexpr const char* kStyle = R"(
  body { font: 14px/1.45 system-ui, sans-serif; color: #1f2328; margin: 0; padding: 16px 20px; }
  h1 { font-size: 18px; font-weight: 600; margin: 0 0 4px; }
  .meta { color: #6b7280; font-size: 13px; margin-bottom: 10px; }
  table { border-collapse: collapse; }
  th, td { text-align: left; padding: 3px 10px; border-bottom: 1px solid #e5e7eb; vertical-align: top; }
  th { font-weight: 600; font-size: 12px; color: #6b7280; }
  td.n { text-align: right; font-variant-numeric: tabular-nums; }
  td.bad { color: #dc2626; font-weight: 600; }
  a { color: #2563eb; text-decoration: none; }
  a:hover { text-decoration: underline; }
)";

}  // namespace

std::string RenderExplorerIndex(std::vector<ExplorerSummary> pages) {
  const bool scored =
      std::any_of(pages.begin(), pages.end(), [](const ExplorerSummary& p) { return p.scored; });
  if (scored)
    std::stable_sort(pages.begin(), pages.end(),
                     [](const ExplorerSummary& a, const ExplorerSummary& b) {
                       if (a.errors.errors() != b.errors.errors())
                         return a.errors.errors() > b.errors.errors();
                       return a.errors.Rate() > b.errors.Rate();
                     });
  decoder::ErrorCounts total;
  double seconds = 0;
  for (const ExplorerSummary& p : pages) {
    if (p.scored) total += p.errors;
    seconds += p.duration;
  }
  std::ostringstream html;
  html << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
       << "<title>attend explorer</title>\n<style>" << kStyle << "</style>\n</head>\n<body>\n"
       << "<h1>attend explorer</h1>\n<div class=\"meta\">" << pages.size() << " utterances, ";
  char duration[32];
  std::snprintf(duration, sizeof(duration), "%.1f s", seconds);
  html << duration;
  if (scored)
    html << "; WER " << Percent(total.Rate()) << " % [ " << total.errors() << " / "
         << total.reference << ", " << total.insertions << " ins, " << total.deletions << " del, "
         << total.substitutions << " sub ], worst first";
  html << "</div>\n<table>\n<tr><th>utterance</th><th>seconds</th>";
  if (scored) html << "<th>errors</th><th>sub</th><th>del</th><th>ins</th><th>%WER</th>";
  html << "<th>transcript</th></tr>\n";
  for (const ExplorerSummary& p : pages) {
    char length[32];
    std::snprintf(length, sizeof(length), "%.2f", p.duration);
    html << "<tr><td><a href=\"" << HtmlEscape(UrlPath(p.page)) << "\">" << HtmlEscape(p.key)
         << "</a></td>"
         << "<td class=\"n\">" << length << "</td>";
    if (scored && p.scored) {
      const auto& e = p.errors;
      html << "<td class=\"n" << (e.errors() > 0 ? " bad" : "") << "\">" << e.errors()
           << "</td><td class=\"n\">" << e.substitutions << "</td><td class=\"n\">" << e.deletions
           << "</td><td class=\"n\">" << e.insertions << "</td><td class=\"n\">"
           << Percent(e.Rate()) << "</td>";
    } else if (scored) {
      html << "<td colspan=\"5\">no reference</td>";
    }
    html << "<td>" << HtmlEscape(p.text) << "</td></tr>\n";
  }
  html << "</table>\n</body>\n</html>\n";
  return html.str();
}

}  // namespace attend::tools
