#include "tools/common/raw_pcm_source.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <vector>

namespace attend::tools {
namespace {

class RawPcmSource : public AudioSource {
 public:
  RawPcmSource(int rate_hz, const std::string& format, double buffer_seconds)
      : bytes_per_sample_(format == "f32" ? 4 : 2) {
    Init(rate_hz, buffer_seconds,
         "raw " + format + " PCM on stdin at " + std::to_string(rate_hz) + " Hz");
    StartCaptureThread([this] { Capture(); });
  }
  ~RawPcmSource() override { Stop(); }

 private:
  void Capture() {
    std::vector<unsigned char> bytes(8192);
    size_t held = 0;  // bytes of an incomplete sample kept from the last read
    std::vector<float> samples;
    while (!StopRequested()) {
      // poll() with a timeout, not a blocking read(), so Stop() is seen.
      pollfd fd{STDIN_FILENO, POLLIN, 0};
      const int ready = poll(&fd, 1, 50);
      if (ready < 0 && errno == EINTR) continue;
      if (ready < 0) return End(std::string("polling stdin: ") + std::strerror(errno));
      if (ready == 0) continue;
      const ssize_t got = read(STDIN_FILENO, bytes.data() + held, bytes.size() - held);
      if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (got < 0) return End(std::string("reading stdin: ") + std::strerror(errno));
      if (got == 0) return End("");  // end of input; an incomplete last sample is dropped
      const size_t total = held + static_cast<size_t>(got);
      const size_t count = total / bytes_per_sample_;
      samples.resize(count);
      for (size_t i = 0; i < count; ++i) {
        const unsigned char* p = bytes.data() + i * bytes_per_sample_;
        if (bytes_per_sample_ == 2) {
          samples[i] = static_cast<float>(static_cast<int16_t>(p[0] | (p[1] << 8))) / 32768.0f;
        } else {
          const uint32_t u =
              p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<uint32_t>(p[3]) << 24);
          std::memcpy(&samples[i], &u, 4);
        }
      }
      held = total - count * bytes_per_sample_;
      std::memmove(bytes.data(), bytes.data() + count * bytes_per_sample_, held);
      if (!PushAll(samples.data(), count)) break;
    }
    End("");
  }

  const size_t bytes_per_sample_;
};

}  // namespace

std::unique_ptr<AudioSource> OpenRawPcm(int rate_hz, const std::string& format,
                                        double buffer_seconds) {
  return std::make_unique<RawPcmSource>(rate_hz, format, buffer_seconds);
}

}  // namespace attend::tools
