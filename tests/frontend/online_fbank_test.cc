// OnlineFbank fed arbitrary chunks gives exactly Fbank::Compute's frames.
#include "frontend/online_fbank.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "base/error.h"
#include "frontend/audio_reader.h"
#include "frontend/fbank.h"
#include "tests/test_support.h"

namespace attend::frontend {
namespace {

std::vector<float> Speech() {
  return ReadAudio(testing::DataPath("frontend/fixtures/speech.wav"), AudioOptions());
}

// Feeds `wave` in chunks whose sizes come from `next_size`, popping frames
// after every chunk.
template <typename NextSize>
Matrix Stream(const FbankOptions& opts, const std::vector<float>& wave, NextSize next_size) {
  OnlineFbank online(opts);
  Matrix out;
  size_t pos = 0;
  while (pos < wave.size()) {
    const size_t n = std::min(wave.size() - pos, static_cast<size_t>(next_size()));
    online.AcceptWaveform(std::span<const float>(wave.data() + pos, n));
    pos += n;
    online.PopFrames(&out);
  }
  online.InputFinished();
  online.PopFrames(&out);
  if (out.cols() == 0) out.Resize(0, online.Dim());
  return out;
}

bool BitIdentical(const Matrix& a, const Matrix& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         (a.empty() || std::memcmp(a.data(), b.data(), sizeof(float) * a.rows() * a.cols()) == 0);
}

void ExpectStreamingMatchesWhole(const FbankOptions& opts, const std::vector<float>& wave) {
  Fbank whole(opts);
  const Matrix expected = whole.Compute(wave);
  for (int fixed : {1, 7, 160, 400, 4096, 1 << 20}) {
    SCOPED_TRACE("chunk " + std::to_string(fixed));
    EXPECT_TRUE(BitIdentical(Stream(opts, wave, [&] { return fixed; }), expected));
  }
  std::mt19937 gen(7);
  for (int trial = 0; trial < 5; ++trial) {
    SCOPED_TRACE("random chunks, trial " + std::to_string(trial));
    std::uniform_int_distribution<int> size(1, trial < 3 ? 700 : 5000);
    EXPECT_TRUE(BitIdentical(Stream(opts, wave, [&] { return size(gen); }), expected));
  }
}

TEST(OnlineFbank, ChunksGiveTheWholeFileFramesBitForBit) {
  ExpectStreamingMatchesWhole(FbankOptions(), Speech());
}

TEST(OnlineFbank, WithoutSnipEdgesAndWithEnergy) {
  FbankOptions opts;
  opts.frame.snip_edges = false;
  opts.use_energy = true;
  ExpectStreamingMatchesWhole(opts, Speech());
}

TEST(OnlineFbank, WithSeededDither) {
  FbankOptions opts;
  opts.frame.dither = 1.0f;
  opts.frame.dither_seed = 42;
  ExpectStreamingMatchesWhole(opts, Speech());
}

TEST(OnlineFbank, ShortSignals) {
  const std::vector<float> speech = Speech();
  for (size_t n : {0, 1, 80, 399, 400, 401, 559, 560}) {
    SCOPED_TRACE("samples " + std::to_string(n));
    std::vector<float> wave(speech.begin() + 4000, speech.begin() + 4000 + n);
    FbankOptions opts;
    ExpectStreamingMatchesWhole(opts, wave);
    opts.frame.snip_edges = false;
    ExpectStreamingMatchesWhole(opts, wave);
  }
}

TEST(OnlineFbank, FrameCountsFollowKaldi) {
  FrameOptions o;  // 400-sample window, 160-sample shift
  EXPECT_EQ(NumFrames(399, o), 0);
  EXPECT_EQ(NumFrames(400, o), 1);
  EXPECT_EQ(NumFrames(559, o), 1);
  EXPECT_EQ(NumFrames(560, o), 2);
  EXPECT_EQ(NumFrames(16000, o), 98);
  o.snip_edges = false;
  EXPECT_EQ(NumFrames(399, o), 2);  // round(399 / 160)
  EXPECT_EQ(NumFrames(16000, o), 100);
  EXPECT_EQ(NumFrames(79, o), 0);
  EXPECT_EQ(NumFrames(80, o), 1);
  EXPECT_EQ(FirstSampleOfFrame(0, o), 80 - 200);
}

TEST(OnlineFbank, PopFramesHandsOverOnlyNewFramesAndMemoryStaysBounded) {
  OnlineFbank online{FbankOptions()};
  std::vector<float> chunk(1600, 100.0f);
  Matrix out;
  int64_t total = 0;
  for (int i = 0; i < 100; ++i) {
    online.AcceptWaveform(chunk);
    const int64_t before = online.NumFramesReady() - 0;
    Matrix fresh;
    total += online.PopFrames(&fresh);
    EXPECT_EQ(fresh.rows(), i == 0 ? before : 10);  // 1600 samples = 10 shifts
    EXPECT_EQ(online.NumFramesReady(), total);
  }
  online.InputFinished();
  total += online.PopFrames(&out);
  EXPECT_EQ(total, NumFrames(160000, FrameOptions()));
  EXPECT_EQ(online.NumFramesReady(), total);
  EXPECT_THROW(online.AcceptWaveform(chunk), Error);
}

}  // namespace
}  // namespace attend::frontend
