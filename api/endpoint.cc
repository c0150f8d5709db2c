#include "api/endpoint.h"

#include <algorithm>
#include <boost/program_options.hpp>
#include <cmath>
#include <sstream>

#include "base/config_text.h"
#include "base/error.h"
#include "decoder/ctc_pauses.h"
#include "frontend/energy_split.h"

namespace attend {

namespace po = boost::program_options;

void EndpointOptions::Register(po::options_description* desc) {
  desc->add_options()(
      "min-leading-pause",
      po::value(&min_leading_pause_seconds)
          ->default_value(min_leading_pause_seconds, ShownDefault(min_leading_pause_seconds)),
      "endpoint rule 1: seconds of pause (quiet by the recording's own levels) with nothing "
      "before it that stand alone and are not decoded; 0 = off")(
      "min-pause",
      po::value(&min_pause_seconds)
          ->default_value(min_pause_seconds, ShownDefault(min_pause_seconds)),
      "endpoint rule 2: seconds of pause after speech that end a segment; 0 = off (no pause "
      "rules: only --max-segment cuts). In a recording longer than --max-segment, a stretch of "
      "--model-pause-fraction of this where the CTC head writes no letter also ends one")(
      "max-segment",
      po::value(&max_utterance_seconds)
          ->default_value(max_utterance_seconds, ShownDefault(max_utterance_seconds)),
      "endpoint rule 3: the longest segment in seconds (>= 1); where no pause is found by then, "
      "the cut goes between words")(
      "model-pause-fraction",
      po::value(&model_pause_fraction)
          ->default_value(model_pause_fraction, ShownDefault(model_pause_fraction)),
      "a letterless CTC stretch of this fraction of --min-pause is a pause, in (0, 1]")(
      "pause-keep",
      po::value(&pause_keep_seconds)
          ->default_value(pause_keep_seconds, ShownDefault(pause_keep_seconds)),
      "seconds of an ending pause kept with the speech on each side")(
      "cut-search",
      po::value(&cut_search_seconds)
          ->default_value(cut_search_seconds, ShownDefault(cut_search_seconds)),
      "rule 3 without a pause: seconds before --max-segment searched for the cut, > 0");
}

void EndpointOptions::Validate() const {
  ATTEND_CHECK(min_leading_pause_seconds >= 0 && std::isfinite(min_leading_pause_seconds),
               "--min-leading-pause must be >= 0 seconds, got ", min_leading_pause_seconds);
  ATTEND_CHECK(min_pause_seconds >= 0 && std::isfinite(min_pause_seconds),
               "--min-pause must be >= 0 seconds, got ", min_pause_seconds);
  ATTEND_CHECK(max_utterance_seconds >= 1, "--max-segment must be at least 1 second, got ",
               max_utterance_seconds);
  ATTEND_CHECK(model_pause_fraction > 0 && model_pause_fraction <= 1,
               "--model-pause-fraction must be in (0, 1], got ", model_pause_fraction);
  ATTEND_CHECK(pause_keep_seconds >= 0 && std::isfinite(pause_keep_seconds),
               "--pause-keep must be >= 0 seconds, got ", pause_keep_seconds);
  ATTEND_CHECK(cut_search_seconds > 0 && std::isfinite(cut_search_seconds),
               "--cut-search must be > 0 seconds, got ", cut_search_seconds);
}

std::string EndpointOptions::ToString() const {
  std::ostringstream out;
  out << "min-leading-pause=" << min_leading_pause_seconds << " min-pause=" << min_pause_seconds
      << " max-segment=" << max_utterance_seconds
      << " model-pause-fraction=" << model_pause_fraction << " pause-keep=" << pause_keep_seconds
      << " cut-search=" << cut_search_seconds;
  return out.str();
}

Endpointer::Endpointer(const EndpointOptions& options, double frame_shift_seconds,
                       int64_t reduction, int blank, int space)
    : options_(options), reduction_(reduction), blank_(blank), space_(space) {
  options_.Validate();
  const double shift = frame_shift_seconds;
  max_frames_ = static_cast<int64_t>(options_.max_utterance_seconds / shift);
  search_frames_ =
      std::min<int64_t>(max_frames_ - 1, static_cast<int64_t>(options_.cut_search_seconds / shift));
  min_pause_ = static_cast<int64_t>(std::llround(options_.min_pause_seconds / shift));
  if (min_pause_ > 0) {
    const auto leading =
        static_cast<int64_t>(std::llround(options_.min_leading_pause_seconds / shift));
    // The pause kept on each side fits in either rule's pause.
    int64_t limit = (min_pause_ - 1) / 2;
    if (leading > 0) limit = std::min(limit, (leading - 1) / 2);
    keep_ = std::min<int64_t>(std::llround(options_.pause_keep_seconds / shift), limit);
    pauses_.emplace(min_pause_, keep_, leading);
  }
}

void Endpointer::Reset() {
  if (pauses_) pauses_->Reset();
}

void Endpointer::Accept(const frontend::Matrix& open, int64_t first_new) {
  if (pauses_) pauses_->Accumulate(open, first_new);
}

bool Endpointer::IsPauseOnly(const frontend::Matrix& features) const {
  return pauses_ && pauses_->AllQuiet(features);
}

std::vector<EndpointCut> Endpointer::Decide(const frontend::Matrix& open, bool final,
                                            bool after_utterance, const CtcFn& ctc) const {
  const int64_t rows = open.rows();
  // Rules 1 and 2, by loudness.
  const int64_t cut = pauses_ ? pauses_->FindCut(open) : 0;
  if (cut > 0 && cut <= max_frames_) return {{cut, cut}};
  // Rule 3: no pause by loudness within the maximum length, so the model's
  // pauses. The last stretch of a recording longer than one utterance is
  // split at them too; a shorter recording is decoded whole.
  if (rows > max_frames_) return ModelCuts(open, max_frames_, /*must_cut=*/true, ctc);
  if (!final || rows == 0) return {};
  std::vector<EndpointCut> cuts;
  if (after_utterance && min_pause_ > 0) cuts = ModelCuts(open, rows, false, ctc);
  cuts.push_back({rows, rows});
  return cuts;
}

std::vector<EndpointCut> Endpointer::ModelCuts(const frontend::Matrix& open, int64_t window,
                                               bool must_cut, const CtcFn& ctc) const {
  const CtcView view = ctc(window);
  std::vector<EndpointCut> cuts;
  if (min_pause_ > 0) {
    const auto min_run = static_cast<int64_t>(
        std::ceil(options_.model_pause_fraction * static_cast<double>(min_pause_) / reduction_));
    for (const decoder::FrameRange& p :
         decoder::CtcPauses(view.log_probs, view.frames, view.vocab, blank_, space_, min_run)) {
      const int64_t start = p.start * reduction_, end = std::min(p.end * reduction_, window);
      EndpointCut c;
      c.end = p.start == 0 ? 0 : start + keep_;  // a leading pause ends no speech
      // A pause that ends the recording is not decoded.
      c.next = !must_cut && end == window ? window : std::max(c.end, end - keep_);
      if (!cuts.empty() && c.end < cuts.back().next) continue;
      cuts.push_back(c);
    }
  }
  if (!cuts.empty() || !must_cut) return cuts;
  // The longest letterless stretch whose middle is in the search range (the
  // window's second half at least: no sliver of an utterance); ties go to
  // the latest.
  const int64_t search = std::min(search_frames_, window / 2), lo = window - search;
  int64_t best = 0, best_size = 0;
  for (const decoder::FrameRange& p :
       decoder::CtcPauses(view.log_probs, view.frames, view.vocab, blank_, space_, 1)) {
    const int64_t middle = (p.start + p.end) * reduction_ / 2;
    if (middle >= lo && middle <= window && p.size() >= best_size) {
      best = middle;
      best_size = p.size();
    }
  }
  if (best == 0) best = frontend::ChooseSplitFrame(open, window, search);
  cuts.push_back({best, best});
  return cuts;
}

}  // namespace attend
