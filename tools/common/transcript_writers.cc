#include "tools/common/transcript_writers.h"

#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "base/error.h"

namespace attend::tools {
namespace {

// Subtitle cues: words grouped while the line stays short and unbroken.
constexpr size_t kMaxCueChars = 42;
constexpr double kMaxCueSeconds = 5.0;
constexpr double kMaxPauseSeconds = 0.8;

struct Cue {
  double start = 0, end = 0;
  std::string text;
};

std::vector<Cue> MakeCues(const Transcript& t) {
  std::vector<Cue> cues;
  for (const Segment& s : t.segments) {
    if (s.nbest.empty()) continue;
    const Alternative& best = s.nbest[0];
    if (best.words.empty()) {
      if (!best.text.empty()) cues.push_back({s.start, s.end, best.text});
      continue;
    }
    Cue cue;
    for (const TimedUnit& w : best.words) {
      const bool fits = !cue.text.empty() && cue.text.size() + 1 + w.text.size() <= kMaxCueChars &&
                        w.end - cue.start <= kMaxCueSeconds &&
                        w.start - cue.end <= kMaxPauseSeconds;
      if (!cue.text.empty() && !fits) {
        cues.push_back(cue);
        cue = Cue();
      }
      if (cue.text.empty()) {
        cue.start = w.start;
        cue.text = w.text;
      } else {
        cue.text += " " + w.text;
      }
      cue.end = std::max(w.end, cue.start + 0.01);
    }
    if (!cue.text.empty()) cues.push_back(cue);
  }
  return cues;
}

// `x` to `places` decimals, in double: a float widened as it is would print
// as 0.9459999799728394 where 0.946 is meant.
double Rounded(double x, int places) {
  const double scale = std::pow(10.0, places);
  return std::round(x * scale) / scale;
}

nlohmann::json Units(const std::vector<TimedUnit>& units, const char* name) {
  nlohmann::json list = nlohmann::json::array();
  for (const TimedUnit& u : units) {
    list.push_back({{name, u.text},
                    {"start", Rounded(u.start, 3)},
                    {"end", Rounded(u.end, 3)},
                    {"confidence", Rounded(u.confidence, 3)}});
    if (!u.features.empty()) {
      nlohmann::json features = nlohmann::json::array();
      for (float f : u.features) features.push_back(Rounded(f, 4));
      list.back()["features"] = features;
    }
  }
  return list;
}

void WriteJson(const std::string& key, const Transcript& t, const std::vector<std::string>& pngs,
               std::ostream& out) {
  nlohmann::json segments = nlohmann::json::array();
  for (const Segment& s : t.segments) {
    nlohmann::json nbest = nlohmann::json::array();
    for (const Alternative& a : s.nbest)
      nbest.push_back({{"text", a.text},
                       {"score", Rounded(a.score, 4)},
                       {"attention_score", Rounded(a.attention_score, 4)},
                       {"ctc_score", Rounded(a.ctc_score, 4)},
                       {"lm_score", Rounded(a.lm_score, 4)},
                       {"confidence", Rounded(a.confidence, 3)},
                       {"words", Units(a.words, "word")},
                       {"tokens", Units(a.tokens, "token")}});
    segments.push_back(
        {{"start", Rounded(s.start, 3)}, {"end", Rounded(s.end, 3)}, {"nbest", nbest}});
  }
  nlohmann::json j = {{"key", key},
                      {"text", t.text},
                      {"duration", Rounded(t.duration, 3)},
                      {"segments", segments},
                      {"attention_png", pngs}};
  // Invalid UTF-8 (never produced by the vocabulary, but keys come from users)
  // is replaced rather than thrown.
  out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

}  // namespace

void WriteStreamEvent(const std::string& type, double start, double end, const std::string& text,
                      const std::vector<TimedUnit>& words, std::ostream& out) {
  const nlohmann::json j = {{"type", type},
                            {"start", Rounded(start, 3)},
                            {"end", Rounded(end, 3)},
                            {"text", text},
                            {"words", Units(words, "word")}};
  out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

bool IsKnownFormat(const std::string& f) {
  return f == "text" || f == "json" || f == "srt" || f == "vtt" || f == "ctm";
}

std::string FormatExtension(const std::string& f) { return f == "text" ? "txt" : f; }

std::string SubtitleTime(double seconds, char sep) {
  int64_t ms = std::llround(std::max(0.0, seconds) * 1000);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%02lld:%02lld:%02lld%c%03lld",
                static_cast<long long>(ms / 3600000), static_cast<long long>(ms / 60000 % 60),
                static_cast<long long>(ms / 1000 % 60), sep, static_cast<long long>(ms % 1000));
  return buf;
}

void WriteTranscript(const std::string& format, const std::string& key, const Transcript& t,
                     const std::vector<std::string>& pngs, std::ostream& out) {
  if (format == "text") {
    out << key << (t.text.empty() ? "" : " ") << t.text << "\n";
  } else if (format == "json") {
    WriteJson(key, t, pngs, out);
  } else if (format == "srt") {
    int n = 0;
    for (const Cue& c : MakeCues(t))
      out << ++n << "\n"
          << SubtitleTime(c.start, ',') << " --> " << SubtitleTime(c.end, ',') << "\n"
          << c.text << "\n\n";
  } else if (format == "vtt") {
    out << "WEBVTT\n\n";
    for (const Cue& c : MakeCues(t))
      out << SubtitleTime(c.start, '.') << " --> " << SubtitleTime(c.end, '.') << "\n"
          << c.text << "\n\n";
  } else if (format == "ctm") {
    for (const Segment& s : t.segments) {
      if (s.nbest.empty()) continue;
      for (const TimedUnit& w : s.nbest[0].words) {
        char line[64];
        std::snprintf(line, sizeof(line), " 1 %.3f %.3f ", w.start, std::max(w.end - w.start, 0.0));
        char conf[16];
        std::snprintf(conf, sizeof(conf), " %.3f", w.confidence);
        out << key << line << w.text << conf << "\n";
      }
    }
  } else {
    Fail("unknown --format '", format, "' (text, json, srt, vtt, ctm)");
  }
}

}  // namespace attend::tools
