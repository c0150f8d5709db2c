#include "base/warning.h"

#include <cstdio>

namespace attend::internal {

void PrintWarning(const std::string& message) {
  const std::string line = "attend: warning: " + message + "\n";
  // stdio locks the stream for the call: one line stays whole.
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace attend::internal
