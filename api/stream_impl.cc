#include "api/stream_impl.h"

#include <algorithm>
#include <cmath>
#include <span>

#include "base/error.h"
#include "decoder/ctc_pauses.h"
#include "decoder/timestamps.h"
#include "decoder/word_confidence.h"
#include "frontend/audio_reader.h"
#include "nn/engine.h"

namespace attend {
namespace {

// Samples in [-1, 1] are scaled to int16 range, as Kaldi's features expect.
constexpr float kInt16Scale = 32768.0f;
// Seconds of audio between two looks of the endpoint rules.
constexpr double kEndpointCheckSeconds = 0.1;

// Greedy CTC: the best token per frame, repeats merged, blanks dropped.
std::vector<int> GreedyCtc(const float* log_probs, int64_t frames, int vocab, int blank) {
  std::vector<int> tokens;
  int prev = blank;
  for (int64_t t = 0; t < frames; ++t) {
    const float* p = log_probs + t * vocab;
    const int best = static_cast<int>(std::max_element(p, p + vocab) - p);
    if (best != blank && best != prev) tokens.push_back(best);
    prev = best;
  }
  return tokens;
}

}  // namespace

StreamImpl::StreamImpl(std::shared_ptr<const DecodingSetup> setup)
    : setup_(std::move(setup)),
      network_(setup_->network),
      options_(setup_->options),
      fbank_(frontend::WithVtlnWarp(network_.config().fbank, options_.vtln_warp, "--vtln-warp")),
      endpointer_(options_.endpoint, FrameShiftSeconds(), network_.config().encoder.reduction,
                  decoder::Vocabulary::kBlank,
                  network_.vocab().Id("<space>") == decoder::Vocabulary::kUnk
                      ? -1
                      : network_.vocab().Id("<space>")),
      search_(setup_->search_options, &network_.decoder(), setup_->fused_lm,
              decoder::Vocabulary::kBlank) {
  Reset();
}

double StreamImpl::FrameShiftSeconds() const {
  return network_.config().fbank.frame.frame_shift_ms * 1e-3;
}

double StreamImpl::SecondsPerFrame() const { return network_.seconds_per_encoder_frame(); }

double StreamImpl::Duration() const {
  return static_cast<double>(samples_) / network_.config().fbank.frame.samp_freq;
}

void StreamImpl::Reset() {
  fbank_.Reset();
  endpointer_.Reset();
  resampler_.reset();
  input_rate_hz_ = 0;
  block_.clear();
  open_ = frontend::Matrix(0, fbank_.Dim());
  open_start_frame_ = 0;
  samples_ = 0;
  finished_ = false;
  results_.clear();
  pending_.clear();
  partial_.clear();
  partial_frames_ = partial_start_ = -1;
}

void StreamImpl::AcceptWaveform(const float* samples, int64_t count, int sample_rate_hz) {
  ATTEND_CHECK(!finished_, "audio after Finish(): Reset() the stream for a new recording");
  ATTEND_CHECK(count >= 0 && sample_rate_hz > 0, "bad audio: ", count, " samples at ",
               sample_rate_hz, " Hz");
  for (int64_t i = 0; i < count; ++i)
    ATTEND_CHECK(std::isfinite(samples[i]), "audio contains NaN or infinite samples");
  if (input_rate_hz_ == 0) {
    input_rate_hz_ = sample_rate_hz;
    const double rate = network_.config().fbank.frame.samp_freq;
    if (sample_rate_hz != rate) resampler_.emplace(sample_rate_hz, rate);
  }
  ATTEND_CHECK(sample_rate_hz == input_rate_hz_, "a stream takes one sample rate: ", input_rate_hz_,
               " Hz so far, now ", sample_rate_hz, " Hz");
  nn::ScopedNumThreads threads(options_.threads);
  // In the blocks frontend::AudioReader reads (of the input, before
  // resampling), whatever the chunks: the endpointer looks at the audio after
  // each block, so the boundaries, and the results, are those of the file.
  const auto block = static_cast<size_t>(frontend::kAudioBlockFrames);
  for (int64_t i = 0; i < count;) {
    const int64_t take = std::min<int64_t>(count - i, static_cast<int64_t>(block - block_.size()));
    for (int64_t k = 0; k < take; ++k) block_.push_back(samples[i + k] * kInt16Scale);
    i += take;
    if (block_.size() == block) FeedInputBlock();
  }
}

void StreamImpl::FeedInputBlock() {
  if (resampler_) {
    resampled_.clear();
    resampler_->Process(block_, &resampled_);
    if (!resampled_.empty()) AcceptBlock(resampled_);
  } else {
    AcceptBlock(block_);
  }
  block_.clear();
}

void StreamImpl::AcceptBlock(const std::vector<float>& samples) {
  samples_ += static_cast<int64_t>(samples.size());
  // The endpoint rules look at the audio every kEndpointCheckSeconds of the
  // block, not once per block: an utterance ends that soon after its pause.
  // The steps depend on the block alone, so chunk sizes still do not matter.
  const auto step = static_cast<size_t>(
      std::max(1.0, std::round(kEndpointCheckSeconds * network_.config().fbank.frame.samp_freq)));
  const std::span<const float> all(samples);
  for (size_t i = 0; i < all.size(); i += step) {
    fbank_.AcceptWaveform(all.subspan(i, std::min(step, all.size() - i)));
    PopFrames();
    DecodeEndedUtterances(/*final=*/false);
  }
}

void StreamImpl::Finish() {
  if (finished_) return;
  nn::ScopedNumThreads threads(options_.threads);
  if (!block_.empty()) FeedInputBlock();
  if (resampler_) {
    resampled_.clear();
    resampler_->Flush(&resampled_);
    if (!resampled_.empty()) AcceptBlock(resampled_);
  }
  fbank_.InputFinished();
  PopFrames();
  DecodeEndedUtterances(/*final=*/true);
  finished_ = true;
}

Segment StreamImpl::Result() {
  ATTEND_CHECK(!results_.empty(), "no finished utterance: check IsEndpoint() first");
  Segment s = std::move(results_.front());
  results_.pop_front();
  return s;
}

std::string StreamImpl::PartialText() {
  const int64_t frames = open_.rows();
  if (frames == 0 || finished_) return {};
  const auto interval =
      static_cast<int64_t>(std::llround(options_.partial_interval_seconds / FrameShiftSeconds()));
  if (partial_start_ == open_start_frame_ && frames < partial_frames_ + interval) return partial_;
  partial_.clear();
  // Silence has no text: it is not encoded (while a stream listens to
  // silence the open audio grows until a rule cuts it).
  frontend::Matrix open = OpenRows(frames);
  if (!endpointer_.IsPauseOnly(open)) {
    nn::ScopedNumThreads threads(options_.threads);
    Encode(std::move(open));
    partial_ =
        network_.vocab().Decode(GreedyCtc(ctc_log_probs_.data(), out_lengths_[0],
                                          network_.vocab().size(), decoder::Vocabulary::kBlank));
  }
  partial_frames_ = frames;
  partial_start_ = open_start_frame_;
  return partial_;
}

Transcript StreamImpl::FinishTranscript() {
  Finish();
  Transcript t;
  t.seconds_per_frame = SecondsPerFrame();
  t.duration = Duration();
  while (!results_.empty()) t.segments.push_back(Result());
  JoinText(&t);
  return t;
}

void StreamImpl::JoinText(Transcript* t) {
  for (const Segment& s : t->segments) {
    if (s.nbest.empty() || s.nbest[0].text.empty()) continue;
    if (!t->text.empty()) t->text += ' ';
    t->text += s.nbest[0].text;
  }
}

Transcript StreamImpl::RecognizeFeatures(const float* features, int64_t frames, int64_t dim) {
  ATTEND_CHECK(dim == network_.config().encoder.input_dim, "features have dimension ", dim,
               ", the model expects ", network_.config().encoder.input_dim);
  nn::ScopedNumThreads threads(options_.threads);
  Reset();
  open_ = frontend::Matrix(0, dim);
  for (int64_t r = 0; r < frames; ++r) open_.AppendRow(features + r * dim);
  endpointer_.Accept(open_, 0);
  DecodeEndedUtterances(/*final=*/true);
  finished_ = true;
  Transcript t = FinishTranscript();
  t.duration = static_cast<double>(frames) * FrameShiftSeconds();
  return t;
}

void StreamImpl::PopFrames() {
  const int64_t first_new = open_.rows();
  fbank_.PopFrames(&open_);
  endpointer_.Accept(open_, first_new);
}

void StreamImpl::DecodeEndedUtterances(bool final) {
  const Endpointer::CtcFn ctc = [this](int64_t window) {
    Encode(OpenRows(window));
    return CtcView{ctc_log_probs_.data(), out_lengths_[0], network_.vocab().size()};
  };
  for (;;) {
    const std::vector<EndpointCut> cuts =
        endpointer_.Decide(open_, final, /*after_utterance=*/open_start_frame_ > 0, ctc);
    if (cuts.empty()) break;
    int64_t dropped = 0;
    for (const EndpointCut& c : cuts) {
      if (c.end > dropped) DecodeUtterance(c.end - dropped);
      DropFrames(c.next - dropped);
      dropped = c.next;
    }
    if (open_.rows() == 0) break;
  }
}

void StreamImpl::DropFrames(int64_t frames) {
  frontend::Matrix rest(0, open_.cols());
  rest.ReserveRows(open_.rows() - frames);
  for (int64_t r = frames; r < open_.rows(); ++r) rest.AppendRow(open_.Row(r));
  open_ = std::move(rest);
  open_start_frame_ += frames;
}

frontend::Matrix StreamImpl::OpenRows(int64_t frames) const {
  frontend::Matrix rows(frames, open_.cols());
  std::copy_n(open_.data(), frames * open_.cols(), rows.data());
  return rows;
}

void StreamImpl::Encode(frontend::Matrix feats) {
  const int64_t frames = feats.rows(), dim = feats.cols();
  if (network_.cmvn() != nullptr) network_.cmvn()->Apply(&feats);
  // Padded to the encoder's bucket (the length travels beside it): segments
  // of many lengths then share a few shapes, so a few plans.
  const int64_t padded = network_.config().encoder.PaddedLength(frames);
  input_.Resize({padded, 1, dim});  // [T, N=1, C] tnc
  std::copy_n(feats.data(), frames * dim, input_.data());
  std::fill(input_.data() + frames * dim, input_.data() + padded * dim, 0.0f);
  network_.encoder().Forward(input_, {frames}, &encoded_, &out_lengths_, &encoder_ctx_);
  network_.ctc().Forward(encoded_, &ctc_log_probs_, &ctc_plans_);
}

void StreamImpl::SetWordConfidences(const std::vector<decoder::WordFeatures>& features,
                                    Alternative* alt) const {
  for (size_t i = 0; i < alt->words.size(); ++i) {
    TimedUnit& w = alt->words[i];
    if (setup_->calibration.enabled()) w.confidence = setup_->calibration.Probability(features[i]);
    if (options_.keep_confidence_features)
      w.features.assign(features[i].begin(), features[i].end());
  }
}

void StreamImpl::DecodeUtterance(int64_t frames) {
  frontend::Matrix feats = OpenRows(frames);
  if (endpointer_.IsPauseOnly(feats)) return;  // rule 1: a pause alone
  if (defer_decoding_) {
    pending_.push_back({std::move(feats), open_start_frame_});
    return;
  }
  Encode(std::move(feats));
  results_.push_back(Search(encoded_, out_lengths_, ctc_log_probs_, open_start_frame_, frames));
}

std::vector<StreamImpl::PendingUtterance> StreamImpl::TakePending() {
  std::vector<PendingUtterance> pending = std::move(pending_);
  pending_.clear();
  return pending;
}

void StreamImpl::EncodeBatch(const std::vector<const frontend::Matrix*>& feats,
                             std::vector<EncodedUtterance>* out) {
  const acoustic::EncoderConfig& config = network_.config().encoder;
  const auto n = static_cast<int64_t>(feats.size());
  const int64_t dim = config.input_dim;
  int64_t longest = 0;
  batch_lengths_.clear();
  for (const frontend::Matrix* f : feats) {
    batch_lengths_.push_back(f->rows());
    longest = std::max(longest, f->rows());
  }
  const int64_t padded = config.PaddedLength(longest);
  input_.Resize({padded, n, dim});  // [T, N, C] tnc
  std::fill(input_.data(), input_.data() + input_.size(), 0.0f);
  for (int64_t u = 0; u < n; ++u) {
    frontend::Matrix normalized = *feats[u];
    if (network_.cmvn() != nullptr) network_.cmvn()->Apply(&normalized);
    for (int64_t t = 0; t < normalized.rows(); ++t)
      std::copy_n(normalized.Row(t), dim, input_.data() + (t * n + u) * dim);
  }
  network_.encoder().Forward(input_, batch_lengths_, &encoded_, &out_lengths_, &encoder_ctx_);
  network_.ctc().Forward(encoded_, &ctc_log_probs_, &ctc_plans_);
  // Each utterance gets the frames a batch of one would have (its own
  // padded length); frames past its valid length are masked by the search.
  out->resize(n);
  for (int64_t u = 0; u < n; ++u) {
    const int64_t frames =
        acoustic::Encoder::OutputLengths(config, {config.PaddedLength(batch_lengths_[u])})[0];
    EncodedUtterance& e = (*out)[u];
    e.length = out_lengths_[u];
    for (auto [from, to] :
         {std::pair{&encoded_, &e.encoded}, {&ctc_log_probs_, &e.ctc_log_probs}}) {
      const int64_t width = from->dim(2);
      to->Resize({frames, 1, width});
      for (int64_t t = 0; t < frames; ++t)
        std::copy_n(from->data() + (t * n + u) * width, width, to->data() + t * width);
    }
  }
}

Segment StreamImpl::SearchUtterance(const EncodedUtterance& utt, int64_t start_frame,
                                    int64_t frames) {
  return Search(utt.encoded, {utt.length}, utt.ctc_log_probs, start_frame, frames);
}

Segment StreamImpl::Search(const nn::Tensor& encoded, const std::vector<int64_t>& lengths,
                           const nn::Tensor& ctc_log_probs, int64_t start_frame, int64_t frames) {
  const bool need_ctc = setup_->search_options.ctc_weight > 0;
  auto hyps = search_.Search(encoded, lengths, need_ctc ? &ctc_log_probs : nullptr)[0];

  const double shift = FrameShiftSeconds();
  Segment segment;
  segment.start = static_cast<double>(start_frame) * shift;
  segment.end = static_cast<double>(start_frame + frames) * shift;
  const double per_frame = network_.seconds_per_encoder_frame();
  const decoder::Vocabulary& vocab = network_.vocab();
  // Times and words of every hypothesis: word confidences compare them.
  std::vector<std::vector<decoder::TokenSpan>> spans(hyps.size());
  std::vector<std::vector<decoder::WordSpan>> words(hyps.size());
  std::vector<std::vector<std::string>> word_texts(hyps.size());
  std::vector<bool> from_ctc(hyps.size());  // times from the CTC alignment, not attention peaks
  std::vector<float> scores;
  for (size_t k = 0; k < hyps.size(); ++k) {
    spans[k] = decoder::CtcAlign(ctc_log_probs.data(), lengths[0], vocab.size(),
                                 decoder::Vocabulary::kBlank, hyps[k].tokens);
    from_ctc[k] = !spans[k].empty();
    if (spans[k].empty()) spans[k] = decoder::AttentionAlign(hyps[k].attention, hyps[k].tokens);
    words[k] = decoder::GroupWords(spans[k], vocab);
    for (const auto& w : words[k]) word_texts[k].push_back(w.word);
    scores.push_back(hyps[k].score);
  }
  const std::vector<double> posteriors =
      decoder::NbestPosteriors(scores, setup_->calibration.nbest_scale);
  auto seconds = [&](int64_t f) {
    return std::min(segment.end, segment.start + static_cast<double>(f) * per_frame);
  };
  const size_t returned = std::min(hyps.size(), static_cast<size_t>(options_.nbest));
  for (size_t k = 0; k < returned; ++k) {
    decoder::Hypothesis& h = hyps[k];
    Alternative alt;
    alt.text = vocab.Decode(h.tokens);
    alt.score = h.score;
    alt.attention_score = h.attention_score;
    alt.ctc_score = h.ctc_score;
    alt.lm_score = h.lm_score;
    alt.times_from_ctc = from_ctc[k] || h.tokens.empty();
    if (options_.keep_tokens)
      for (const auto& s : spans[k])
        alt.tokens.push_back(
            {vocab.Token(s.token), seconds(s.start_frame), seconds(s.end_frame), s.confidence, {}});
    for (const auto& w : words[k])
      alt.words.push_back({w.word, seconds(w.start_frame), seconds(w.end_frame), w.confidence, {}});
    if (setup_->word_features)
      SetWordConfidences(
          decoder::ComputeWordFeatures(h, spans[k], words[k],
                                       decoder::NbestWordPosteriors(word_texts, posteriors, k),
                                       posteriors[k]),
          &alt);
    alt.confidence = static_cast<float>(posteriors[k]);
    if (!alt.words.empty()) {
      double sum = 0;
      for (const TimedUnit& w : alt.words) sum += w.confidence;
      alt.confidence = static_cast<float>(sum / static_cast<double>(alt.words.size()));
    }
    if (options_.keep_attention && h.attention.rank() == 2) {
      alt.attention_rows = h.attention.dim(0);
      alt.attention_cols = h.attention.dim(1);
      alt.attention.assign(h.attention.data(), h.attention.data() + h.attention.size());
    }
    if (h.head_attention.rank() == 3) {
      alt.attention_heads = h.head_attention.dim(0);
      alt.head_attention.assign(h.head_attention.data(),
                                h.head_attention.data() + h.head_attention.size());
    }
    segment.nbest.push_back(std::move(alt));
  }
  return segment;
}

}  // namespace attend
