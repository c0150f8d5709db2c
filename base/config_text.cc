#include "base/config_text.h"

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <sstream>

#include <boost/any.hpp>
#include <boost/program_options.hpp>

#include "base/error.h"

namespace attend {

namespace po = boost::program_options;

namespace {

// The shortest text that reads back to the same float/double.
template <typename T>
std::string Exact(T value) {
  char buf[40];
  for (int digits = 6; digits <= 17; ++digits) {
    std::snprintf(buf, sizeof(buf), "%.*g", digits, static_cast<double>(value));
    if (static_cast<T>(std::strtod(buf, nullptr)) == value) break;
  }
  return buf;
}

bool ValueText(const boost::any& v, std::string* out) {
  if (const auto* b = boost::any_cast<bool>(&v))
    *out = *b ? "true" : "false";
  else if (const auto* i = boost::any_cast<int>(&v))
    *out = std::to_string(*i);
  else if (const auto* l = boost::any_cast<int64_t>(&v))
    *out = std::to_string(*l);
  else if (const auto* f = boost::any_cast<float>(&v))
    *out = Exact(*f);
  else if (const auto* d = boost::any_cast<double>(&v))
    *out = Exact(*d);
  else if (const auto* s = boost::any_cast<std::string>(&v))
    *out = *s;
  else
    return false;
  return true;
}

}  // namespace

std::string ConfigText(const po::options_description& desc) {
  std::string text;
  for (const auto& option : desc.options()) {
    boost::any value;
    std::string shown;
    if (!option->semantic()->apply_default(value) || !ValueText(value, &shown)) continue;
    text += option->long_name() + " = " + shown + "\n";
  }
  return text;
}

std::string ShownDefault(float value) { return Exact(value); }
std::string ShownDefault(double value) { return Exact(value); }

void RefuseMessagePlaceholders(const std::string& text, const std::string& source) {
  for (size_t open = text.find('%'); open != std::string::npos; open = text.find('%', open + 1)) {
    size_t end = open + 1;
    while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) ||
                                 text[end] == '_' || text[end] == '-'))
      ++end;
    if (end > open + 1 && end < text.size() && text[end] == '%')
      Fail("bad config: '%", text.substr(open + 1, end - open - 1),
           "%' is not allowed in config text (", source, ")");
  }
}

void ParseConfigText(const std::string& text, const po::options_description& desc,
                     const std::string& source) {
  RefuseMessagePlaceholders(text, source);
  po::variables_map vm;
  try {
    std::istringstream in(text);
    po::store(po::parse_config_file(in, desc, /*allow_unregistered=*/true), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    Fail("bad config: ", e.what(), " (", source, ")");
  }
}

}  // namespace attend
