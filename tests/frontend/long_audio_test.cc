// Slow: a 2-hour recording streams through the feature pipeline in bounded
// memory. The audio comes from a pipe (sox synthesizing a WAV to stdout), so
// no 230 MB file is written; features are popped and dropped as they come.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include "frontend/audio_reader.h"
#include "frontend/online_fbank.h"

namespace attend::frontend {
namespace {

long PeakRssKb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

TEST(LongAudio, TwoHoursStreamInBoundedMemory) {
  const long before = PeakRssKb();
  AudioReader reader("sox -R -n -r 44100 -b 16 -c 2 -t wav - synth 7200 sine 300-3000 |",
                     AudioOptions());
  OnlineFbank online{FbankOptions()};
  std::vector<float> chunk;
  Matrix frames;
  int64_t total = 0, samples = 0;
  while (reader.Read(&chunk)) {
    samples += static_cast<int64_t>(chunk.size());
    online.AcceptWaveform(chunk);
    frames.Resize(0, online.Dim());
    total += online.PopFrames(&frames);
  }
  online.InputFinished();
  frames.Resize(0, online.Dim());
  total += online.PopFrames(&frames);
  EXPECT_NEAR(static_cast<double>(samples), 7200.0 * 16000, 16.0);
  EXPECT_EQ(total, NumFrames(samples, FrameOptions()));
  EXPECT_LT(PeakRssKb() - before, 50 * 1024)
      << "peak RSS grew by " << (PeakRssKb() - before) << " KB";
}

}  // namespace
}  // namespace attend::frontend
