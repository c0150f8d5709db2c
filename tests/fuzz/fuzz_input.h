// What the fuzz targets share: the fuzzer's bytes as a file the parsers can
// open by name (an anonymous memory file, so nothing touches the disk and
// nothing is left behind), and splitting one input into several files.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace attend::fuzz {

// An in-memory file (memfd) holding `bytes`, named /proc/self/fd/N; closed on
// destruction.
class MemoryFile {
 public:
  explicit MemoryFile(std::string_view bytes);
  ~MemoryFile();
  MemoryFile(const MemoryFile&) = delete;
  MemoryFile& operator=(const MemoryFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  int fd_ = -1;
  std::string path_;
};

// The input split at each line that is exactly "%%", so
// one input can hold a data directory's several files; missing parts are
// empty. Returns exactly `parts` strings (the last one takes the rest).
std::vector<std::string> SplitParts(const uint8_t* data, size_t size, size_t parts);

}  // namespace attend::fuzz
