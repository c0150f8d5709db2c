// Warnings: input that is usable but wrong (a file shorter than its header
// says, samples clipped, an odd bit depth). The library goes on and tells the
// user on stderr as `attend: warning: <message>`, the counterpart of the
// `attend: error: <message>` that tools print for an attend::Error (error.h).
// Messages name what was wrong and where, as error messages do.
#pragma once

#include <string>

#include "base/error.h"

namespace attend {

namespace internal {
// Writes `attend: warning: <message>` and a newline to stderr as one write, so
// that warnings of several threads do not interleave.
void PrintWarning(const std::string& message);
}  // namespace internal

// Prints a warning with the concatenated message parts (see error.h's Fail).
template <typename... Parts>
void Warn(const Parts&... parts) {
  internal::PrintWarning(internal::Concat(parts...));
}

}  // namespace attend
