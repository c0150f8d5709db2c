// How `attend stream` shows its events. On a terminal: the open utterance's
// partial text rewritten in place on one line, each final line with its
// start and end time, and a level meter while nothing is being said.
// Elsewhere: one line per final result (text), or one JSON line per partial
// and final event (json). Every event is flushed as it happens.
#pragma once

#include <ostream>
#include <string>

#include "attend/result.h"

namespace attend::tools {

class StreamPrinter {
 public:
  enum class Mode { kTerminal, kText, kJson };
  // Writes to `out` (stdout) and `err` (warnings; the same terminal).
  StreamPrinter(Mode mode, std::ostream* out, std::ostream* err);

  // The open utterance's text so far; `start` and `end` bound the audio it
  // may span (seconds from the stream's start). Unchanged text is not repeated.
  void Partial(const std::string& text, double start, double end);
  // A finished utterance (its best alternative; none for silence: skipped).
  void Final(const Segment& segment);
  // Terminal, while no utterance is open: the loudness of the latest audio
  // (RMS of samples in [-1, 1]) as a meter. Ignored otherwise.
  void Level(float rms);
  // `attend: warning: <message>` on err, clear of the partial line.
  void Warning(const std::string& message);
  // Ends the partial line, if one is shown.
  void Close();

 private:
  void ClearLine();

  Mode mode_;
  std::ostream* out_;
  std::ostream* err_;
  std::string partial_;      // the partial text shown last
  bool line_shown_ = false;  // a partial or a meter is on the terminal's last line
  int meter_bars_ = -1;      // the meter shown last
};

}  // namespace attend::tools
