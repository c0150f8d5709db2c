// Kaldi's script-table text format, shared by `text`, `wav.scp`, `utt2spk`,
// `segments` and score files: one entry per line, `KEY VALUE...`, the key up to
// the first whitespace, the value the rest of the line with surrounding
// whitespace trimmed (it may be empty, as for an empty transcript).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace attend {

struct TableEntry {
  std::string key;
  std::string value;
  int line = 0;  // 1-based line number, for messages
};

// Reads a table file ("-" for stdin). Blank lines are skipped. Throws
// attend::Error naming the file and line for a line without a key, a key
// seen twice, a control character other than white space (binary data), or an
// unreadable file. Entries keep the file's order.
std::vector<TableEntry> ReadTextTable(const std::string& path);

// The same from an already opened stream; `source` names it in errors.
std::vector<TableEntry> ParseTextTable(std::istream& in, const std::string& source);

}  // namespace attend
