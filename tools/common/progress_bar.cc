#include "tools/common/progress_bar.h"

#include <unistd.h>

#include <cstdio>

namespace attend::tools {

ProgressBar::ProgressBar(int64_t total, bool enabled)
    : total_(total),
      active_(enabled && total > 0 && isatty(STDERR_FILENO)),
      start_(std::chrono::steady_clock::now()) {}

ProgressBar::~ProgressBar() {
  if (active_) std::fprintf(stderr, "\n");
}

void ProgressBar::Advance(const std::string& label) {
  ++done_;
  if (!active_) return;
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(kWidth * done_ / total_);
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double eta =
      done_ > 0 ? elapsed / static_cast<double>(done_) * static_cast<double>(total_ - done_) : 0;
  std::string shown = label.size() > 30 ? "..." + label.substr(label.size() - 27) : label;
  std::fprintf(stderr, "\r[%.*s%*s] %lld/%lld  eta %4.0fs  %-30s", filled,
               "==============================", kWidth - filled, "", static_cast<long long>(done_),
               static_cast<long long>(total_), eta, shown.c_str());
  std::fflush(stderr);
}

}  // namespace attend::tools
