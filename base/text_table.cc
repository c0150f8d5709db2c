#include "base/text_table.h"

#include <fstream>
#include <iostream>
#include <string_view>
#include <unordered_map>

#include "base/error.h"

namespace attend {
namespace {

constexpr const char* kSpace = " \t\r\f\v";

// The offset of the first control character of `line` that is not white
// space (npos when none). Text tables hold none; a binary file does at once.
size_t FindBinaryByte(const std::string& line) {
  constexpr size_t npos = std::string::npos;
  for (size_t i = 0; i < line.size(); ++i) {
    const auto byte = static_cast<unsigned char>(line[i]);
    if ((byte < 0x20 || byte == 0x7f) && std::string_view(kSpace).find(line[i]) == npos) return i;
  }
  return npos;
}

}  // namespace

std::vector<TableEntry> ParseTextTable(std::istream& in, const std::string& source) {
  std::vector<TableEntry> entries;
  std::unordered_map<std::string, int> first_line;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    const size_t binary = FindBinaryByte(line);
    if (binary != std::string::npos) {
      Fail("line ", number, " holds a control character (byte ",
           static_cast<int>(static_cast<unsigned char>(line[binary])), " at column ", binary + 1,
           "): binary data, not a text table (", source, ")");
    }
    size_t begin = line.find_first_not_of(kSpace);
    if (begin == std::string::npos) continue;
    size_t key_end = line.find_first_of(kSpace, begin);
    TableEntry e;
    e.line = number;
    e.key = line.substr(begin, key_end == std::string::npos ? std::string::npos : key_end - begin);
    if (key_end != std::string::npos) {
      size_t v0 = line.find_first_not_of(kSpace, key_end);
      size_t v1 = line.find_last_not_of(kSpace);
      if (v0 != std::string::npos) e.value = line.substr(v0, v1 - v0 + 1);
    }
    auto [it, inserted] = first_line.emplace(e.key, number);
    if (!inserted)
      Fail("duplicate key '", e.key, "' on line ", number, " (first on line ", it->second, ") (",
           source, ")");
    entries.push_back(std::move(e));
  }
  if (in.bad()) Fail("read error (", source, ")");
  return entries;
}

std::vector<TableEntry> ReadTextTable(const std::string& path) {
  if (path == "-") return ParseTextTable(std::cin, "stdin");
  std::ifstream in(path);
  if (!in) Fail("cannot open table file (", path, ")");
  return ParseTextTable(in, path);
}

}  // namespace attend
