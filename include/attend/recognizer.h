// attend's public C++ API: load a model once, transcribe audio files,
// samples or feature matrices. The model (attend/model.h) is immutable after
// loading and shared; a Recognizer holds the state of its decodes (plans,
// buffers), so use one Recognizer per thread, all over one model (Create()
// or Clone()). A Recognizer belongs to no thread: it may be created on one
// and used or destroyed on others, one thread at a time. A decode needs at
// most 256 KiB of the calling thread's stack (oneDNN's worker threads, with
// DecodeOptions::threads != 1, use their own).
//
//   auto recognizer = attend::Recognizer::Load("models/default.attend");
//   attend::Transcript t = recognizer->RecognizeFile("hello.wav");
//   std::cout << t.text << "\n";
//   for (const auto& w : t.segments[0].nbest[0].words) ... w.start, w.end ...
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "attend/endpoint.h"
#include "attend/model.h"
#include "attend/result.h"
#include "attend/stream.h"

namespace attend {

// How to decode. Negative values mean "the model's default".
struct DecodeOptions {
  int beam = 8;                 // hypotheses kept (1 = greedy)
  int nbest = 1;                // alternatives returned per segment (<= beam)
  float ctc_weight = -1.0f;     // joint CTC/attention weight in [0, 1]; < 0: the model's
  std::string lm_path;          // ARPA n-gram LM over the model's tokens; empty: none
  float lm_weight = 0.0f;       // shallow-fusion weight of the LM
  std::string word_lm_path;     // ARPA word n-gram LM (its words are the lexicon); empty: none
  float word_lm_weight = 0.0f;  // shallow-fusion weight of the word LM
  float oov_penalty = 1e-4f;    // word LM: a word off the lexicon costs P(<unk>) times this
  float length_penalty = 0.0f;  // score added per output token
  bool length_normalization = false;  // rank by score per token
  float max_len_ratio = 0.0f;         // max tokens per encoder frame (0: one per frame)
  float min_len_ratio = 0.0f;         // min tokens per encoder frame
  bool keep_attention = true;         // return attention matrices
  bool keep_head_attention = false;   // with keep_attention: also each head's (multi-head models)
  bool keep_tokens = true;            // return per-token times (words are returned either way)
  // Word confidence calibration (MODEL.decode.conf's confidence-weights):
  // logistic weights, bias first, over the word features of
  // decoder/word_confidence.h. Empty: a word's confidence is its lowest token
  // confidence, uncalibrated.
  std::vector<float> confidence_weights;
  float confidence_nbest_scale = 1.0f;    // n-best posteriors: softmax of this × score
  bool keep_confidence_features = false;  // return each word's features (fitting them)
  // Where utterances end (segments of longer audio): the endpoint rules.
  EndpointOptions endpoint;
  // Streams: seconds of new audio after which PartialText() decodes the open
  // utterance again.
  double partial_interval_seconds = 0.5;
  // oneDNN threads of each call, on the calling thread (restored after the
  // call; nothing process-wide changes); 0 = all cores.
  int threads = 0;
  // VTLN warp factor on top of the model's filterbank (Kaldi's --vtln-warp):
  // > 1 stretches the spectrum's frequency axis. 1 = the features the model
  // was trained on.
  float vtln_warp = 1.0f;
};

// The decoding options a model ships with: `defaults` overridden by the
// `name = value` lines of MODEL.decode.conf beside MODEL.attend, if there is
// one (what its recipe chose on its dev set; `attend transcribe` reads the same
// file, and the names are its flags: beam, ctc-weight, length-normalization, ...).
// Throws std::runtime_error (attend::Error) naming the file on an unknown name
// or a bad value.
//   auto r = attend::Recognizer::Load(model, attend::ModelDecodeOptions(model));
DecodeOptions ModelDecodeOptions(const std::string& model_path, const DecodeOptions& defaults = {});

class Recognizer {
 public:
  // Loads a model file. Throws std::runtime_error (attend::Error) naming the
  // file when it is missing, corrupt or incompatible, or an option is bad.
  static std::unique_ptr<Recognizer> Load(const std::string& model_path,
                                          const DecodeOptions& options = {});
  // A recognizer over a loaded model, which it shares (no copy of the
  // weights). Loads the options' language models; throws like Load().
  static std::unique_ptr<Recognizer> Create(std::shared_ptr<const Model> model,
                                            const DecodeOptions& options = {});
  virtual ~Recognizer() = default;

  // A recognizer with this one's options that shares its model and language
  // models and has its own decode state: one per thread. Memory per clone is
  // only that state.
  virtual std::unique_ptr<Recognizer> Clone() const = 0;
  // A stream over this recognizer's model, language models and options (see
  // attend/stream.h); streams are independent of each other and of this
  // recognizer's own decodes.
  virtual std::unique_ptr<Stream> CreateStream() const = 0;

  // Whole recordings, each read as a stream as fast as possible.
  // A path, "-" for stdin, or a Kaldi wav.scp pipe command ("sox x.mp3 -t wav - |").
  // Any format libsndfile reads, any rate (resampled), any channel count (mixed).
  virtual Transcript RecognizeFile(const std::string& source) = 0;
  // Several recordings (sources as RecognizeFile takes them) decoded
  // together on `jobs` threads, their utterances encoded `batch` at a time
  // (a batch of utterances is a GEMM per frame, one utterance a GEMV): the
  // transcripts RecognizeFile() gives, in order. Holds every utterance of
  // the sources until it returns, so give it a bounded group at a time.
  struct FileResult {
    Transcript transcript;
    std::string error;  // why this recording failed (then its transcript is empty)
  };
  virtual std::vector<FileResult> RecognizeFiles(const std::vector<std::string>& sources, int jobs,
                                                 int batch) = 0;
  // Mono samples in [-1, 1] at `sample_rate_hz`.
  virtual Transcript Recognize(const float* samples, int64_t count, int sample_rate_hz) = 0;
  // Features [frames, dim] row-major as the model's frontend computes them
  // (before CMVN, which the model applies; vtln_warp does not apply to them).
  virtual Transcript RecognizeFeatures(const float* features, int64_t frames, int64_t dim) = 0;

  // The model's token list, by id.
  virtual std::vector<std::string> Tokens() const = 0;
  // The sample rate (Hz) the model's features are computed at; Recognize()
  // resamples audio at any other rate to it.
  virtual int SampleRate() const = 0;
};

}  // namespace attend
