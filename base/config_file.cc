#include "base/config_file.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <boost/program_options/parsers.hpp>

#include "base/config_text.h"
#include "base/error.h"

namespace attend {

namespace po = boost::program_options;

namespace {

// `text` with control characters as \xNN: Boost quotes a bad line whole, and
// the carriage returns or escape codes of a binary file would break the
// one-line message or the terminal showing it.
std::string EscapeControlCharacters(const std::string& text) {
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte != 0x7f) {
      out += c;
    } else {
      constexpr char kHex[] = "0123456789abcdef";
      out += {'\\', 'x', kHex[byte >> 4], kHex[byte & 0xf]};
    }
  }
  return out;
}

}  // namespace

void StoreConfigFile(const std::string& path, const po::options_description& options,
                     po::variables_map* vm, const std::set<std::string>& file_relative) {
  std::ifstream file(path);
  if (!file) Fail("cannot open config file (", path, ")");
  std::stringstream text;
  text << file.rdbuf();
  RefuseMessagePlaceholders(text.str(), path);
  try {
    po::parsed_options parsed = po::parse_config_file(text, options);
    const std::filesystem::path folder = std::filesystem::path(path).parent_path();
    for (po::option& option : parsed.options) {
      if (!file_relative.count(option.string_key)) continue;
      for (std::string& value : option.value) {
        if (!value.empty() && std::filesystem::path(value).is_relative())
          value = (folder / value).string();
      }
    }
    po::store(parsed, *vm);
  } catch (const po::error& e) {
    Fail(EscapeControlCharacters(e.what()), " (", path, ")");
  }
}

}  // namespace attend
