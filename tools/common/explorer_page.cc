#include "tools/common/explorer_page.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "frontend/fbank.h"
#include "tools/common/explorer_page_html.h"  // generated from explorer_page.html

namespace attend::tools {
namespace {

using nlohmann::json;

// The template's places for the page title and the data.
constexpr std::string_view kTitleMarker = "{{ATTEND_TITLE}}";
constexpr std::string_view kDataMarker = "{{ATTEND_DATA}}";

std::string Base64(const std::vector<uint8_t>& bytes) {
  static constexpr char kDigits[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    const size_t n = std::min<size_t>(3, bytes.size() - i);
    uint32_t v = static_cast<uint32_t>(bytes[i]) << 16;
    if (n > 1) v |= static_cast<uint32_t>(bytes[i + 1]) << 8;
    if (n > 2) v |= bytes[i + 2];
    for (size_t k = 0; k < 4; ++k) out += k <= n ? kDigits[(v >> (18 - 6 * k)) & 63] : '=';
  }
  return out;
}

// A 16-bit PCM mono WAV file of `samples` in [-1, 1] (clipped).
std::vector<uint8_t> Wav16(std::span<const float> samples, int rate) {
  std::vector<uint8_t> wav;
  auto put = [&](uint32_t v, int bytes) {
    for (int k = 0; k < bytes; ++k) wav.push_back(static_cast<uint8_t>(v >> (8 * k)));
  };
  auto tag = [&](const char* t) { wav.insert(wav.end(), t, t + 4); };
  const auto data_bytes = static_cast<uint32_t>(2 * samples.size());
  tag("RIFF");
  put(36 + data_bytes, 4);
  tag("WAVE");
  tag("fmt ");
  put(16, 4);  // chunk size
  put(1, 2);   // PCM
  put(1, 2);   // channels
  put(static_cast<uint32_t>(rate), 4);
  put(static_cast<uint32_t>(2 * rate), 4);  // bytes per second
  put(2, 2);                                // bytes per frame
  put(16, 2);                               // bits per sample
  tag("data");
  put(data_bytes, 4);
  for (float x : samples) {
    const auto s =
        static_cast<int16_t>(std::lround(std::clamp(x, -1.0f, 32767.0f / 32768) * 32768));
    put(static_cast<uint16_t>(s), 2);
  }
  return wav;
}

// The log-mel filterbank of `samples` (the frontend's defaults at the audio's
// rate: the picture, not necessarily the model's exact input), quantized to
// 8 bits between a low percentile and the maximum, so that quiet frames do
// not squeeze the speech into a few levels.
json Features(std::span<const float> samples, int rate) {
  frontend::FbankOptions opts;
  opts.frame.samp_freq = static_cast<float>(rate);
  frontend::Fbank fbank(opts);
  std::vector<float> wave(samples.begin(), samples.end());
  for (float& x : wave) x *= 32768.0f;  // Kaldi's int16 scale
  const frontend::Matrix feats = fbank.Compute(wave);
  std::vector<float> values(feats.data(), feats.data() + feats.rows() * feats.cols());
  float lo = 0, hi = 0;
  if (!values.empty()) {
    hi = *std::max_element(values.begin(), values.end());
    std::vector<float> sorted = values;
    auto low = sorted.begin() + static_cast<std::ptrdiff_t>(sorted.size() / 50);
    std::nth_element(sorted.begin(), low, sorted.end());
    // At most kRangeNats below the maximum: digital silence sits at the log
    // floor (about -16), far below any recorded noise.
    constexpr float kRangeNats = 17;
    lo = std::min(std::max(*low, hi - kRangeNats), hi - 1e-3f);
  }
  std::vector<uint8_t> bytes(values.size());
  for (size_t i = 0; i < values.size(); ++i)
    bytes[i] = static_cast<uint8_t>(
        std::lround(255 * std::clamp((values[i] - lo) / (hi - lo), 0.0f, 1.0f)));
  return {{"frames", feats.rows()},
          {"bins", feats.cols()},
          {"frame_shift", opts.frame.frame_shift_ms / 1000.0},
          {"frame_length", opts.frame.frame_length_ms / 1000.0},
          {"data", Base64(bytes)}};
}

// Seconds to the millisecond, as doubles (a float widened as it is prints as
// 0.9459999799728394).
double Ms(double seconds) { return std::round(seconds * 1000) / 1000; }

json Units(const std::vector<TimedUnit>& units) {
  json list = json::array();
  for (const TimedUnit& u : units)
    list.push_back({{"text", u.text},
                    {"start", Ms(u.start)},
                    {"end", Ms(u.end)},
                    {"confidence", Ms(u.confidence)}});
  return list;
}

// `rows` × `cols` weights as rows of 0..255.
json Rows(const float* weights, int64_t rows, int64_t cols) {
  json out = json::array();
  for (int64_t r = 0; r < rows; ++r) {
    std::vector<int> row(static_cast<size_t>(cols));
    for (int64_t c = 0; c < cols; ++c)
      row[c] = static_cast<int>(std::lround(255 * std::clamp(weights[r * cols + c], 0.0f, 1.0f)));
    out.push_back(row);
  }
  return out;
}

// The attention matrices the head switch offers: the heads' mean first, then
// each head when the alternative carries them.
json Heads(const Alternative& alt) {
  const int64_t rows = alt.attention_rows, cols = alt.attention_cols;
  json heads = json::array();
  heads.push_back({{"name", alt.attention_heads > 1 ? "all heads (their mean)" : "attention"},
                   {"rows", Rows(alt.attention.data(), rows, cols)}});
  for (int64_t h = 0; h < alt.attention_heads; ++h)
    heads.push_back({{"name", "head " + std::to_string(h + 1)},
                     {"rows", Rows(alt.head_attention.data() + h * rows * cols, rows, cols)}});
  return heads;
}

std::vector<std::string> WordTexts(const Alternative& alt) {
  std::vector<std::string> words;
  for (const TimedUnit& w : alt.words) words.push_back(w.text);
  return words;
}

// The reference words each segment is scored against: the best alternatives
// of all segments aligned with the whole reference; a reference word goes to
// the segment of the word it is aligned with, a deleted one to the segment
// before it (the first, at the start). Returns the word errors of the whole.
decoder::ErrorCounts SplitReference(const Transcript& t, const std::vector<std::string>& ref,
                                    std::vector<std::vector<std::string>>* refs) {
  std::vector<std::string> hyp;
  std::vector<size_t> owner;  // segment of each hypothesis word
  for (size_t s = 0; s < t.segments.size(); ++s) {
    if (t.segments[s].nbest.empty()) continue;
    for (const TimedUnit& w : t.segments[s].nbest[0].words) {
      hyp.push_back(w.text);
      owner.push_back(s);
    }
  }
  std::vector<decoder::AlignedPair> pairs;
  const decoder::ErrorCounts errors = decoder::Align(ref, hyp, &pairs);
  refs->assign(t.segments.size(), {});
  size_t next_hyp = 0, segment = 0;
  for (const decoder::AlignedPair& p : pairs) {
    if (p.op != 'D') segment = owner[next_hyp++];
    if (p.op != 'I' && !refs->empty()) (*refs)[segment].push_back(p.ref);
  }
  return errors;
}

// Each alternative's word edits against its segment's reference words: `op`
// (C, S, I, D), the reference word and the index of the alternative's word
// (-1 for a deletion); and their count.
void AddEdits(const std::vector<std::string>& ref, const Alternative& alt, json* out) {
  std::vector<decoder::AlignedPair> pairs;
  const decoder::ErrorCounts errors = decoder::Align(ref, WordTexts(alt), &pairs);
  json edits = json::array();
  int word = 0;
  for (const decoder::AlignedPair& p : pairs)
    edits.push_back(
        {{"op", std::string(1, p.op)}, {"ref", p.ref}, {"word", p.op == 'D' ? -1 : word++}});
  (*out)["edits"] = edits;
  (*out)["errors"] = errors.errors();
}

}  // namespace

std::string HtmlEscape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string RenderExplorerPage(const std::string& key, const Transcript& t,
                               std::span<const float> samples, int rate,
                               const std::string* reference, const std::string& model,
                               ExplorerSummary* summary) {
  summary->key = key;
  summary->text = t.text;
  summary->duration = t.duration;
  summary->scored = reference != nullptr;
  std::vector<std::vector<std::string>> segment_refs;
  if (reference != nullptr)
    summary->errors = SplitReference(t, decoder::SplitWords(*reference), &segment_refs);

  json segments = json::array();
  for (size_t s = 0; s < t.segments.size(); ++s) {
    const Segment& seg = t.segments[s];
    json nbest = json::array();
    for (const Alternative& a : seg.nbest) {
      ATTEND_CHECK(
          a.attention_rows == static_cast<int64_t>(a.tokens.size()) + 1 &&
              a.head_attention.size() ==
                  static_cast<size_t>(a.attention_heads * a.attention_rows * a.attention_cols),
          "the explorer needs tokens and attention: ", a.attention_rows, " attention rows for ",
          a.tokens.size(), " tokens of '", key, "'");
      json alt = {{"text", a.text},
                  {"score", Ms(a.score)},
                  {"attention_score", Ms(a.attention_score)},
                  {"ctc_score", Ms(a.ctc_score)},
                  {"lm_score", Ms(a.lm_score)},
                  {"tokens", Units(a.tokens)},
                  {"words", Units(a.words)},
                  {"heads", Heads(a)},
                  {"times_from_ctc", a.times_from_ctc}};
      if (reference != nullptr) AddEdits(segment_refs[s], a, &alt);
      nbest.push_back(alt);
    }
    segments.push_back({{"start", Ms(seg.start)}, {"end", Ms(seg.end)}, {"nbest", nbest}});
  }
  const json data = {{"key", key},
                     {"model", model},
                     {"duration", Ms(t.duration)},
                     {"seconds_per_frame", t.seconds_per_frame},
                     {"reference", reference != nullptr ? json(*reference) : json(nullptr)},
                     {"wav", Base64(Wav16(samples, rate))},
                     {"features", Features(samples, rate)},
                     {"segments", segments}};
  // '<' occurs in JSON only inside strings, where \u003c means the same: no
  // "</script>" or "<!--" in a key or a reference can end the script early.
  std::string text;
  for (char c : data.dump(-1, ' ', false, json::error_handler_t::replace)) {
    if (c == '<')
      text += "\\u003c";
    else
      text += c;
  }

  const std::string_view page = kExplorerPageHtml;
  const size_t title = page.find(kTitleMarker), body = page.find(kDataMarker);
  ATTEND_ASSERT(title != std::string_view::npos && body != std::string_view::npos && title < body);
  std::string html;
  html.reserve(page.size() + text.size() + key.size());
  html.append(page.substr(0, title))
      .append(HtmlEscape(key))
      .append(page.substr(title + kTitleMarker.size(), body - title - kTitleMarker.size()))
      .append(text)
      .append(page.substr(body + kDataMarker.size()));
  return html;
}

}  // namespace attend::tools
