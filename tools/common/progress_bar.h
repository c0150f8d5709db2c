// A one-line progress bar on stderr for batch commands: shown only when
// stderr is a terminal (never in logs or pipes) and not --quiet.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace attend::tools {

class ProgressBar {
 public:
  // `total` items; enabled when `enabled` and stderr is a terminal.
  ProgressBar(int64_t total, bool enabled);
  ~ProgressBar();
  // Marks one more item done; `label` (e.g. the file) is shown beside the bar.
  void Advance(const std::string& label);
  bool active() const { return active_; }

 private:
  int64_t total_, done_ = 0;
  bool active_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace attend::tools
