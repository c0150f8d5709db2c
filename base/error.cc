#include "base/error.h"

namespace attend::internal {

void ThrowAssertion(const char* condition, const char* file, int line, const std::string& message) {
  std::ostringstream out;
  out << "internal error: " << condition << " failed at " << file << ":" << line;
  if (!message.empty()) out << ": " << message;
  throw Error(out.str());
}

}  // namespace attend::internal
