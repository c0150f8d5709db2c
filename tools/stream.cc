// `attend stream`: live transcription of a microphone, raw PCM on stdin, or
// a file played in real time (or as fast as possible). Thin: a source from
// tools/common/ feeds an attend::Stream; its partial and final results go to
// a StreamPrinter. Ctrl-C ends the recording: the open utterance is decoded
// and printed as a final result, and the exit status is 0.
#include <unistd.h>

#include <csignal>
#include <iostream>
#include <vector>

#include "attend/recognizer.h"
#include "attend/stream.h"
#include "base/config_text.h"
#include "base/error.h"
#include "tools/commands.h"
#include "tools/common/audio_source.h"
#include "tools/common/bundled_model.h"
#include "tools/common/cli.h"
#include "tools/common/decode_flags.h"
#include "tools/common/microphone_source.h"
#include "tools/common/stream_printer.h"

namespace attend::tools {
namespace {

// Set by SIGINT/SIGTERM (async-signal-safe), read by the loop below.
volatile std::sig_atomic_t g_interrupted = 0;

void OnInterrupt(int) { g_interrupted = 1; }

void CatchInterrupts() {
  struct sigaction action {};
  action.sa_handler = OnInterrupt;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

float Rms(const float* x, size_t n) {
  double sum = 0;
  for (size_t i = 0; i < n; ++i) sum += static_cast<double>(x[i]) * x[i];
  return n == 0 ? 0.0f : static_cast<float>(std::sqrt(sum / static_cast<double>(n)));
}

}  // namespace

int RunStream(const Args& args) {
  CatchInterrupts();  // before the model loads: Ctrl-C then still ends cleanly
  const CommandSpec spec{
      "stream", "attend stream [options] [-|FILE]",
      "Transcribes live audio as it arrives: the default input device (PortAudio; --device, "
      "--list-devices), raw mono PCM on stdin with '-' (arecord -f S16_LE -r 16000 -c 1 | attend "
      "stream -), or an audio file, played at real-time speed with --realtime and as fast as "
      "possible without. Utterances end at pauses (the endpoint flags). On a terminal the open "
      "utterance's text is rewritten in place and each final line is printed with its start and "
      "end time; otherwise --format text prints one line per utterance and --format json one "
      "JSON object per event: {\"type\": \"partial\"|\"final\", \"start\", \"end\", \"text\", "
      "\"words\"}. Ctrl-C ends the recording; the open utterance is printed as a final result.",
      kDecodeConfPathOptions};
  AudioSourceOptions source_options;
  std::string model_path, format = "text";
  bool list_devices = false;
  DecodeOptions decode;
  decode.partial_interval_seconds = 0.3;
  // One oneDNN thread: a live stream decodes short pieces, and a pool of
  // threads waiting for them would spin on every core (--threads 0: all).
  decode.threads = 1;
  po::options_description options("Options");
  options.add_options()("input", po::value(&source_options.input),
                        "- for raw PCM on stdin, or an audio file; none: the microphone")(
      "model", po::value(&model_path),
      "model file (default: $ATTEND_MODEL, else the bundled models/default.attend)")(
      "format", po::value(&format)->default_value(format),
      "text | json (on a terminal, text shows partial results in place)")(
      "list-devices", po::bool_switch(&list_devices), "list the input devices and exit")(
      "partial-interval",
      po::value(&decode.partial_interval_seconds)
          ->default_value(decode.partial_interval_seconds,
                          ShownDefault(decode.partial_interval_seconds)),
      "seconds of new audio after which the open utterance's partial text is recomputed");
  source_options.Register(&options);
  po::options_description decode_flags(
      "Decoding and endpointing (defaults: the model's MODEL.decode.conf, if any)");
  RegisterDecodeFlags(&decode, &decode_flags);
  options.add(decode_flags);
  po::positional_options_description positional;
  positional.add("input", 1);
  po::variables_map vm;
  if (!ParseCommandLine(spec, args, options, positional, &vm)) return 0;
  if (list_devices) {
    ListInputDevices(std::cout);
    return 0;
  }
  if (format != "text" && format != "json")
    throw UsageError("unknown --format '" + format + "' (text, json)");
  if (!(decode.partial_interval_seconds > 0))
    throw UsageError("--partial-interval must be > 0 seconds");
  try {
    source_options.Validate();
  } catch (const Error& e) {
    throw UsageError(e.what());
  }

  if (model_path.empty()) model_path = BundledModelPath();
  ReadModelDecodeDefaults(model_path, decode_flags, &vm);
  decode.keep_tokens = false;
  const std::unique_ptr<Recognizer> recognizer = Recognizer::Load(model_path, decode);
  const std::unique_ptr<attend::Stream> stream = recognizer->CreateStream();
  const std::unique_ptr<AudioSource> source =
      OpenAudioSource(source_options, recognizer->SampleRate());
  const StreamPrinter::Mode mode = format == "json"        ? StreamPrinter::Mode::kJson
                                   : isatty(STDOUT_FILENO) ? StreamPrinter::Mode::kTerminal
                                                           : StreamPrinter::Mode::kText;
  StreamPrinter printer(mode, &std::cout, &std::cerr);
  // A live source says what it listens to: which device, at which rate.
  if (source_options.input.empty())
    std::cerr << "attend: listening to " << source->Description() << "\n";

  const int rate = source->SampleRate();
  std::vector<float> chunk(static_cast<size_t>(std::max(rate / 20, 1)));  // up to 50 ms
  double last_end = 0;  // where the previous utterance ended: the open one starts after
  uint64_t dropped = 0;
  auto take_finals = [&] {
    while (stream->IsEndpoint()) {
      const Segment segment = stream->Result();
      last_end = segment.end;
      printer.Final(segment);
    }
  };
  while (!g_interrupted) {
    const size_t n = source->Read(chunk.data(), chunk.size(), std::chrono::milliseconds(50));
    if (n > 0) stream->AcceptWaveform(chunk.data(), static_cast<int64_t>(n), rate);
    take_finals();
    const std::string partial = n > 0 ? stream->PartialText() : std::string();
    if (!partial.empty())
      printer.Partial(partial, last_end, stream->Duration());
    else if (n > 0)
      printer.Level(Rms(chunk.data(), n));
    if (source->Dropped() > dropped) {
      printer.Warning(std::to_string(source->Dropped() - dropped) +
                      " samples dropped: decoding fell behind the input (" +
                      std::to_string(source->Dropped()) + " in all)");
      dropped = source->Dropped();
    }
    if (source->Ended()) break;
  }
  // Ctrl-C or the end of the input: what was captured is decoded too.
  source->Stop();
  while (const size_t n = source->ReadAvailable(chunk.data(), chunk.size()))
    stream->AcceptWaveform(chunk.data(), static_cast<int64_t>(n), rate);
  stream->Finish();
  take_finals();
  printer.Close();
  const std::string error = g_interrupted ? std::string() : source->Error();
  if (!error.empty()) throw Error(error);
  return 0;
}

}  // namespace attend::tools
