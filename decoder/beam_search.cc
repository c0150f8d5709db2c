#include "decoder/beam_search.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "base/error.h"
#include "decoder/ctc_prefix_scorer.h"

namespace attend::decoder {

namespace po = boost::program_options;

void BeamSearchOptions::Register(po::options_description* desc) {
  desc->add_options()("beam", po::value(&beam)->default_value(beam),
                      "hypotheses kept per utterance (1 = greedy)")(
      "nbest", po::value(&nbest)->default_value(nbest),
      "hypotheses returned per utterance (<= beam)")(
      "ctc-weight", po::value(&ctc_weight)->default_value(ctc_weight),
      "weight of the CTC prefix score in [0, 1]; 0 = attention only")(
      "lm-weight", po::value(&lm_weight)->default_value(lm_weight),
      "weight of the language model's log-probability (>= 0; 0 = no LM)")(
      "length-penalty", po::value(&length_penalty)->default_value(length_penalty),
      "score added per output token, <eos> included (> 0 favours longer output)")(
      "length-normalization", po::bool_switch(&length_normalization),
      "rank hypotheses by score / (tokens + 1)")(
      "max-len-ratio", po::value(&max_len_ratio)->default_value(max_len_ratio),
      "max output tokens as a ratio of encoder frames (0 = encoder frames)")(
      "min-len-ratio", po::value(&min_len_ratio)->default_value(min_len_ratio),
      "min output tokens as a ratio of encoder frames")(
      "pre-beam-ratio", po::value(&pre_beam_ratio)->default_value(pre_beam_ratio),
      "CTC and LM score the best ratio*beam attention candidates (>= 1)");
}

void BeamSearchOptions::Validate() const {
  ATTEND_CHECK(beam >= 1, "--beam must be at least 1, got ", beam);
  ATTEND_CHECK(nbest >= 1 && nbest <= beam, "--nbest must be in [1, --beam=", beam, "], got ",
               nbest);
  ATTEND_CHECK(ctc_weight >= 0 && ctc_weight <= 1, "--ctc-weight must be in [0, 1], got ",
               ctc_weight);
  ATTEND_CHECK(lm_weight >= 0 && std::isfinite(lm_weight), "--lm-weight must be >= 0, got ",
               lm_weight);
  ATTEND_CHECK(std::isfinite(length_penalty), "--length-penalty must be finite, got ",
               length_penalty);
  ATTEND_CHECK(max_len_ratio >= 0, "--max-len-ratio must be >= 0, got ", max_len_ratio);
  ATTEND_CHECK(min_len_ratio >= 0, "--min-len-ratio must be >= 0, got ", min_len_ratio);
  ATTEND_CHECK(max_len_ratio == 0 || min_len_ratio <= max_len_ratio, "--min-len-ratio (",
               min_len_ratio, ") exceeds --max-len-ratio (", max_len_ratio, ")");
  ATTEND_CHECK(pre_beam_ratio >= 1, "--pre-beam-ratio must be >= 1, got ", pre_beam_ratio);
}

std::string BeamSearchOptions::ToString() const {
  std::ostringstream out;
  out << "beam=" << beam << " nbest=" << nbest << " ctc_weight=" << ctc_weight
      << " lm_weight=" << lm_weight << " length_penalty=" << length_penalty
      << " length_normalization=" << length_normalization << " max_len_ratio=" << max_len_ratio
      << " min_len_ratio=" << min_len_ratio << " pre_beam_ratio=" << pre_beam_ratio;
  return out.str();
}

namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// A live hypothesis; slot b of utterance u is decoder row u·beam + b.
struct Slot {
  bool live = false;
  int length = 0;  // tokens emitted, <sos> excluded
  int last_token = -1;
  float score = kNegInf;  // the weighted sum (hypothesis.h), not normalized
  float attention_score = 0;
  float lm_score = 0;
  CtcPrefixScorer::State ctc;
  LmState lm;
  int history = -1;  // index of its last token in Utterance::history; -1 = none
};

// A token on some hypothesis's path, for traceback (Marian's hypothesis chain).
struct HistoryEntry {
  int token;
  int parent;                // previous entry, -1 at the start
  int64_t attention_offset;  // into Utterance::attention, -1 when not kept
  int64_t heads_offset;      // into Utterance::head_attention, -1 when not kept
  float attention_part;      // ln P_att(token)
  float lm_part;             // ln P_lm(token)
};

struct Candidate {
  float score;
  int slot;
  int token;
  float attention_part;  // ln P_att(token)
  float lm_part;         // ln P_lm(token)
  int ctc_index;         // into the slot's CTC extensions, -1 without CTC
};

// An ended hypothesis: its scores now, its tokens and attention rows only when
// it is returned (Traceback), since most ended ones never are and a
// traceback copies a row of attention per token.
struct Ended {
  float final_score;
  int length;   // tokens, <eos> excluded
  int history;  // its <eos> entry in Utterance::history
  Hypothesis hyp;
};

struct Utterance {
  int64_t frames = 0;
  int max_len = 0;
  int min_len = 0;
  bool done = false;
  std::vector<float> ctc_log_probs;  // [frames, V] contiguous copy of this utterance's CTC output
  std::unique_ptr<CtcPrefixScorer> ctc;
  std::vector<Slot> slots, next_slots;
  std::vector<CtcPrefixScorer::Extensions> ctc_next;  // per slot: its scored candidates
  std::vector<HistoryEntry> history;
  std::vector<float> attention;       // rows of `frames` floats
  std::vector<float> head_attention;  // rows of heads × `frames` floats
  std::vector<Ended> ended;
};

// Orders candidates best first; ties break by slot then token so that the
// result does not depend on how the batch was formed.
bool Better(const Candidate& a, const Candidate& b) {
  if (a.score != b.score) return a.score > b.score;
  if (a.slot != b.slot) return a.slot < b.slot;
  return a.token < b.token;
}

// Fills hyp's tokens and, when kept, attention rows (and `heads` heads' rows
// when more than 0) by following the history from entry `last` (an <eos>)
// back to the start.
void Traceback(const Utterance& ut, int last, bool keep_attention, int heads, Hypothesis* hyp) {
  std::vector<int> path;
  for (int h = last; h >= 0; h = ut.history[h].parent) path.push_back(h);
  std::reverse(path.begin(), path.end());
  hyp->tokens.clear();
  hyp->token_attention_scores.clear();
  hyp->token_lm_scores.clear();
  for (size_t i = 0; i < path.size(); ++i) {
    const HistoryEntry& entry = ut.history[path[i]];
    if (i + 1 < path.size()) hyp->tokens.push_back(entry.token);
    hyp->token_attention_scores.push_back(entry.attention_part);
    hyp->token_lm_scores.push_back(entry.lm_part);
  }
  if (!keep_attention) return;
  hyp->attention.Resize({static_cast<int64_t>(path.size()), ut.frames});
  for (size_t i = 0; i < path.size(); ++i)
    std::copy_n(ut.attention.data() + ut.history[path[i]].attention_offset, ut.frames,
                hyp->attention.data() + i * ut.frames);
  if (heads == 0) return;
  const auto steps = static_cast<int64_t>(path.size());
  hyp->head_attention.Resize({heads, steps, ut.frames});
  for (int64_t i = 0; i < steps; ++i)
    for (int h = 0; h < heads; ++h)
      std::copy_n(ut.head_attention.data() + ut.history[path[i]].heads_offset + h * ut.frames,
                  ut.frames, hyp->head_attention.data() + (h * steps + i) * ut.frames);
}

// ESPnet's end detection, used when scores can still grow (length bonus or
// normalization): stop once, for each of the last 3 lengths, the best ended
// hypothesis of that length is 10 nats below the best ended overall.
bool EndDetected(const std::vector<Ended>& ended, int length) {
  if (ended.empty()) return false;
  float best = kNegInf;
  for (const Ended& e : ended) best = std::max(best, e.final_score);
  int count = 0;
  for (int m = 0; m < 3; ++m) {
    float best_here = kNegInf;
    bool any = false;
    for (const Ended& e : ended)
      if (e.length == length - m) {
        any = true;
        best_here = std::max(best_here, e.final_score);
      }
    if (any && best_here - best < -10.0f) ++count;
  }
  return count == 3;
}

}  // namespace

struct BeamSearch::Workspace {
  std::vector<Utterance> utts;
  std::unique_ptr<DecoderState> decoder_state;
};

BeamSearch::~BeamSearch() = default;

BeamSearch::BeamSearch(const BeamSearchOptions& options, const StepDecoder* decoder,
                       const LanguageModel* lm, int blank_id)
    : options_(options),
      decoder_(decoder),
      lm_(lm),
      blank_id_(blank_id),
      workspace_(std::make_unique<Workspace>()) {
  options_.Validate();
  ATTEND_CHECK(decoder_ != nullptr, "beam search needs a decoder");
  workspace_->decoder_state = decoder_->NewState();
  ATTEND_CHECK(options_.lm_weight == 0 || lm_ != nullptr, "--lm-weight is ", options_.lm_weight,
               " but no language model was given");
}

std::vector<std::vector<Hypothesis>> BeamSearch::Search(const nn::Tensor& encoder_out,
                                                        const std::vector<int64_t>& lengths,
                                                        const nn::Tensor* ctc_log_probs) {
  ATTEND_CHECK(encoder_out.rank() == 3, "beam search: encoder output must be [T', N, D], got ",
               nn::ShapeToString(encoder_out.shape()));
  const int64_t T = encoder_out.dim(0);
  const int N = static_cast<int>(encoder_out.dim(1));
  const int B = options_.beam;
  const int V = decoder_->vocab_size();
  const int eos = decoder_->eos_id();
  const int sos = decoder_->sos_id();
  ATTEND_CHECK(static_cast<int>(lengths.size()) == N, "beam search: ", lengths.size(),
               " lengths for ", N, " utterances");
  const bool use_ctc = options_.ctc_weight > 0;
  const bool use_lm = options_.lm_weight > 0 && lm_ != nullptr;
  ATTEND_CHECK(!use_ctc || ctc_log_probs != nullptr, "--ctc-weight is ", options_.ctc_weight,
               " but the model has no CTC branch");
  if (use_ctc)
    ATTEND_CHECK(ctc_log_probs->rank() == 3 && ctc_log_probs->dim(0) == T &&
                     ctc_log_probs->dim(1) == N && ctc_log_probs->dim(2) == V,
                 "beam search: CTC log-probs must be [", T, ", ", N, ", ", V, "], got ",
                 nn::ShapeToString(ctc_log_probs->shape()));
  const float lambda = options_.ctc_weight;
  // Without CTC or LM the best `beam` attention candidates per slot are all
  // that can win; with them, a wider pre-beam gives the other scores a say.
  // CTC alone (weight 1) scores every token: the attention decoder, possibly
  // untrained, has no say in which.
  const int pre_beam =
      lambda >= 1 ? V
                  : std::min(V, (use_ctc || use_lm)
                                    ? static_cast<int>(std::ceil(options_.pre_beam_ratio * B))
                                    : B);
  // The real scorers rank by the pure scores: a rescaled attention part would
  // change nothing when it is the only one.
  const float att_weight = use_ctc ? 1.0f - lambda : 1.0f;

  // Reused from the last call: every field is reset, buffers keep their capacity.
  std::vector<Utterance>& utts = workspace_->utts;
  utts.resize(N);
  for (int u = 0; u < N; ++u) {
    Utterance& ut = utts[u];
    ut.done = false;
    ut.ctc.reset();
    for (Slot& s : ut.slots) s = Slot();
    ut.history.clear();
    ut.attention.clear();
    ut.head_attention.clear();
    ut.ended.clear();
    ut.frames = lengths[u];
    ATTEND_CHECK(ut.frames >= 0 && ut.frames <= T, "beam search: length ", ut.frames,
                 " outside [0, ", T, "]");
    ut.max_len = options_.max_len_ratio == 0
                     ? static_cast<int>(ut.frames)
                     : std::max(1, static_cast<int>(options_.max_len_ratio * ut.frames));
    ut.min_len = std::min(ut.max_len, static_cast<int>(options_.min_len_ratio * ut.frames));
    ut.slots.resize(B);
    ut.next_slots.resize(B);
    ut.ctc_next.resize(B);
    if (use_ctc) {
      ut.ctc_log_probs.resize(ut.frames * V);
      for (int64_t t = 0; t < ut.frames; ++t)
        std::copy_n(ctc_log_probs->data() + (t * N + u) * V, V, ut.ctc_log_probs.data() + t * V);
      ut.ctc =
          std::make_unique<CtcPrefixScorer>(ut.ctc_log_probs.data(), ut.frames, V, blank_id_, eos);
    }
    Slot& first = ut.slots[0];
    first.live = true;
    first.score = 0;
    first.last_token = sos;
    if (use_ctc) first.ctc = ut.ctc->Initial();
    if (use_lm) first.lm = lm_->Start();
  }

  const int rows = N * B;
  std::vector<int> tokens(rows, sos), origins(rows);
  nn::Tensor log_probs, attention, head_attention;
  // Heads whose weights are kept besides their mean; 0: none.
  const int heads =
      options_.keep_attention && options_.keep_head_attention && decoder_->attention_heads() > 1
          ? decoder_->attention_heads()
          : 0;
  std::vector<Candidate> candidates;
  std::vector<int> pre, order(V);
  std::vector<float> lm_scores(V);
  decoder_->Start(encoder_out, lengths, B, workspace_->decoder_state.get());

  for (int step = 0;; ++step) {
    bool any_live = false;
    for (const Utterance& ut : utts) any_live |= !ut.done;
    if (!any_live) break;
    decoder_->Step(tokens, workspace_->decoder_state.get(), &log_probs,
                   options_.keep_attention ? &attention : nullptr);
    ATTEND_ASSERT(log_probs.size() == static_cast<int64_t>(rows) * V, "decoder returned ",
                  nn::ShapeToString(log_probs.shape()));
    if (heads > 0) decoder_->HeadAttention(*workspace_->decoder_state, &head_attention);
    for (int u = 0; u < N; ++u) {
      Utterance& ut = utts[u];
      for (int b = 0; b < B; ++b) origins[u * B + b] = u * B;
      if (ut.done) continue;
      candidates.clear();
      for (int b = 0; b < B; ++b) {
        Slot& slot = ut.slots[b];
        if (!slot.live) continue;
        const float* lp = log_probs.data() + static_cast<int64_t>(u * B + b) * V;
        // Allowed tokens: never blank or a separate <sos>; <eos> only past the
        // minimum length, and nothing else at the maximum.
        pre.clear();
        if (slot.length >= ut.max_len) {
          pre.push_back(eos);
        } else {
          if (use_lm) lm_->ScoreAll(slot.lm, V, lm_scores.data());
          for (int c = 0; c < V; ++c) order[c] = c;
          auto pre_score = [&](int c) {
            if (c == blank_id_ || (c == sos && sos != eos) ||
                (c == eos && slot.length < ut.min_len))
              return kNegInf;
            return att_weight * lp[c] + (use_lm ? options_.lm_weight * lm_scores[c] : 0.0f);
          };
          std::partial_sort(order.begin(), order.begin() + pre_beam, order.end(),
                            [&](int a, int c) {
                              float sa = pre_score(a), sc = pre_score(c);
                              return sa != sc ? sa > sc : a < c;
                            });
          for (int k = 0; k < pre_beam; ++k)
            if (pre_score(order[k]) > kNegInf) pre.push_back(order[k]);
        }
        if (use_ctc) ut.ctc->Score(slot.ctc, pre, &ut.ctc_next[b]);
        const std::vector<float>& ctc_scores = ut.ctc_next[b].scores;
        for (size_t k = 0; k < pre.size(); ++k) {
          const int c = pre[k];
          float lm_part = 0;
          if (use_lm)
            lm_part = slot.length >= ut.max_len ? lm_->Score(slot.lm, c, nullptr) : lm_scores[c];
          float score = slot.score + att_weight * lp[c] + options_.lm_weight * lm_part +
                        options_.length_penalty;
          if (use_ctc) score += lambda * (ctc_scores[k] - slot.ctc.prefix_score);
          if (!(score > kNegInf)) continue;
          candidates.push_back({score, b, c, lp[c], lm_part, use_ctc ? static_cast<int>(k) : -1});
        }
      }
      const size_t keep = std::min<size_t>(B, candidates.size());
      std::partial_sort(candidates.begin(), candidates.begin() + keep, candidates.end(), Better);
      candidates.resize(keep);

      int live = 0;
      for (Slot& s : ut.next_slots) s.live = false;
      for (const Candidate& cand : candidates) {
        const Slot& parent = ut.slots[cand.slot];
        const int row = u * B + cand.slot;
        HistoryEntry entry{cand.token, parent.history, -1, -1, cand.attention_part, cand.lm_part};
        if (options_.keep_attention) {
          entry.attention_offset = static_cast<int64_t>(ut.attention.size());
          const float* a = attention.data() + static_cast<int64_t>(row) * T;
          ut.attention.insert(ut.attention.end(), a, a + ut.frames);
        }
        if (heads > 0) {
          entry.heads_offset = static_cast<int64_t>(ut.head_attention.size());
          for (int h = 0; h < heads; ++h) {
            const float* a = head_attention.data() + (static_cast<int64_t>(row) * heads + h) * T;
            ut.head_attention.insert(ut.head_attention.end(), a, a + ut.frames);
          }
        }
        ut.history.push_back(entry);
        const int history_index = static_cast<int>(ut.history.size()) - 1;
        if (cand.token == eos) {
          Ended e;
          e.hyp.attention_score = parent.attention_score + cand.attention_part;
          e.hyp.lm_score = parent.lm_score + cand.lm_part;
          e.hyp.ctc_score = use_ctc ? ut.ctc_next[cand.slot].scores[cand.ctc_index] : 0;
          e.final_score =
              options_.length_normalization ? cand.score / (parent.length + 1) : cand.score;
          e.length = parent.length;
          e.history = history_index;
          e.hyp.score = e.final_score;
          ut.ended.push_back(std::move(e));
          continue;
        }
        Slot& s = ut.next_slots[live];
        s.live = true;
        s.length = parent.length + 1;
        s.last_token = cand.token;
        s.score = cand.score;
        s.attention_score = parent.attention_score + cand.attention_part;
        s.lm_score = parent.lm_score + cand.lm_part;
        // Only the kept extensions' forward variables are copied out.
        if (use_ctc) ut.ctc->Extract(ut.ctc_next[cand.slot], cand.ctc_index, &s.ctc);
        if (use_lm) lm_->Score(parent.lm, cand.token, &s.lm);
        s.history = history_index;
        origins[u * B + live] = row;
        ++live;
      }
      std::swap(ut.slots, ut.next_slots);

      // Stop when nothing is live, or when no live hypothesis can still beat
      // the nbest-th ended one. Scores only fall when every increment is a
      // log-probability (no bonus, no normalization); otherwise use ESPnet's
      // end detection.
      if (live == 0) {
        ut.done = true;
      } else if (static_cast<int>(ut.ended.size()) >= options_.nbest) {
        std::vector<float> finals;
        for (const Ended& e : ut.ended) finals.push_back(e.final_score);
        std::nth_element(finals.begin(), finals.begin() + (options_.nbest - 1), finals.end(),
                         std::greater<float>());
        float best_live = kNegInf;
        for (const Slot& s : ut.slots)
          if (s.live) best_live = std::max(best_live, s.score);
        const bool monotone = !options_.length_normalization && options_.length_penalty <= 0;
        if (monotone ? best_live < finals[options_.nbest - 1] : EndDetected(ut.ended, step + 1))
          ut.done = true;
      }
      for (int b = 0; b < B; ++b) {
        const Slot& s = ut.slots[b];
        tokens[u * B + b] = s.live && !ut.done ? s.last_token : sos;
        if (ut.done) ut.slots[b].live = false;
      }
    }
    decoder_->Reorder(origins, workspace_->decoder_state.get());
  }

  std::vector<std::vector<Hypothesis>> results(N);
  for (int u = 0; u < N; ++u) {
    std::vector<Ended>& ended = utts[u].ended;
    std::stable_sort(ended.begin(), ended.end(),
                     [](const Ended& a, const Ended& b) { return a.final_score > b.final_score; });
    for (size_t i = 0; i < ended.size() && static_cast<int>(i) < options_.nbest; ++i) {
      Traceback(utts[u], ended[i].history, options_.keep_attention, heads, &ended[i].hyp);
      results[u].push_back(std::move(ended[i].hyp));
    }
  }
  return results;
}

}  // namespace attend::decoder
