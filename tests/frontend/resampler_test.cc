#include "frontend/resampler.h"

#include <gtest/gtest.h>

#include <random>

#include "tests/frontend/audio_test_util.h"

namespace attend::frontend {
namespace {

TEST(Resampler, ChunkedEqualsWhole) {
  const std::vector<float> x = testutil::Sine(440, 44100, 44100);
  const std::vector<float> whole = Resampler::Resample(x, 44100, 16000);
  Resampler r(44100, 16000);
  std::vector<float> chunked;
  std::mt19937 gen(3);
  std::uniform_int_distribution<int> size(1, 3000);
  for (size_t pos = 0; pos < x.size();) {
    const size_t n = std::min(x.size() - pos, static_cast<size_t>(size(gen)));
    r.Process(std::span<const float>(x.data() + pos, n), &chunked);
    pos += n;
  }
  r.Flush(&chunked);
  ASSERT_EQ(chunked.size(), whole.size());
  for (size_t i = 0; i < whole.size(); ++i) ASSERT_NEAR(chunked[i], whole[i], 1e-6) << i;
  EXPECT_NEAR(static_cast<double>(whole.size()), 16000.0, 1.0);
}

TEST(Resampler, PreservesAToneBelowNyquist) {
  const std::vector<float> x = testutil::Sine(3000, 8000, 8000);
  const std::vector<float> y = Resampler::Resample(x, 8000, 16000);
  const std::vector<float> expected = testutil::Sine(3000, 16000, 16000);
  for (size_t i = 500; i + 500 < y.size(); ++i) ASSERT_NEAR(y[i], expected[i], 2e-3) << i;
}

}  // namespace
}  // namespace attend::frontend
