#include "base/warning.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace attend {
namespace {

TEST(Warn, PrintsOneLineWithThePrefix) {
  ::testing::internal::CaptureStderr();
  Warn("samples out of range, clipped (", "a.wav", ")");
  EXPECT_EQ(::testing::internal::GetCapturedStderr(),
            "attend: warning: samples out of range, clipped (a.wav)\n");
}

TEST(Warn, LinesOfSeveralThreadsStayWhole) {
  ::testing::internal::CaptureStderr();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([t] {
      for (int i = 0; i < 100; ++i) Warn("thread ", t, " line ", i);
    });
  for (auto& thread : threads) thread.join();
  const std::string out = ::testing::internal::GetCapturedStderr();
  size_t lines = 0;
  for (size_t start = 0, end; (end = out.find('\n', start)) != std::string::npos; start = end + 1) {
    EXPECT_EQ(out.compare(start, 24, "attend: warning: thread "), 0) << out.substr(start, 40);
    ++lines;
  }
  EXPECT_EQ(lines, 400u);
}

}  // namespace
}  // namespace attend
