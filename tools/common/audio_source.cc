#include "tools/common/audio_source.h"

#include <cmath>
#include <sstream>
#include <thread>

#include "base/error.h"
#include "tools/common/file_source.h"
#include "tools/common/microphone_source.h"
#include "tools/common/raw_pcm_source.h"

namespace attend::tools {

namespace po = boost::program_options;

void AudioSourceOptions::Register(po::options_description* desc) {
  desc->add_options()("device", po::value(&device),
                      "microphone: a PortAudio input device, by index or part of its name "
                      "(--list-devices); default: the system's default input")(
      "raw-rate", po::value(&raw_rate_hz)->default_value(raw_rate_hz),
      "stdin (-): sample rate of the raw mono PCM, Hz")(
      "raw-format", po::value(&raw_format)->default_value(raw_format),
      "stdin (-): s16 (signed 16-bit little-endian) | f32 (float little-endian, +-1)")(
      "realtime", po::bool_switch(&realtime),
      "FILE: play it at real-time speed, as a live recording arrives (default: as fast as "
      "decoding goes)")("buffer", po::value(&buffer_seconds)->default_value(buffer_seconds),
                        "seconds of audio captured ahead of decoding before a microphone's "
                        "samples are dropped (reported as a warning)");
}

void AudioSourceOptions::Validate() const {
  ATTEND_CHECK(raw_rate_hz >= 1000 && raw_rate_hz <= 768000,
               "--raw-rate must be in 1000..768000 Hz, got ", raw_rate_hz);
  ATTEND_CHECK(raw_format == "s16" || raw_format == "f32", "--raw-format must be s16 or f32, got '",
               raw_format, "'");
  ATTEND_CHECK(buffer_seconds >= 0.1 && std::isfinite(buffer_seconds),
               "--buffer must be at least 0.1 seconds, got ", buffer_seconds);
  ATTEND_CHECK(!realtime || (!input.empty() && input != "-"),
               "--realtime plays a file; the microphone and stdin are real-time already");
}

std::string AudioSourceOptions::ToString() const {
  std::ostringstream s;
  s << "input=" << (input.empty() ? "microphone" : input) << " device=" << device
    << " raw_rate_hz=" << raw_rate_hz << " raw_format=" << raw_format << " realtime=" << realtime
    << " buffer_seconds=" << buffer_seconds;
  return s.str();
}

size_t AudioSource::Read(float* out, size_t max, std::chrono::milliseconds timeout) {
  // Polled rather than signalled: a real-time audio callback must not take
  // the lock a condition variable needs. A few ms is far below a partial's
  // interval.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    Watch();
    const bool ended = HasEnded();  // before reading: nothing comes after the end
    if (const size_t n = buffer_->Read(out, max); n > 0 || ended) return n;
    if (std::chrono::steady_clock::now() >= deadline) return 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

bool AudioSource::Ended() const { return HasEnded() && buffer_->Size() == 0; }

std::string AudioSource::Error() const {
  std::lock_guard<std::mutex> lock(error_mutex_);
  return error_;
}

void AudioSource::Init(int rate_hz, double buffer_seconds, const std::string& description) {
  rate_hz_ = rate_hz;
  description_ = description;
  buffer_ =
      std::make_unique<RingBuffer<float>>(static_cast<size_t>(std::ceil(buffer_seconds * rate_hz)));
}

bool AudioSource::PushAll(const float* samples, size_t count) {
  while (count > 0) {
    const size_t n = buffer_->Write(samples, std::min(count, buffer_->Space()));
    samples += n;
    count -= n;
    if (count == 0) break;
    if (StopRequested()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

void AudioSource::StartCaptureThread(std::function<void()> capture) {
  thread_ = std::thread(std::move(capture));
}

void AudioSource::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  End("");
}

void AudioSource::End(const std::string& error) {
  {
    std::lock_guard<std::mutex> lock(error_mutex_);
    if (error_.empty()) error_ = error;
  }
  ended_.store(true, std::memory_order_release);
}

std::unique_ptr<AudioSource> OpenAudioSource(const AudioSourceOptions& opts, int model_rate_hz) {
  opts.Validate();
  if (opts.input.empty()) return OpenMicrophone(opts.device, model_rate_hz, opts.buffer_seconds);
  if (opts.input == "-") return OpenRawPcm(opts.raw_rate_hz, opts.raw_format, opts.buffer_seconds);
  return OpenFile(opts.input, model_rate_hz, opts.realtime, opts.buffer_seconds);
}

}  // namespace attend::tools
