// AudioReader: formats, raw PCM, stdin, pipes, resampling, channels, and the
// bad inputs of the issue (each one clear error naming the file).
#include "frontend/audio_reader.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <limits>

#include "base/error.h"
#include "tests/frontend/audio_test_util.h"
#include "tests/test_support.h"

namespace attend::frontend {
namespace {

using testutil::Sine;
using testutil::WriteAudio;

// The error message of reading `source`, or "" if it reads.
std::string ReadError(const std::string& source, const AudioOptions& opts = AudioOptions()) {
  try {
    ReadAudio(source, opts);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

void ExpectOneLineErrorNaming(const std::string& source, const std::string& what,
                              const AudioOptions& opts = AudioOptions()) {
  const std::string error = ReadError(source, opts);
  EXPECT_NE(error, "") << source;
  EXPECT_NE(error.find(source), std::string::npos) << error;
  EXPECT_NE(error.find(what), std::string::npos) << error;
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
}

double MaxAbsDiff(const std::vector<float>& a, const std::vector<float>& b, float scale) {
  double m = 0;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    m = std::max(m, std::fabs(static_cast<double>(a[i]) - scale * b[i]));
  }
  return m;
}

TEST(AudioReader, ReadsEveryFormatAtInt16Scale) {
  testing::TempDir dir;
  const std::vector<float> x = Sine(440, 16000, 8000);
  struct Case {
    const char* name;
    int format;
    double tolerance;  // int16 units
  } cases[] = {
      {"pcm8.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_U8, 256},
      {"pcm16.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1.0},  // libsndfile writes x*32767
      {"pcm24.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_24, 0.01},
      {"pcm32.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_32, 0.01},
      {"float.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 0.01},
      {"flac.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 1.0},
      {"vorbis.ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS, 600},  // lossy
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ASSERT_TRUE(WriteAudio(dir.File(c.name), c.format, 16000, 1, x));
    AudioReader reader(dir.File(c.name), AudioOptions());
    EXPECT_EQ(reader.input_rate_hz(), 16000);
    std::vector<float> y = reader.ReadAll();
    ASSERT_NEAR(static_cast<double>(y.size()), 8000.0, 0.0);
    EXPECT_LE(MaxAbsDiff(y, x, 32768.0f), c.tolerance);
  }
}

TEST(AudioReader, RawPcmNeedsRateAndFormat) {
  testing::TempDir dir;
  std::vector<int16_t> pcm = {0, 1000, -1000, 32767, -32768};
  std::ofstream(dir.File("a.raw"), std::ios::binary)
      .write(reinterpret_cast<const char*>(pcm.data()), 2 * pcm.size());
  AudioOptions opts;
  opts.raw_rate = 16000;
  opts.raw_format = "s16le";
  std::vector<float> y = ReadAudio(dir.File("a.raw"), opts);
  ASSERT_EQ(y.size(), pcm.size());
  for (size_t i = 0; i < pcm.size(); ++i) EXPECT_EQ(y[i], static_cast<float>(pcm[i]));
  // Without --raw-rate the bytes are not recognized audio.
  ExpectOneLineErrorNaming(dir.File("a.raw"), "cannot read audio");
  opts.raw_format = "mp3";
  EXPECT_THROW(opts.Validate(), Error);
}

TEST(AudioReader, PipeCommandAndStdin) {
  testing::TempDir dir;
  const std::vector<float> x = Sine(300, 16000, 4000);
  ASSERT_TRUE(WriteAudio(dir.File("a.wav"), SF_FORMAT_WAV | SF_FORMAT_PCM_16, 16000, 1, x));
  const std::vector<float> direct = ReadAudio(dir.File("a.wav"), AudioOptions());
  EXPECT_EQ(ReadAudio("cat " + dir.File("a.wav") + " |", AudioOptions()), direct);

  // stdin: point fd 0 at the file for the duration of the read.
  const int saved = dup(0);
  const int fd = open(dir.File("a.wav").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  dup2(fd, 0);
  close(fd);
  std::vector<float> from_stdin = ReadAudio("-", AudioOptions());
  dup2(saved, 0);
  close(saved);
  EXPECT_EQ(from_stdin, direct);

  const std::string error = ReadError("false |");
  EXPECT_NE(error.find("command failed"), std::string::npos) << error;
  EXPECT_NE(error.find("false |"), std::string::npos) << error;
}

TEST(AudioReader, ResamplesToTheTargetRate) {
  testing::TempDir dir;
  for (int rate : {8000, 22050, 44100, 48000}) {
    SCOPED_TRACE(rate);
    const std::vector<float> x = Sine(1000, rate, rate);  // 1 s
    ASSERT_TRUE(WriteAudio(dir.File("a.wav"), SF_FORMAT_WAV | SF_FORMAT_FLOAT, rate, 1, x));
    const std::vector<float> y = ReadAudio(dir.File("a.wav"), AudioOptions());
    EXPECT_NEAR(static_cast<double>(y.size()), 16000.0, 1.0);
    // Away from the edges, the output is the same sine sampled at 16 kHz.
    const std::vector<float> expected = Sine(1000, 16000, 16000);
    double err = 0;
    for (size_t i = 1000; i + 1000 < y.size(); ++i) {
      err = std::max(err, std::fabs(y[i] / 32768.0 - expected[i]));
    }
    EXPECT_LT(err, 1e-3);
  }
}

TEST(AudioReader, MixesDownOrPicksAChannel) {
  testing::TempDir dir;
  std::vector<float> stereo;
  for (int i = 0; i < 1000; ++i) {
    stereo.push_back(0.25f);
    stereo.push_back(-0.5f);
  }
  ASSERT_TRUE(WriteAudio(dir.File("s.wav"), SF_FORMAT_WAV | SF_FORMAT_PCM_16, 16000, 2, stereo));
  AudioOptions opts;
  EXPECT_EQ(ReadAudio(dir.File("s.wav"), opts)[10], (0.25f - 0.5f) / 2 * 32768.0f);
  opts.channel = 1;
  EXPECT_EQ(ReadAudio(dir.File("s.wav"), opts)[10], -0.5f * 32768.0f);
  opts.channel = 2;
  ExpectOneLineErrorNaming(dir.File("s.wav"), "--channel 2", opts);
}

// The bad inputs of issue 3, generated here.
TEST(AudioReader, BadInputsGiveOneClearErrorNamingTheFile) {
  testing::TempDir dir;
  const std::vector<float> x = Sine(440, 16000, 16000);
  ASSERT_TRUE(WriteAudio(dir.File("ok.wav"), SF_FORMAT_WAV | SF_FORMAT_PCM_16, 16000, 1, x));
  const std::string ok = testing::ReadFileBytes(dir.File("ok.wav"));
  auto write = [&](const std::string& name, const std::string& bytes) {
    std::ofstream(dir.File(name), std::ios::binary) << bytes;
    return dir.File(name);
  };
  auto patched = [&](size_t offset, uint32_t value, int bytes) {
    std::string b = ok;
    std::memcpy(b.data() + offset, &value, bytes);
    return b;
  };
  ExpectOneLineErrorNaming(write("empty.wav", ""), "empty");
  ExpectOneLineErrorNaming(write("text.wav", std::string(200, 'x')), "cannot read audio");
  ExpectOneLineErrorNaming(write("header_only.wav", ok.substr(0, 30)), "cannot read audio");
  ExpectOneLineErrorNaming(write("no_data.wav", ok.substr(0, 44)), "no audio data");
  ExpectOneLineErrorNaming(write("zero_channels.wav", patched(22, 0, 2)), "channel");
  ExpectOneLineErrorNaming(write("rate0.wav", patched(24, 0, 4)), "cannot read audio");
  ExpectOneLineErrorNaming(write("rate10m.wav", patched(24, 10000000, 4)), "sample rate 10000000");
  ExpectOneLineErrorNaming(dir.File("missing.wav"), "cannot open");

  for (float bad :
       {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()}) {
    std::vector<float> y = x;
    y[12345] = bad;
    ASSERT_TRUE(WriteAudio(dir.File("nan.wav"), SF_FORMAT_WAV | SF_FORMAT_FLOAT, 16000, 1, y));
    ExpectOneLineErrorNaming(dir.File("nan.wav"), "NaN or Inf");
  }
}

// Reads `source`, returning its samples; `warnings` gets what went to stderr.
std::vector<float> ReadCapturingStderr(const std::string& source, std::string* warnings) {
  ::testing::internal::CaptureStderr();
  std::vector<float> samples;
  try {
    samples = ReadAudio(source, AudioOptions());
  } catch (...) {
    *warnings = ::testing::internal::GetCapturedStderr();
    throw;
  }
  *warnings = ::testing::internal::GetCapturedStderr();
  return samples;
}

// Usable but wrong input: read, with one warning line naming the file.
TEST(AudioReader, UsableButWrongInputsWarnNamingTheFile) {
  testing::TempDir dir;
  const std::vector<float> x = Sine(440, 16000, 16000);
  ASSERT_TRUE(WriteAudio(dir.File("ok.wav"), SF_FORMAT_WAV | SF_FORMAT_PCM_16, 16000, 1, x));
  const std::string ok = testing::ReadFileBytes(dir.File("ok.wav"));
  const size_t data = ok.find("data");
  ASSERT_NE(data, std::string::npos);
  auto write = [&](const std::string& name, std::string bytes, size_t offset, uint32_t value) {
    if (offset > 0) std::memcpy(bytes.data() + offset, &value, 4);
    std::ofstream(dir.File(name), std::ios::binary) << bytes;
    return dir.File(name);
  };
  auto expect_warning = [](const std::string& source, const std::string& what, size_t samples) {
    std::string warnings;
    EXPECT_EQ(ReadCapturingStderr(source, &warnings).size(), samples) << source;
    EXPECT_EQ(warnings.find("attend: warning: "), 0u) << warnings;
    EXPECT_NE(warnings.find(what), std::string::npos) << warnings;
    const std::string named = " (" + source + ")\n";
    EXPECT_EQ(warnings.rfind(named), warnings.size() - named.size()) << warnings;
    EXPECT_EQ(std::count(warnings.begin(), warnings.end(), '\n'), 1) << warnings;
  };
  std::string warnings;
  EXPECT_EQ(ReadCapturingStderr(dir.File("ok.wav"), &warnings).size(), 16000u);
  EXPECT_EQ(warnings, "");
  // Cut at 8000 samples plus a byte; the header still declares 16000.
  expect_warning(write("truncated.wav", ok.substr(0, data + 8 + 16001), 0, 0),
                 "file shorter than its header says (8000 of 16000 frames)", 8000);
  // A placeholder length, as streaming writers leave it.
  expect_warning(write("data_2gb.wav", ok, data + 4, 2000000000),
                 "file shorter than its header says (16000 of 1000000000 frames)", 16000);
  expect_warning(write("riff0.wav", ok, 4, 0), "RIFF length 0 in the header", 16000);

  ASSERT_TRUE(WriteAudio(dir.File("none.wav"), SF_FORMAT_WAV | SF_FORMAT_PCM_16, 16000, 1, {}));
  expect_warning(dir.File("none.wav"), "no audio samples in the file", 0);

  std::vector<float> y = x;
  y[100] = 1e30f;
  y[200] = -1e30f;
  ASSERT_TRUE(WriteAudio(dir.File("huge.wav"), SF_FORMAT_WAV | SF_FORMAT_FLOAT, 16000, 1, y));
  expect_warning(dir.File("huge.wav"), "samples out of range, clipped to +-1000 times full scale",
                 16000);
  const std::vector<float> clipped = ReadCapturingStderr(dir.File("huge.wav"), &warnings);
  EXPECT_EQ(clipped[100], 1000.0f * 32768.0f);
  EXPECT_EQ(clipped[200], -1000.0f * 32768.0f);
  EXPECT_FLOAT_EQ(clipped[300], x[300] * 32768.0f);
}

// A FLAC header claiming 2^36 - 1 samples (about 50 days at 16 kHz) in a file
// of one second: reading reserves at most kMaxReserveSeconds (the fuzzer's
// 10 GB reservation) and still reads the second that is there.
TEST(AudioReader, AHeaderClaimingDaysReservesAtMostMinutes) {
  testing::TempDir dir;
  const std::string path = dir.File("lying_length.flac");
  ASSERT_TRUE(
      WriteAudio(path, SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 16000, 1, Sine(440, 16000, 16000)));
  std::string bytes = testing::ReadFileBytes(path);
  ASSERT_EQ(bytes.substr(0, 4), "fLaC");
  // STREAMINFO's 36-bit total-samples field: the low nibble of byte 21, bytes 22-25.
  bytes[21] = static_cast<char>(bytes[21] | 0x0f);
  for (int i = 22; i < 26; ++i) bytes[i] = static_cast<char>(0xff);
  std::ofstream(path, std::ios::binary) << bytes;

  AudioReader reader(path, AudioOptions());
  EXPECT_EQ(reader.input_frames(), (int64_t{1} << 36) - 1);
  EXPECT_EQ(reader.ReserveSeconds(), AudioReader::kMaxReserveSeconds);
  EXPECT_EQ(reader.ReadAll().size(), 16000u);
}

}  // namespace
}  // namespace attend::frontend
