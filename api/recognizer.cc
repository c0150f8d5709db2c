// The Recognizer behind include/attend/recognizer.h: audio → streaming fbank →
// segments cut at pauses → CMVN → encoder → CTC head → beam search →
// timestamps. Memory is bounded by one segment's features, whatever the
// length of the audio.
//
// Segments end at pauses found by loudness (frontend/pause_split) as the audio
// arrives. When loudness finds none within the maximum segment length (noise
// as loud as the pauses, or talk without a break), the model finds them: the
// CTC head over that stretch says where no letter is spoken
// (decoder/ctc_pauses), and the stretch is cut there.
#include "attend/recognizer.h"

#include "attend/model.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>

#include "base/error.h"
#include "decoder/beam_search.h"
#include "decoder/ctc_pauses.h"
#include "decoder/lm_sum.h"
#include "decoder/ngram_lm.h"
#include "decoder/timestamps.h"
#include "decoder/word_lm.h"
#include "frontend/audio_reader.h"
#include "frontend/energy_split.h"
#include "frontend/online_fbank.h"
#include "frontend/pause_split.h"
#include "frontend/resampler.h"
#include "model/asr_model.h"
#include "nn/engine.h"

namespace attend {
namespace {

// Samples in [-1, 1] are scaled to int16 range, as Kaldi's features expect.
constexpr float kInt16Scale = 32768.0f;
// A cut is looked for in the last few seconds before the maximum length.
constexpr double kSplitSearchSeconds = 5.0;
// Of a pause that ends a segment, this much stays with the speech on each side.
constexpr double kPauseKeepSeconds = 0.2;
// A letterless stretch of CTC output is a pause from this fraction of
// --min-pause on: the stretch spans the silence and the blanks at the edges of
// the words around it. Chosen on dev sentences joined into long noisy files
// (recipes/synth_en/RESULTS.md): 0.6 cuts sentences spoken back to back,
// which the full --min-pause leaves joined, and costs the files with pauses
// at most 0.2 WER points.
constexpr double kModelPauseFraction = 0.6;

// What every recognizer over one model and one set of options shares, read
// only after construction: the model, the language models, the validated
// search options and the segmentation constants in frames.
struct Shared {
  Shared(std::shared_ptr<const Model> model_in, const DecodeOptions& options);

  std::shared_ptr<const Model> model_handle;
  const model::AsrModel& model;
  DecodeOptions options;
  std::optional<decoder::NgramLm> lm;
  std::optional<decoder::WordLm> word_lm;
  std::optional<decoder::LmSum> lm_sum;
  const decoder::LanguageModel* fused_lm = nullptr;  // what search fuses, if any
  decoder::BeamSearchOptions search_options;
  int64_t max_frames = 0;
  int64_t search_frames = 0;
  int64_t min_pause = 0, keep = 0;  // frames; min_pause 0 = no pause cuts
  int space_id = -1;                // the vocabulary's <space>, if any
};

Shared::Shared(std::shared_ptr<const Model> model_in, const DecodeOptions& options_in)
    : model_handle(std::move(model_in)), model(model_handle->network()), options(options_in) {
  search_options.beam = options.beam;
  search_options.nbest = options.nbest;
  search_options.ctc_weight =
      options.ctc_weight < 0 ? model.config().ctc_weight : options.ctc_weight;
  search_options.lm_weight = options.lm_weight;
  search_options.length_penalty = options.length_penalty;
  search_options.length_normalization = options.length_normalization;
  search_options.max_len_ratio = options.max_len_ratio;
  search_options.min_len_ratio = options.min_len_ratio;
  search_options.keep_attention = options.keep_attention;
  search_options.Validate();
  ATTEND_CHECK(options.max_segment_seconds >= 1, "--max-segment must be at least 1 second, got ",
               options.max_segment_seconds);
  const std::vector<std::string> tokens = model_handle->Tokens();
  if (!options.lm_path.empty()) lm.emplace(options.lm_path, tokens);
  ATTEND_CHECK(options.lm_weight == 0 || lm, "--lm-weight is ", options.lm_weight,
               " but no --lm was given");
  ATTEND_CHECK(options.word_lm_weight >= 0 && std::isfinite(options.word_lm_weight),
               "--word-lm-weight must be >= 0, got ", options.word_lm_weight);
  if (!options.word_lm_path.empty())
    word_lm.emplace(decoder::NgramLm(options.word_lm_path, {}), tokens, options.oov_penalty);
  ATTEND_CHECK(options.word_lm_weight == 0 || word_lm, "--word-lm-weight is ",
               options.word_lm_weight, " but no --word-lm was given");
  // Search fuses one model with one weight: either LM, or both as a sum.
  fused_lm = lm ? &*lm : nullptr;
  if (options.word_lm_weight > 0) {
    if (options.lm_weight > 0) {
      lm_sum.emplace(&*lm, options.lm_weight, &*word_lm, options.word_lm_weight);
      fused_lm = &*lm_sum;
      search_options.lm_weight = 1;
    } else {
      fused_lm = &*word_lm;
      search_options.lm_weight = options.word_lm_weight;
    }
  }
  const double shift_s = model.config().fbank.frame.frame_shift_ms * 1e-3;
  max_frames = static_cast<int64_t>(options.max_segment_seconds / shift_s);
  search_frames =
      std::min<int64_t>(max_frames - 1, static_cast<int64_t>(kSplitSearchSeconds / shift_s));
  ATTEND_CHECK(options.min_pause_seconds >= 0 && std::isfinite(options.min_pause_seconds),
               "--min-pause must be >= 0 seconds, got ", options.min_pause_seconds);
  min_pause = static_cast<int64_t>(std::llround(options.min_pause_seconds / shift_s));
  if (min_pause > 0)
    keep = std::min<int64_t>(std::llround(kPauseKeepSeconds / shift_s), (min_pause - 1) / 2);
  space_id = model.vocab().Id("<space>");
  if (space_id == decoder::Vocabulary::kUnk) space_id = -1;
}

// A recognizer: the shared model and options, and the state of its decodes.
class RecognizerImpl : public Recognizer {
 public:
  explicit RecognizerImpl(std::shared_ptr<const Shared> shared)
      : shared_(std::move(shared)),
        model_(&shared_->model),
        options_(shared_->options),
        search_options_(shared_->search_options),
        fbank_(frontend::WithVtlnWarp(model_->config().fbank, options_.vtln_warp, "--vtln-warp")),
        max_frames_(shared_->max_frames),
        search_frames_(shared_->search_frames),
        min_pause_(shared_->min_pause),
        keep_(shared_->keep),
        space_id_(shared_->space_id) {
    nn::SetNumThreads(options_.threads);
    search_.emplace(search_options_, &model_->decoder(), shared_->fused_lm,
                    decoder::Vocabulary::kBlank);
    if (min_pause_ > 0) pauses_.emplace(min_pause_, keep_);
  }

  std::unique_ptr<Recognizer> Clone() const override {
    return std::make_unique<RecognizerImpl>(shared_);
  }

  std::vector<std::string> Tokens() const override { return shared_->model_handle->Tokens(); }

  int SampleRate() const override { return shared_->model_handle->SampleRate(); }

  Transcript RecognizeFile(const std::string& source) override {
    frontend::AudioOptions audio;
    audio.target_rate_hz = model_->config().fbank.frame.samp_freq;
    frontend::AudioReader reader(source, audio);
    Begin();
    std::vector<float> chunk;
    while (reader.Read(&chunk)) Feed(chunk);
    return Finish();
  }

  Transcript Recognize(const float* samples, int64_t count, int sample_rate_hz) override {
    ATTEND_CHECK(count >= 0 && sample_rate_hz > 0, "bad audio: ", count, " samples at ",
                 sample_rate_hz, " Hz");
    for (int64_t i = 0; i < count; ++i)
      ATTEND_CHECK(std::isfinite(samples[i]), "audio contains NaN or infinite samples");
    auto scaled = [](const float* begin, const float* end) {
      std::vector<float> block(begin, end);
      for (float& s : block) s *= kInt16Scale;
      return block;
    };
    const double rate = model_->config().fbank.frame.samp_freq;
    Begin();
    if (sample_rate_hz != rate) {
      Feed(frontend::Resampler::Resample(scaled(samples, samples + count), sample_rate_hz, rate));
    } else {
      // In the blocks RecognizeFile reads: the same segments, and pending
      // features stay within a segment whatever the length (fed at once, an
      // hour was one pending matrix, copied at every cut).
      for (int64_t i = 0; i < count; i += frontend::kAudioBlockFrames)
        Feed(scaled(samples + i, samples + std::min(count, i + frontend::kAudioBlockFrames)));
    }
    return Finish();
  }

  Transcript RecognizeFeatures(const float* features, int64_t frames, int64_t dim) override {
    ATTEND_CHECK(dim == model_->config().encoder.input_dim, "features have dimension ", dim,
                 ", the model expects ", model_->config().encoder.input_dim);
    nn::SetNumThreads(options_.threads);
    transcript_ = Transcript();
    transcript_.seconds_per_frame = model_->seconds_per_encoder_frame();
    segment_start_frame_ = 0;
    pending_ = frontend::Matrix(0, dim);
    if (pauses_) pauses_->Reset();
    for (int64_t r = 0; r < frames; ++r) pending_.AppendRow(features + r * dim);
    if (pauses_) pauses_->Accumulate(pending_, 0);
    DecodeReadySegments(/*final=*/true);
    transcript_.duration = static_cast<double>(frames) * FrameShiftSeconds();
    return JoinText(std::move(transcript_));
  }

 private:
  double FrameShiftSeconds() const { return model_->config().fbank.frame.frame_shift_ms * 1e-3; }

  void Begin() {
    // oneDNN's OpenMP thread count is per calling thread: set it on the thread
    // that decodes (`attend transcribe` decodes on worker threads), not only
    // on the one that loaded the model.
    nn::SetNumThreads(options_.threads);
    transcript_ = Transcript();
    transcript_.seconds_per_frame = model_->seconds_per_encoder_frame();
    fbank_.Reset();
    pending_ = frontend::Matrix(0, fbank_.Dim());
    segment_start_frame_ = 0;
    samples_ = 0;
    if (pauses_) pauses_->Reset();
  }

  // Moves the frames the filterbank has ready to pending_, and into the
  // pause statistics (each frame once).
  void PopFrames() {
    const int64_t first_new = pending_.rows();
    fbank_.PopFrames(&pending_);
    if (pauses_) pauses_->Accumulate(pending_, first_new);
  }

  void Feed(const std::vector<float>& samples) {
    samples_ += static_cast<int64_t>(samples.size());
    fbank_.AcceptWaveform(samples);
    PopFrames();
    DecodeReadySegments(/*final=*/false);
  }

  Transcript Finish() {
    fbank_.InputFinished();
    PopFrames();
    DecodeReadySegments(/*final=*/true);
    transcript_.duration = static_cast<double>(samples_) / model_->config().fbank.frame.samp_freq;
    return JoinText(std::move(transcript_));
  }

  // Decodes every segment in pending_ that a pause or the maximum length ends
  // (and the rest when final).
  void DecodeReadySegments(bool final) {
    for (;;) {
      const int64_t rows = pending_.rows();
      const int64_t cut = pauses_ ? pauses_->FindCut(pending_) : 0;
      if (cut > 0 && cut <= max_frames_) {
        DecodeSegment(cut);
        DropFrames(cut);
      } else if (rows > max_frames_ || (final && rows > 0)) {
        // No pause by loudness within the maximum length: the model's pauses.
        // The last stretch of a recording longer than one segment is split
        // at them too; a shorter recording is decoded whole, like the
        // utterances the model learned from.
        std::vector<Cut> cuts;
        if (rows > max_frames_) {
          cuts = ModelCuts(max_frames_, /*must_cut=*/true);
        } else {
          if (segment_start_frame_ > 0 && min_pause_ > 0) cuts = ModelCuts(rows, false);
          cuts.push_back({rows, rows});
        }
        int64_t dropped = 0;
        for (const Cut& c : cuts) {
          if (c.end > dropped) DecodeSegment(c.end - dropped);
          DropFrames(c.next - dropped);
          dropped = c.next;
        }
      } else {
        break;
      }
    }
  }

  // Where pending_'s first `window` frames are cut, in pending_'s frames:
  // a segment ends at `end`, and the next starts at `next` (the frames
  // between are pause, not decoded).
  struct Cut {
    int64_t end = 0, next = 0;
  };

  // The CTC head over pending_'s first `window` frames finds the letterless
  // stretches of at least kModelPauseFraction × --min-pause; each ends a
  // segment, keeping kPauseKeepSeconds of it on either side. When there is none and `must_cut`, the
  // window is cut in the middle of the longest letterless stretch in its last kSplitSearchSeconds
  // (between two words), and failing that at the quietest frame.
  std::vector<Cut> ModelCuts(int64_t window, bool must_cut) {
    Encode(PendingRows(window));
    const int64_t reduction = model_->config().encoder.reduction;
    const int64_t frames = out_lengths_[0];
    const int V = model_->vocab().size();
    const int blank = decoder::Vocabulary::kBlank;
    std::vector<Cut> cuts;
    if (min_pause_ > 0) {
      const auto min_run = static_cast<int64_t>(
          std::ceil(kModelPauseFraction * static_cast<double>(min_pause_) / reduction));
      for (const decoder::FrameRange& p :
           decoder::CtcPauses(ctc_log_probs_.data(), frames, V, blank, space_id_, min_run)) {
        const int64_t start = p.start * reduction, end = std::min(p.end * reduction, window);
        Cut c;
        c.end = p.start == 0 ? 0 : start + keep_;  // a leading pause ends no speech
        // A pause that ends the recording is not decoded.
        c.next = !must_cut && end == window ? window : std::max(c.end, end - keep_);
        if (!cuts.empty() && c.end < cuts.back().next) continue;
        cuts.push_back(c);
      }
    }
    if (!cuts.empty() || !must_cut) return cuts;
    // The longest letterless stretch whose middle is in the search range (the
    // window's second half at least: no sliver of a segment); ties go to the
    // latest.
    const int64_t search = std::min(search_frames_, window / 2), lo = window - search;
    int64_t best = 0, best_size = 0;
    for (const decoder::FrameRange& p :
         decoder::CtcPauses(ctc_log_probs_.data(), frames, V, blank, space_id_, 1)) {
      const int64_t middle = (p.start + p.end) * reduction / 2;
      if (middle >= lo && middle <= window && p.size() >= best_size) {
        best = middle;
        best_size = p.size();
      }
    }
    if (best == 0) best = frontend::ChooseSplitFrame(pending_, window, search);
    cuts.push_back({best, best});
    return cuts;
  }

  // Removes pending_'s first `frames` rows (decoded or pause).
  void DropFrames(int64_t frames) {
    frontend::Matrix rest(0, pending_.cols());
    rest.ReserveRows(pending_.rows() - frames);
    for (int64_t r = frames; r < pending_.rows(); ++r) rest.AppendRow(pending_.Row(r));
    pending_ = std::move(rest);
    segment_start_frame_ += frames;
  }

  // pending_'s first `frames` rows.
  frontend::Matrix PendingRows(int64_t frames) const {
    frontend::Matrix rows(frames, pending_.cols());
    std::copy_n(pending_.data(), frames * pending_.cols(), rows.data());
    return rows;
  }

  // Runs the encoder and the CTC head over `feats` (before CMVN): encoded_,
  // ctc_log_probs_ and out_lengths_ hold the result.
  void Encode(frontend::Matrix feats) {
    const int64_t frames = feats.rows(), dim = feats.cols();
    if (model_->cmvn() != nullptr) model_->cmvn()->Apply(&feats);
    // Padded to the encoder's bucket (the length travels beside it): a new
    // shape per segment length made new plans and oneDNN primitives per
    // segment, and memory grew with the recording (issue 6).
    const int64_t padded = model_->config().encoder.PaddedLength(frames);
    input_.Resize({padded, 1, dim});  // [T, N=1, C] tnc
    std::copy_n(feats.data(), frames * dim, input_.data());
    std::fill(input_.data() + frames * dim, input_.data() + padded * dim, 0.0f);
    model_->encoder().Forward(input_, {frames}, &encoded_, &out_lengths_, &encoder_ctx_);
    model_->ctc().Forward(encoded_, &ctc_log_probs_, &ctc_plans_);
  }

  // Decodes pending_ rows [0, frames) as one segment.
  void DecodeSegment(int64_t frames) {
    frontend::Matrix feats = PendingRows(frames);
    if (pauses_ && pauses_->AllQuiet(feats)) return;  // a pause alone
    Encode(std::move(feats));
    const bool need_ctc = search_options_.ctc_weight > 0;
    auto hyps = search_->Search(encoded_, out_lengths_, need_ctc ? &ctc_log_probs_ : nullptr)[0];

    const double shift = FrameShiftSeconds();
    Segment segment;
    segment.start = static_cast<double>(segment_start_frame_) * shift;
    segment.end = static_cast<double>(segment_start_frame_ + frames) * shift;
    const double per_frame = model_->seconds_per_encoder_frame();
    const int V = model_->vocab().size();
    for (decoder::Hypothesis& h : hyps) {
      Alternative alt;
      alt.text = model_->vocab().Decode(h.tokens);
      alt.score = h.score;
      alt.attention_score = h.attention_score;
      alt.ctc_score = h.ctc_score;
      alt.lm_score = h.lm_score;
      std::vector<decoder::TokenSpan> spans = decoder::CtcAlign(
          ctc_log_probs_.data(), out_lengths_[0], V, decoder::Vocabulary::kBlank, h.tokens);
      if (spans.empty()) spans = decoder::AttentionAlign(h.attention, h.tokens);
      auto seconds = [&](int64_t f) {
        return std::min(segment.end, segment.start + static_cast<double>(f) * per_frame);
      };
      if (options_.keep_tokens)
        for (const auto& s : spans)
          alt.tokens.push_back({model_->vocab().Token(s.token), seconds(s.start_frame),
                                seconds(s.end_frame), s.confidence});
      for (const auto& w : decoder::GroupWords(spans, model_->vocab()))
        alt.words.push_back({w.word, seconds(w.start_frame), seconds(w.end_frame), w.confidence});
      if (options_.keep_attention && h.attention.rank() == 2) {
        alt.attention_rows = h.attention.dim(0);
        alt.attention_cols = h.attention.dim(1);
        alt.attention.assign(h.attention.data(), h.attention.data() + h.attention.size());
      }
      segment.nbest.push_back(std::move(alt));
    }
    transcript_.segments.push_back(std::move(segment));
  }

  static Transcript JoinText(Transcript t) {
    for (const Segment& s : t.segments) {
      if (s.nbest.empty() || s.nbest[0].text.empty()) continue;
      if (!t.text.empty()) t.text += ' ';
      t.text += s.nbest[0].text;
    }
    return t;
  }

  std::shared_ptr<const Shared> shared_;
  const model::AsrModel* model_;  // shared_'s
  const DecodeOptions& options_;  // shared_'s
  const decoder::BeamSearchOptions& search_options_;
  frontend::OnlineFbank fbank_;
  const int64_t max_frames_;
  const int64_t search_frames_;
  const int64_t min_pause_, keep_;  // frames; min_pause_ 0 = no pause cuts
  const int space_id_;              // the vocabulary's <space>, if any
  // One search for every segment: it keeps its buffers (and the decoder's
  // state) between them.
  std::optional<decoder::BeamSearch> search_;
  std::optional<frontend::PauseSplitter> pauses_;  // none with --min-pause 0

  // Per-decode state, reused across segments and files.
  Transcript transcript_;
  frontend::Matrix pending_;  // features not yet decoded
  int64_t segment_start_frame_ = 0;
  int64_t samples_ = 0;
  nn::Tensor input_, encoded_, ctc_log_probs_;
  std::vector<int64_t> out_lengths_;
  acoustic::Encoder::Context encoder_ctx_;
  nn::Linear::State ctc_plans_;
};

}  // namespace

std::unique_ptr<Recognizer> Recognizer::Load(const std::string& model_path,
                                             const DecodeOptions& options) {
  return Create(Model::Load(model_path), options);
}

std::unique_ptr<Recognizer> Recognizer::Create(std::shared_ptr<const Model> model,
                                               const DecodeOptions& options) {
  ATTEND_CHECK(model != nullptr, "Recognizer::Create needs a model");
  return std::make_unique<RecognizerImpl>(
      std::make_shared<const Shared>(std::move(model), options));
}

}  // namespace attend
