// The attention explorer's page for one utterance (`attend transcribe --format
// html`): a self-contained HTML file that shows, on one time axis, the
// waveform, the log-mel filterbank, the attention matrix of each n-best
// alternative (tokens × encoder frames; the heads' mean and, for a multi-head
// model, each head) with the token times (the CTC forced alignment) over it, and the tokens and
// words with their confidences; with a reference, the words' substitutions, insertions and
// deletions. Hovering a token highlights its attention row and audio span; clicking plays the span.
// The page template is explorer_page.html (compiled in); the data goes in as
// JSON, the audio as a base64 16-bit WAV, features and attention as 8 bits.
#pragma once

#include <span>
#include <string>

#include "attend/recognizer.h"
#include "decoder/error_rate.h"

namespace attend::tools {

// What an index lists about one page.
struct ExplorerSummary {
  std::string key;   // the utterance
  std::string page;  // file name of its page, relative to the index
  std::string text;  // the transcript (best alternatives)
  double duration = 0;
  bool scored = false;          // a reference was given
  decoder::ErrorCounts errors;  // word errors of `text` against it
};

// The page of utterance `key`: `transcript` decoded from `samples` (mono, in
// [-1, 1], at sample_rate_hz; all of the audio the transcript's times refer
// to), which needs its tokens and attention (DecodeOptions::keep_tokens and
// keep_attention). `reference` (a transcript; null: none) is aligned word by
// word with every alternative. `model` names the model on the page. Fills
// `summary` (key, text, duration and the errors; not the page name).
std::string RenderExplorerPage(const std::string& key, const Transcript& transcript,
                               std::span<const float> samples, int sample_rate_hz,
                               const std::string* reference, const std::string& model,
                               ExplorerSummary* summary);

// `text` with &, <, > and " as HTML entities (for text and attribute values).
std::string HtmlEscape(const std::string& text);

}  // namespace attend::tools
