// attend's public C++ API: load a model once, transcribe audio files,
// samples or feature matrices. The model (attend/model.h) is immutable after
// loading and shared; a Recognizer holds the state of its decodes (plans,
// buffers), so use one Recognizer per thread, all over one model (Create()
// or Clone()).
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

#include "attend/model.h"

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
  bool keep_tokens = true;            // return per-token times (words are returned either way)
  // Longer audio is cut into segments. The bundled model learned sentences of
  // 12 s at most; where no pause is found, it is cut where the model hears no
  // letter (between words). In noise, 30-s segments of several sentences came
  // out 94 % wrong, 10-s ones 44 % (recipes/synth_en/RESULTS.md, long audio).
  double max_segment_seconds = 10.0;
  // A pause this long (quiet by the recording's own levels) ends a segment, and
  // a segment that is only pause is not decoded; 0 = off. In a recording
  // longer than max_segment_seconds, a stretch of 0.6 of this where the CTC
  // head writes no letter also ends one: noise as loud as the pauses hides
  // them from loudness, not from the model. A recording of steady noise
  // alone has no pauses and is decoded: the model answers it.
  double min_pause_seconds = 0.5;
  int threads = 0;  // oneDNN threads; 0 = all cores
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

struct TimedUnit {
  std::string text;      // a word, or a token ("a", "<space>")
  double start = 0;      // seconds from the start of the audio
  double end = 0;        // seconds
  float confidence = 0;  // in [0, 1]
};

struct Alternative {
  std::string text;
  float score = 0;            // the ranking score (joint, see decoder/hypothesis.h)
  float attention_score = 0;  // ln P_att of the tokens and <eos>
  float ctc_score = 0;        // ln P_ctc of the token sequence
  float lm_score = 0;         // ln P_lm (0 without an LM); with both LMs the weighted sum
  std::vector<TimedUnit> words;
  std::vector<TimedUnit> tokens;
  // Attention weights, row-major [attention_rows, attention_cols]: one row per
  // output token plus the final <eos>, one column per encoder frame of the
  // segment (seconds_per_frame apart, starting at the segment's start).
  std::vector<float> attention;
  int64_t attention_rows = 0;
  int64_t attention_cols = 0;
};

struct Segment {
  double start = 0;  // seconds
  double end = 0;
  std::vector<Alternative> nbest;  // best first; may be empty for silence
};

struct Transcript {
  std::string text;              // best alternatives of all segments, joined by spaces
  double duration = 0;           // seconds of audio
  double seconds_per_frame = 0;  // encoder frame spacing (attention columns)
  std::vector<Segment> segments;
};

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

  // A path, "-" for stdin, or a Kaldi wav.scp pipe command ("sox x.mp3 -t wav - |").
  // Any format libsndfile reads, any rate (resampled), any channel count (mixed).
  virtual Transcript RecognizeFile(const std::string& source) = 0;
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
