// `attend stream`'s live figures with the bundled model, one thread, audio
// fed in 10 ms chunks as a sound card delivers it:
//   stream.final_latency   median ms from the moment the endpoint rule can
//                          fire (a ~4 s utterance's speech end + --min-pause)
//                          to its final result: the audio that must arrive
//                          beyond that, plus the compute of the call that
//                          returns it
//   stream.final_compute   median ms of that call alone (the decode)
//   stream.listening_cpu   % of one core spent while only silence arrives
//   stream.speech_cpu      % of one core spent while speech arrives (final
//                          and partial results included)
// No peer: these are targets, not comparisons. The stream processes audio in
// frontend::kAudioBlockFrames blocks (results independent of chunk sizes), so
// the endpoint is seen at a block boundary: the latency includes up to one
// block of waiting beyond the --min-pause rule.
#include <time.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "attend/recognizer.h"
#include "attend/stream.h"
#include "bench/common/report.h"
#include "frontend/audio_reader.h"

namespace {

using attend::bench::Figure;
using attend::bench::NowMs;

std::vector<float> Read(const std::string& path, int rate) {
  attend::frontend::AudioOptions opts;
  opts.target_rate_hz = static_cast<float>(rate);
  std::vector<float> x = attend::frontend::ReadAudio(path, opts);
  for (float& v : x) v /= 32768.0f;
  return x;
}

// CPU time of this thread: the machine may be busy with other work.
double ThreadCpuMs() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) * 1e-6;
}

// Without the leading and trailing silence, so two sentences make one utterance.
std::vector<float> Trimmed(const std::vector<float>& x) {
  auto loud = [](float v) { return std::abs(v) > 0.01f; };
  const auto begin = std::find_if(x.begin(), x.end(), loud);
  const auto end = std::find_if(x.rbegin(), x.rend(), loud).base();
  return begin < end ? std::vector<float>(begin, end) : std::vector<float>();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main() {
  const std::string root = ATTEND_SOURCE_ROOT;
  attend::DecodeOptions decode;
  decode.threads = 1;
  decode.partial_interval_seconds = 0.3;
  auto recognizer = attend::Recognizer::Load(root + "/models/default.attend", decode);
  const int rate = recognizer->SampleRate();
  // Two sentences back to back as one utterance, then 3 s of silence.
  std::vector<float> audio(rate / 2, 0.0f);
  for (const char* sample : {"espeak_engb_aunty-d001653", "espeak_engbscotland_belinda-t000899"})
    for (float x : Trimmed(Read(root + "/samples/" + sample + ".wav", rate))) audio.push_back(x);
  const double speech_end = static_cast<double>(audio.size()) / rate;
  audio.resize(audio.size() + 3 * rate, 0.0f);
  const size_t chunk = rate / 100;

  std::vector<double> latencies, computes;
  for (int run = 0; run < 5; ++run) {
    auto stream = recognizer->CreateStream();
    for (size_t i = 0; i < audio.size(); i += chunk) {
      const size_t n = std::min(chunk, audio.size() - i);
      const double start = NowMs();
      stream->AcceptWaveform(audio.data() + i, static_cast<int64_t>(n), rate);
      stream->PartialText();
      const double ms = NowMs() - start;
      if (stream->IsEndpoint() && i + n >= audio.size() - 3 * rate) {
        const double arrived = static_cast<double>(i + n) / rate;
        latencies.push_back((arrived - speech_end - decode.endpoint.min_pause_seconds) * 1000.0 +
                            ms);
        computes.push_back(ms);
        break;
      }
    }
  }
  std::printf("# stream: bundled model, 1 thread, 10 ms chunks, %.1f s of speech\n",
              speech_end - 0.5);
  if (latencies.empty()) {
    std::printf("  no final result before the end of the audio\n");
    return 1;
  }
  attend::bench::Report(
      {"stream.final_latency", "ms", Median(latencies), "1 thread, min-pause 0.5 s", {}});
  attend::bench::Report({"stream.final_compute", "ms", Median(computes), "1 thread", {}});

  // Listening: 10 s of near-silence (quiet noise) in 10 ms chunks.
  std::vector<float> quiet(10 * rate);
  for (size_t i = 0; i < quiet.size(); ++i)
    quiet[i] = 1e-4f * static_cast<float>((i * 7919) % 13) - 6e-4f;
  auto stream = recognizer->CreateStream();
  const double start = ThreadCpuMs();
  for (size_t i = 0; i < quiet.size(); i += chunk) {
    stream->AcceptWaveform(quiet.data() + i, static_cast<int64_t>(chunk), rate);
    stream->PartialText();
  }
  const double busy_ms = ThreadCpuMs() - start;
  attend::bench::Report({"stream.listening_cpu",
                         "% of a core",
                         busy_ms / 10000.0 * 100.0,
                         "silence, 1 thread, thread CPU time",
                         {}});

  // Listening to speech: every sample, 0.8 s of silence after each, twice
  // over, in 10 ms chunks with a partial result asked for after each chunk.
  std::vector<float> speech;
  for (int round = 0; round < 2; ++round)
    for (const char* sample : {"espeak_en029_annie-f003056", "espeak_engb_aunty-d001653",
                               "espeak_engbscotland_belinda-t000899",
                               "espeak_engbxgbclan_f3-w002097", "flite_rms-c000253"}) {
      for (float x : Read(root + "/samples/" + sample + ".wav", rate)) speech.push_back(x);
      speech.resize(speech.size() + rate * 8 / 10, 0.0f);
    }
  auto speech_stream = recognizer->CreateStream();
  const double speech_start = ThreadCpuMs();
  for (size_t i = 0; i < speech.size(); i += chunk) {
    const size_t n = std::min(chunk, speech.size() - i);
    speech_stream->AcceptWaveform(speech.data() + i, static_cast<int64_t>(n), rate);
    while (speech_stream->IsEndpoint()) speech_stream->Result();
    speech_stream->PartialText();
  }
  const double speech_ms = ThreadCpuMs() - speech_start;
  const double speech_s = static_cast<double>(speech.size()) / rate;
  char config[96];
  std::snprintf(config, sizeof config,
                "%.0f s of speech and pauses, partials every 0.3 s, 1 thread", speech_s);
  attend::bench::Report(
      {"stream.speech_cpu", "% of a core", speech_ms / (speech_s * 1000.0) * 100.0, config, {}});
  return 0;
}
