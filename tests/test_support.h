// Helpers shared by the test suites: fixture paths, temporary folders, and
// running the `attend` binary the way a user would.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>

namespace attend::testing {

// A path under tests/ (fixtures live beside the tests that use them).
inline std::string DataPath(const std::string& relative) {
  return std::string(ATTEND_TEST_DATA_DIR) + "/" + relative;
}

// A whole file's bytes ("" when it cannot be read).
inline std::string ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A fresh folder under the system temp dir, removed when the object dies.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("attend_test_" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string File(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct CommandResult {
  int exit_code = -1;  // -1 when killed by a signal
  std::string output;  // stdout, and stderr when the command redirects it
};

// Runs a shell command, with stderr captured into output too when the
// command redirects it. A crash shows as exit_code -1.
inline CommandResult RunCommand(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    result.output.append(buffer.data(), n);
  int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// Runs `attend <args>` through the shell (args are shell words, quote them),
// with stderr captured into output too. A crash shows as exit_code -1.
inline CommandResult RunAttend(const std::string& args) {
  return RunCommand(std::string(ATTEND_BINARY) + " " + args + " 2>&1");
}

}  // namespace attend::testing
