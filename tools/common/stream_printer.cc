#include "tools/common/stream_printer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "tools/common/transcript_writers.h"

namespace attend::tools {
namespace {

constexpr char kClearLine[] = "\r\033[K";  // carriage return, erase to the end of the line

std::string Time(double seconds) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%7.2f", seconds);
  return buffer;
}

}  // namespace

StreamPrinter::StreamPrinter(Mode mode, std::ostream* out, std::ostream* err)
    : mode_(mode), out_(out), err_(err) {}

void StreamPrinter::Partial(const std::string& text, double start, double end) {
  if (text.empty() || text == partial_) return;
  partial_ = text;
  meter_bars_ = -1;
  if (mode_ == Mode::kJson) {
    WriteStreamEvent("partial", start, end, text, {}, *out_);
  } else if (mode_ == Mode::kTerminal) {
    *out_ << kClearLine << "         ...        " << text;  // under the finals' times
    line_shown_ = true;
  }
  out_->flush();
}

void StreamPrinter::Final(const Segment& segment) {
  partial_.clear();
  meter_bars_ = -1;
  if (segment.nbest.empty() || segment.nbest[0].text.empty()) {
    if (mode_ == Mode::kTerminal) ClearLine();
    return;
  }
  const Alternative& best = segment.nbest[0];
  switch (mode_) {
    case Mode::kJson:
      WriteStreamEvent("final", segment.start, segment.end, best.text, best.words, *out_);
      break;
    case Mode::kText:
      *out_ << best.text << "\n";
      break;
    case Mode::kTerminal:
      *out_ << kClearLine << "[" << Time(segment.start) << " - " << Time(segment.end) << "] "
            << best.text << "\n";
      line_shown_ = false;
      break;
  }
  out_->flush();
}

void StreamPrinter::Level(float rms) {
  if (mode_ != Mode::kTerminal || !partial_.empty()) return;
  // -60 dBFS (silence) .. 0 dBFS over 20 bars.
  const float db = 20.0f * std::log10(std::max(rms, 1e-6f));
  const int bars = std::clamp(static_cast<int>((db + 60.0f) / 3.0f), 0, 20);
  if (bars == meter_bars_) return;
  meter_bars_ = bars;
  *out_ << kClearLine << "listening [" << std::string(bars, '#') << std::string(20 - bars, ' ')
        << "]" << std::flush;
  line_shown_ = true;
}

void StreamPrinter::Warning(const std::string& message) {
  if (mode_ == Mode::kTerminal) ClearLine();
  *err_ << "attend: warning: " << message << std::endl;
  partial_.clear();  // shown again with the next partial
  meter_bars_ = -1;
}

void StreamPrinter::Close() {
  if (mode_ == Mode::kTerminal) ClearLine();
  out_->flush();
}

void StreamPrinter::ClearLine() {
  if (!line_shown_) return;
  *out_ << kClearLine << std::flush;
  line_shown_ = false;
}

}  // namespace attend::tools
