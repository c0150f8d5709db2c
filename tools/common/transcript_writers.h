// Output formats of `attend transcribe` (and `attend stream`'s final result):
//   text  `KEY transcript` per line — Kaldi's `text` format, scoreable as is
//   json  one JSON object per utterance (JSON Lines on stdout): n-best with
//         score parts, words and tokens with times and confidences
//   srt   SubRip subtitles, cues of at most ~42 characters / 5 s
//   vtt   WebVTT, the same cues
//   ctm   NIST CTM: `KEY 1 start duration word confidence` per word
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "attend/recognizer.h"

namespace attend::tools {

// True for text, json, srt, vtt, ctm.
bool IsKnownFormat(const std::string& format);
// File extension for --output-dir files ("txt", "json", ...).
std::string FormatExtension(const std::string& format);
// Writes `transcript` of utterance `key` in `format`. attention_pngs names
// the heatmap files written for its segments (JSON lists them), if any.
void WriteTranscript(const std::string& format, const std::string& key,
                     const Transcript& transcript, const std::vector<std::string>& attention_pngs,
                     std::ostream& out);

// One event of `attend stream --format json` as a JSON line: {"type": "partial" | "final",
// "start", "end" (seconds from the stream's start), "text", "words": [{"word", "start", "end",
// "confidence"}]}.
void WriteStreamEvent(const std::string& type, double start, double end, const std::string& text,
                      const std::vector<TimedUnit>& words, std::ostream& out);

// "00:01:02,345" (SRT, comma) or "00:01:02.345" (VTT, dot).
std::string SubtitleTime(double seconds, char decimal_separator);

}  // namespace attend::tools
