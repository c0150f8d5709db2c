#include "tools/common/file_source.h"

#include <thread>
#include <vector>

#include "frontend/audio_reader.h"

namespace attend::tools {
namespace {

class FileSource : public AudioSource {
 public:
  FileSource(const std::string& path, int rate_hz, bool realtime, double buffer_seconds)
      : reader_(path, Options(rate_hz)), realtime_(realtime) {
    Init(rate_hz, buffer_seconds, "'" + path + "'" + (realtime ? " in real time" : ""));
    StartCaptureThread([this] { Play(); });
  }
  ~FileSource() override { Stop(); }

 private:
  static frontend::AudioOptions Options(int rate_hz) {
    frontend::AudioOptions opts;
    opts.target_rate_hz = static_cast<float>(rate_hz);
    return opts;
  }

  void Play() {
    // Pieces of 10 ms, as a sound card's periods arrive.
    const size_t piece = std::max(1, SampleRate() / 100);
    const auto start = std::chrono::steady_clock::now();
    int64_t played = 0;
    std::vector<float> chunk;
    try {
      while (!StopRequested() && reader_.Read(&chunk)) {
        for (float& x : chunk) x /= 32768.0f;  // int16 scale -> [-1, 1]
        for (size_t i = 0; i < chunk.size() && !StopRequested(); i += piece) {
          const size_t n = std::min(piece, chunk.size() - i);
          if (realtime_)
            std::this_thread::sleep_until(
                start + std::chrono::microseconds(played * 1000000 / SampleRate()));
          if (!PushAll(chunk.data() + i, n)) break;
          played += static_cast<int64_t>(n);
        }
      }
      End("");
    } catch (const std::exception& e) {
      End(e.what());
    }
  }

  frontend::AudioReader reader_;
  const bool realtime_;
};

}  // namespace

std::unique_ptr<AudioSource> OpenFile(const std::string& path, int rate_hz, bool realtime,
                                      double buffer_seconds) {
  return std::make_unique<FileSource>(path, rate_hz, realtime, buffer_seconds);
}

}  // namespace attend::tools
