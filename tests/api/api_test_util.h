// Test helpers for the public API: the bundled model and samples, quick
// decoding options, and everything a caller sees of a result as text (so
// results compare for exact equality).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "attend/model.h"
#include "attend/recognizer.h"
#include "attend/result.h"

namespace attend::testing {

// The source tree's root (models/, samples/).
inline const std::string kRoot = std::string(ATTEND_TEST_DATA_DIR) + "/../";

// The bundled model's four shortest-to-decode samples.
inline std::vector<std::string> SampleNames() {
  return {"espeak_en029_annie-f003056", "espeak_engb_aunty-d001653",
          "espeak_engbscotland_belinda-t000899", "flite_rms-c000253"};
}

// The paths of SampleNames()' WAV files.
inline std::vector<std::string> SamplePaths() {
  std::vector<std::string> paths;
  for (const std::string& name : SampleNames()) paths.push_back(kRoot + "samples/" + name + ".wav");
  return paths;
}

// models/default.attend, loaded once per test binary.
inline std::shared_ptr<const Model> BundledModel() {
  static const std::shared_ptr<const Model> model = Model::Load(kRoot + "models/default.attend");
  return model;
}

// Beam 4, 2-best, no LM, one thread: quick, and deterministic.
inline DecodeOptions FastOptions() {
  DecodeOptions options;
  options.beam = 4;
  options.nbest = 2;
  options.threads = 1;
  return options;
}

inline std::string Describe(const Segment& s) {
  std::string out = "[" + std::to_string(s.start) + "," + std::to_string(s.end) + "]";
  for (const Alternative& a : s.nbest) {
    out += a.text + ":" + std::to_string(a.score) + ":" + std::to_string(a.ctc_score) + ":" +
           std::to_string(a.lm_score);
    for (const TimedUnit& w : a.words)
      out += " " + w.text + "@" + std::to_string(w.start) + "-" + std::to_string(w.end);
    for (const TimedUnit& t : a.tokens) out += " " + t.text + "@" + std::to_string(t.start);
    out += " att" + std::to_string(a.attention_rows) + "x" + std::to_string(a.attention_cols);
    double sum = 0;
    for (float v : a.attention) sum += v;
    out += "=" + std::to_string(sum) + ";";
  }
  return out;
}

inline std::string Describe(const std::vector<Segment>& segments) {
  std::string out;
  for (const Segment& s : segments) out += Describe(s) + "\n";
  return out;
}

inline std::string Describe(const Transcript& t) { return t.text + "|" + Describe(t.segments); }

}  // namespace attend::testing
