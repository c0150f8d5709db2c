#include "tools/common/attention_heatmap.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "base/error.h"

namespace attend::tools {
namespace {

constexpr Rgb kInk{30, 30, 30};
constexpr int kRowHeight = 10;  // the 8-px font plus a gap
constexpr int kMargin = 8;

// How a token is labelled on the axis: the space as '_', specials shortened.
std::string Label(const std::string& token) {
  if (token == "<space>") return "_";
  return token;
}

}  // namespace

PngImage DrawAttentionHeatmap(const Alternative& alt, double segment_start,
                              double seconds_per_frame, const std::string& title) {
  const int64_t rows = alt.attention_rows, cols = alt.attention_cols;
  ATTEND_CHECK(rows > 0 && cols > 0 && static_cast<int64_t>(alt.attention.size()) == rows * cols,
               "no attention matrix to draw for '", title, "'");
  std::vector<std::string> labels;
  for (int64_t r = 0; r < rows; ++r)
    labels.push_back(r < static_cast<int64_t>(alt.tokens.size()) ? Label(alt.tokens[r].text)
                                                                 : "<eos>");
  int label_width = 0;
  for (const auto& l : labels) label_width = std::max(label_width, PngImage::TextWidth(l));
  // Frames are widened to fill about 1000 px, and never thinner than 1 px.
  const int cell_w = static_cast<int>(std::clamp<int64_t>(1000 / cols, 1, 12));
  const int plot_x = kMargin + label_width + 4, plot_y = kMargin + 14;
  const int plot_w = static_cast<int>(cols) * cell_w, plot_h = static_cast<int>(rows) * kRowHeight;
  PngImage image(plot_x + plot_w + kMargin + 30, plot_y + plot_h + 24 + kMargin);
  image.Text(kMargin, kMargin, title, kInk);

  for (int64_t r = 0; r < rows; ++r) {
    const float* row = alt.attention.data() + r * cols;
    for (int64_t c = 0; c < cols; ++c)
      image.FillRect(plot_x + static_cast<int>(c) * cell_w,
                     plot_y + static_cast<int>(r) * kRowHeight, cell_w, kRowHeight,
                     Colormap(row[c]));
    const std::string& l = labels[r];
    image.Text(plot_x - 4 - PngImage::TextWidth(l), plot_y + static_cast<int>(r) * kRowHeight + 1,
               l, kInk);
  }
  // Time axis: a tick at every round step, so that ticks are ≥ 60 px apart.
  const double seconds = static_cast<double>(cols) * seconds_per_frame;
  const double px_per_second = plot_w / std::max(seconds, 1e-9);
  double step = 0.1;
  for (double s : {0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0})
    if (s * px_per_second >= 60) {
      step = s;
      break;
    } else {
      step = s;
    }
  const int axis_y = plot_y + plot_h;
  image.Line(plot_x, axis_y, plot_x + plot_w, axis_y, kInk);
  for (int k = 0; k * step <= seconds + 1e-9; ++k) {
    const int x = plot_x + static_cast<int>(std::lround(k * step * px_per_second));
    image.Line(x, axis_y, x, axis_y + 3, kInk);
    char label[32];
    std::snprintf(label, sizeof(label), step < 1 ? "%.1fs" : "%.0fs", segment_start + k * step);
    image.Text(x - PngImage::TextWidth(label) / 2, axis_y + 6, label, kInk);
  }
  return image;
}

}  // namespace attend::tools
