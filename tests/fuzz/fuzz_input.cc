#include "tests/fuzz/fuzz_input.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace attend::fuzz {

MemoryFile::MemoryFile(std::string_view bytes) {
  fd_ = memfd_create("attend-fuzz", 0);
  if (fd_ < 0) {
    std::perror("memfd_create");
    std::abort();
  }
  for (size_t done = 0; done < bytes.size();) {
    const ssize_t n = write(fd_, bytes.data() + done, bytes.size() - done);
    if (n <= 0) {
      std::perror("write");
      std::abort();
    }
    done += static_cast<size_t>(n);
  }
  path_ = "/proc/self/fd/" + std::to_string(fd_);
}

MemoryFile::~MemoryFile() { close(fd_); }

std::vector<std::string> SplitParts(const uint8_t* data, size_t size, size_t parts) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  constexpr std::string_view kMark = "\n%%\n";
  std::vector<std::string> out;
  size_t begin = 0;
  while (out.size() + 1 < parts) {
    const size_t mark = text.find(kMark, begin);
    if (mark == std::string_view::npos) break;
    out.emplace_back(text.substr(begin, mark + 1 - begin));  // keeps the part's last newline
    begin = mark + kMark.size();
  }
  out.emplace_back(text.substr(begin));
  out.resize(parts);
  return out;
}

}  // namespace attend::fuzz
