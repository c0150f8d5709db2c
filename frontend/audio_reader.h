// Audio input: a file path, `-` (stdin) or a Kaldi wav.scp pipe command
// (`sox in.mp3 -t wav - |`), decoded by libsndfile (WAV PCM 8/16/24/32-bit
// and float, FLAC, OGG/Vorbis, …, or headerless raw PCM given --raw-rate and
// --raw-format), mixed down to one channel (or one channel picked), scaled to
// int16 range (±32768, as Kaldi reads samples) and resampled to the target
// rate with libsoxr. It reads in blocks, so any length streams in bounded
// memory. Every error names the source.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <boost/program_options/options_description.hpp>

#include "frontend/resampler.h"

namespace attend::frontend {

// Read() hands out at most this many input frames' worth of samples per call.
constexpr int64_t kAudioBlockFrames = 16384;

struct AudioOptions {
  float target_rate_hz = 16000.0f;  // rate of the samples handed out (features' --sample-frequency)
  int32_t channel = -1;             // --channel: channel to use (0-based); -1 = mix all down
  int32_t raw_rate = 0;             // --raw-rate: Hz of headerless input; 0 = input has a header
  std::string raw_format = "s16le";  // --raw-format: s8|u8|s16le|s16be|s24le|s32le|f32le|f64le|
                                     //   ulaw|alaw (with --raw-rate)
  int32_t raw_channels = 1;          // --raw-channels: channels of headerless input

  void Register(boost::program_options::options_description* desc);
  void Validate() const;
  std::string ToString() const;
};

class AudioReader {
 public:
  // Opens `source`: a path, "-" for stdin, or a shell command ending in '|'.
  // Throws attend::Error naming the source when it cannot be opened or is
  // not audio, has 0 channels, an unsupported rate (outside 1–768 kHz) or a
  // header declaring data of which the file holds none. Warns (base/warning.h)
  // when a file is shorter than its header says or its RIFF length is 0, or its
  // bit depth is not a whole number of bytes (7-bit samples read as 8-bit).
  AudioReader(const std::string& source, const AudioOptions& opts);
  ~AudioReader();
  AudioReader(const AudioReader&) = delete;
  AudioReader& operator=(const AudioReader&) = delete;

  // Replaces `chunk` with the next samples (mono, target rate, int16 scale),
  // at most about 16k input frames' worth; returns false (chunk empty) at the
  // end. Throws attend::Error naming the source on NaN/Inf samples, on a read
  // error or a pipe command that fails. Warns when float samples beyond 1000
  // times full scale are clipped, when fewer frames than the header declares
  // could be read, or when there were none.
  bool Read(std::vector<float>* chunk);

  // Reads everything left.
  std::vector<float> ReadAll();

  int32_t input_rate_hz() const { return input_rate_; }
  int32_t input_channels() const { return input_channels_; }
  // Input frames declared by the header (-1 for a pipe or stdin).
  int64_t input_frames() const { return input_frames_; }
  // Seconds of audio worth reserving memory for: the header's length, at most
  // kMaxReserveSeconds (a header can claim hours the file does not hold;
  // longer audio still reads, its buffers grow as it comes); 0 when unknown.
  double ReserveSeconds() const;
  static constexpr double kMaxReserveSeconds = 600.0;
  const std::string& source() const { return source_; }

 private:
  [[noreturn]] void Fail(const std::string& what) const;
  void Warn(const std::string& what) const;
  // Fails or warns on what libsndfile's log says about the header of a file
  // of which it can read `frames`; bit depths are checked for `pcm` samples.
  void CheckHeader(void* sndfile, int64_t frames, bool pcm) const;
  // Fails on NaN/Inf, clips absurd values in the first `count` samples of
  // interleaved_.
  void CheckFloatSamples(int64_t count);
  void Close();

  AudioOptions opts_;
  std::string source_;
  FILE* pipe_ = nullptr;     // for "cmd |"
  void* sndfile_ = nullptr;  // SNDFILE*
  int32_t input_rate_ = 0;
  int32_t input_channels_ = 0;
  int64_t input_frames_ = -1;
  int64_t frames_read_ = 0;
  bool is_float_ = false;  // float/double samples: checked for NaN/Inf
  bool clipped_ = false;   // out-of-range float samples were clipped (warned once)
  bool at_end_ = false;
  std::vector<float> interleaved_;  // read block, reused
  std::vector<float> mono_;         // downmixed block, reused
  std::unique_ptr<Resampler> resampler_;
};

// Reads a whole source (see AudioReader).
std::vector<float> ReadAudio(const std::string& source, const AudioOptions& opts);

}  // namespace attend::frontend
