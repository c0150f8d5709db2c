// What recognition returns: per segment (one utterance of the audio), the
// n-best alternatives with word and token times, confidences and attention.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace attend {

struct TimedUnit {
  std::string text;  // a word, or a token ("a", "<space>")
  double start = 0;  // seconds from the start of the audio
  double end = 0;    // seconds
  // Words: the probability that the word is right when the model ships a
  // calibration (DecodeOptions::confidence_weights), else the lowest token
  // confidence. Tokens: the token's mean CTC posterior over its frames
  // (attention weight at its peak without CTC); a likelihood, not calibrated.
  float confidence = 0;  // in [0, 1]
  // Words, with DecodeOptions::keep_confidence_features: the calibration's
  // inputs (decoder/word_confidence.h).
  std::vector<float> features;
};

struct Alternative {
  std::string text;
  float score = 0;            // the ranking score (joint, see decoder/hypothesis.h)
  float attention_score = 0;  // ln P_att of the tokens and <eos>
  float ctc_score = 0;        // ln P_ctc of the token sequence
  float lm_score = 0;         // ln P_lm (0 without an LM); with both LMs the weighted sum
  // The mean confidence of its words (with a calibration: the expected share
  // of its words that are right); without words, its n-best posterior.
  float confidence = 0;
  std::vector<TimedUnit> words;
  std::vector<TimedUnit> tokens;
  // Attention weights, row-major [attention_rows, attention_cols]: one row per
  // output token plus the final <eos>, one column per encoder frame of the
  // segment (seconds_per_frame apart, starting at the segment's start).
  std::vector<float> attention;
  int64_t attention_rows = 0;
  int64_t attention_cols = 0;
  // Each head's weights, [attention_heads, attention_rows, attention_cols]
  // (`attention` is their mean): models with several heads, when
  // DecodeOptions::keep_head_attention asks for them; else empty and 0.
  std::vector<float> head_attention;
  int64_t attention_heads = 0;
  // Whether the token and word times are the CTC forced alignment of the
  // tokens (false: each token's attention peak stands in).
  bool times_from_ctc = false;
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

}  // namespace attend
