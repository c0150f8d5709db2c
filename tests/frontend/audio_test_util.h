// Test helpers: write audio files with libsndfile at run time (so bad and
// exotic inputs need no fixtures) and make test signals.
#pragma once

#include <sndfile.h>

#include <cmath>
#include <numbers>
#include <string>
#include <vector>

namespace attend::frontend::testutil {

// Writes interleaved samples in [-1, 1] with libsndfile's `format`
// (e.g. SF_FORMAT_WAV | SF_FORMAT_PCM_16). Returns false on failure.
inline bool WriteAudio(const std::string& path, int format, int rate, int channels,
                       const std::vector<float>& interleaved) {
  SF_INFO info{};
  info.samplerate = rate;
  info.channels = channels;
  info.format = format;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  if (f == nullptr) return false;
  // Without this, libsndfile would clip float input to [-1, 1) for PCM and
  // write NaN as-is for float formats (as we want for the NaN tests).
  sf_writef_float(f, interleaved.data(), static_cast<sf_count_t>(interleaved.size() / channels));
  sf_close(f);
  return true;
}

// A sine of `hz` at `rate`, amplitude `amp` (in [-1, 1] units).
inline std::vector<float> Sine(double hz, int rate, int n, double amp = 0.5) {
  std::vector<float> x(n);
  for (int i = 0; i < n; ++i)
    x[i] = static_cast<float>(amp * std::sin(2 * std::numbers::pi * hz * i / rate));
  return x;
}

}  // namespace attend::frontend::testutil
