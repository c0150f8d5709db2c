// Where `attend stream` gets its audio: a microphone (PortAudio), raw PCM on
// stdin, or a file, played at real-time speed or as fast as possible. Every
// source captures on its own thread into a bounded RingBuffer; the decoding
// loop takes the samples with Read(). A live source that outruns the loop
// drops samples and counts them (Dropped()); stdin and files wait instead,
// so they lose nothing.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <boost/program_options/options_description.hpp>

#include "tools/common/ring_buffer.h"

namespace attend::tools {

struct AudioSourceOptions {
  // "" = the microphone, "-" = raw PCM on stdin, else an audio file.
  std::string input;
  // Microphone: a PortAudio device index, or part of a device's name; "" =
  // the default input device.
  std::string device;
  // stdin: the sample rate (Hz) and the sample format of the raw PCM: s16
  // (signed 16-bit little-endian) or f32 (32-bit float little-endian, ±1).
  int raw_rate_hz = 16000;
  std::string raw_format = "s16";
  // File: play it at real-time speed (as a recording would arrive) instead of
  // as fast as decoding goes.
  bool realtime = false;
  // Seconds of audio the capture buffer holds before a live source drops samples.
  double buffer_seconds = 10.0;

  // --device, --raw-rate, --raw-format, --realtime, --buffer (the input is positional).
  void Register(boost::program_options::options_description* desc);
  // Throws attend::Error naming the flag and the bad value.
  void Validate() const;
  std::string ToString() const;
};

class AudioSource {
 public:
  virtual ~AudioSource() = default;
  AudioSource(const AudioSource&) = delete;
  AudioSource& operator=(const AudioSource&) = delete;

  // Rate (Hz) of the samples Read() gives: the device's, the raw input's, or
  // the file's after resampling to the rate asked for at Open.
  int SampleRate() const { return rate_hz_; }
  // What is captured, for messages: "input device 'pulse' at 16000 Hz".
  const std::string& Description() const { return description_; }
  // Moves up to `max` mono samples in [-1, 1] into `out`, waiting up to
  // `timeout` for the first. Returns how many (0: none yet, or Ended()).
  size_t Read(float* out, size_t max, std::chrono::milliseconds timeout);
  // Takes what was captured without waiting (for a last read after Stop()).
  size_t ReadAvailable(float* out, size_t max) { return buffer_->Read(out, max); }
  // True once capture ended (end of input, failure or Stop()) and every
  // captured sample was read.
  bool Ended() const;
  // Why capture ended early ("" at the normal end of input).
  std::string Error() const;
  // Samples a live source dropped because the buffer was full.
  uint64_t Dropped() const { return buffer_->Dropped(); }
  // Stops capture; samples already captured stay readable. Idempotent. (The
  // default ends the capture thread.)
  virtual void Stop();

 protected:
  AudioSource() = default;
  // Sets the rate and the description and sizes the buffer; called by
  // sources before capture starts.
  void Init(int rate_hz, double buffer_seconds, const std::string& description);
  // Capture thread: appends samples; what does not fit is dropped.
  void Push(const float* samples, size_t count) { buffer_->Write(samples, count); }
  // Capture thread: appends all of them, waiting for room (false if stopped).
  bool PushAll(const float* samples, size_t count);
  // Runs `capture` on the source's own thread, which ends when it returns.
  // (PortAudio brings its own thread.) A source with one calls Stop() in its
  // destructor, so the thread ends before the members it uses.
  void StartCaptureThread(std::function<void()> capture);
  // Capture thread: whether Stop() asks it to end.
  bool StopRequested() const { return stop_.load(std::memory_order_relaxed); }
  // Called by Read() on the reading thread: a source whose capture can stop
  // without telling (a device unplugged) checks it here and calls End().
  virtual void Watch() {}
  // Capture thread: capture is over, with `error` when it failed.
  void End(const std::string& error);
  // Whether End() was called.
  bool HasEnded() const { return ended_.load(std::memory_order_acquire); }

 private:
  int rate_hz_ = 0;
  std::string description_;
  std::unique_ptr<RingBuffer<float>> buffer_;
  std::atomic<bool> ended_{false};
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex error_mutex_;
  std::string error_;
};

// Opens and starts the source `opts` names; files are resampled to
// `model_rate_hz`, live sources keep their own rate. Throws attend::Error
// with what failed (no input device, a refused rate, a missing file).
std::unique_ptr<AudioSource> OpenAudioSource(const AudioSourceOptions& opts, int model_rate_hz);

}  // namespace attend::tools
