#include "tools/common/microphone_source.h"

#include <fcntl.h>
#include <portaudio.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>

#include "base/error.h"

namespace attend::tools {
namespace {

// Pa_Initialize() and Pa_Terminate() for a scope. ALSA prints a page of
// notes on stderr while PortAudio probes devices that do not exist (on
// servers, containers); they are hidden while it initializes, and a real
// failure is reported from its error code.
class PortAudioSession {
 public:
  PortAudioSession() {
    fflush(stderr);
    const int saved = dup(STDERR_FILENO);
    const int null = open("/dev/null", O_WRONLY);
    if (saved >= 0 && null >= 0) dup2(null, STDERR_FILENO);
    const PaError err = Pa_Initialize();
    if (saved >= 0) {
      dup2(saved, STDERR_FILENO);
      close(saved);
    }
    if (null >= 0) close(null);
    if (err != paNoError) Fail("PortAudio: ", Pa_GetErrorText(err));
  }
  ~PortAudioSession() { Pa_Terminate(); }
  PortAudioSession(const PortAudioSession&) = delete;
  PortAudioSession& operator=(const PortAudioSession&) = delete;
};

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

PaDeviceIndex FindDevice(const std::string& device) {
  if (device.empty()) {
    const PaDeviceIndex d = Pa_GetDefaultInputDevice();
    if (d == paNoDevice)
      Fail(
          "no input device (no sound card or sound server; see --list-devices, or read a file "
          "or stdin instead)");
    return d;
  }
  const int count = Pa_GetDeviceCount();
  if (std::all_of(device.begin(), device.end(), [](char c) { return std::isdigit(c); })) {
    const int d = std::stoi(device);
    ATTEND_CHECK(d < count && Pa_GetDeviceInfo(d)->maxInputChannels > 0, "--device ", device,
                 " is not an input device (see --list-devices)");
    return d;
  }
  for (int d = 0; d < count; ++d) {
    const PaDeviceInfo* info = Pa_GetDeviceInfo(d);
    if (info->maxInputChannels > 0 && Lower(info->name).find(Lower(device)) != std::string::npos)
      return d;
  }
  Fail("no input device named like '", device, "' (see --list-devices)");
}

class MicrophoneSource : public AudioSource {
 public:
  MicrophoneSource(const std::string& device, int preferred_rate_hz, double buffer_seconds) {
    const PaDeviceIndex d = FindDevice(device);
    const PaDeviceInfo* info = Pa_GetDeviceInfo(d);
    name_ = info->name;
    PaStreamParameters in{};
    in.device = d;
    in.channelCount = 1;
    in.sampleFormat = paFloat32;
    in.suggestedLatency = info->defaultLowInputLatency;
    double rate = preferred_rate_hz;
    if (Pa_IsFormatSupported(&in, nullptr, rate) != paFormatIsSupported)
      rate = info->defaultSampleRate;
    Init(static_cast<int>(rate), buffer_seconds,
         "input device '" + name_ + "' at " + std::to_string(static_cast<int>(rate)) + " Hz");
    PaError err = Pa_OpenStream(&stream_, &in, nullptr, rate, paFramesPerBufferUnspecified,
                                paClipOff, &MicrophoneSource::Callback, this);
    if (err != paNoError)
      Fail("input device '", name_, "' refused mono float capture at ", rate,
           " Hz: ", Pa_GetErrorText(err));
    err = Pa_StartStream(stream_);
    if (err != paNoError) {
      Pa_CloseStream(stream_);
      Fail("input device '", name_, "' did not start: ", Pa_GetErrorText(err));
    }
  }
  ~MicrophoneSource() override {
    Stop();
    Pa_CloseStream(stream_);
  }

  void Stop() override {
    if (!HasEnded()) {
      // A stream that stopped on its own, not by Stop(), is a device failure.
      const PaError active = Pa_IsStreamActive(stream_);
      if (active != 1)
        End("input device '" + name_ + "' stopped" +
            (active < 0 ? std::string(": ") + Pa_GetErrorText(active) : std::string()));
    }
    Pa_AbortStream(stream_);
    End("");
  }

  // PortAudio calls nothing when a device goes away: the stream just stops.
  void Watch() override {
    if (!HasEnded() && Pa_IsStreamActive(stream_) != 1) Stop();
  }

 private:
  static int Callback(const void* input, void*, unsigned long frames,
                      const PaStreamCallbackTimeInfo*, PaStreamCallbackFlags, void* self) {
    if (input != nullptr)
      static_cast<MicrophoneSource*>(self)->Push(static_cast<const float*>(input), frames);
    return paContinue;
  }

  PortAudioSession session_;  // first member: initialized before, terminated after the stream
  PaStream* stream_ = nullptr;
  std::string name_;
};

}  // namespace

std::unique_ptr<AudioSource> OpenMicrophone(const std::string& device, int preferred_rate_hz,
                                            double buffer_seconds) {
  return std::make_unique<MicrophoneSource>(device, preferred_rate_hz, buffer_seconds);
}

void ListInputDevices(std::ostream& out) {
  PortAudioSession session;
  const PaDeviceIndex def = Pa_GetDefaultInputDevice();
  int listed = 0;
  for (int d = 0; d < Pa_GetDeviceCount(); ++d) {
    const PaDeviceInfo* info = Pa_GetDeviceInfo(d);
    if (info->maxInputChannels <= 0) continue;
    out << (d == def ? "* " : "  ") << d << ": " << info->name << " (" << info->maxInputChannels
        << " channels, " << info->defaultSampleRate << " Hz)\n";
    ++listed;
  }
  if (listed == 0) out << "no input devices\n";
}

}  // namespace attend::tools
