// attend::Error and the checks that throw it. Library code reports bad input
// and failed expectations by throwing attend::Error with a message that names
// what was wrong and where (file, option, expected vs actual shape); tools
// catch it at the top and print `attend: error: <message>`.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace attend {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

namespace internal {
// Builds a message from any streamable parts: Concat("bad value ", 3, " for --x").
template <typename... Parts>
std::string Concat(const Parts&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  return out.str();
}
[[noreturn]] void ThrowAssertion(const char* condition, const char* file, int line,
                                 const std::string& message);
}  // namespace internal

// Throws attend::Error with the concatenated message parts.
template <typename... Parts>
[[noreturn]] void Fail(const Parts&... parts) {
  throw Error(internal::Concat(parts...));
}

}  // namespace attend

// Checks a user-facing condition (input, options, file contents): throws
// attend::Error with the message when it does not hold. Active in every build.
#define ATTEND_CHECK(condition, ...)               \
  do {                                             \
    if (!(condition)) ::attend::Fail(__VA_ARGS__); \
  } while (false)

// Checks an internal invariant (a bug if it fails). Active in every build: the
// cost is a branch, and a clear message beats silent corruption.
#define ATTEND_ASSERT(condition, ...)                                 \
  do {                                                                \
    if (!(condition))                                                 \
      ::attend::internal::ThrowAssertion(                             \
          #condition, __FILE__, __LINE__,                             \
          ::attend::internal::Concat("" __VA_OPT__(, ) __VA_ARGS__)); \
  } while (false)
