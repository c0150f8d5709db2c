// A small RGB canvas for the pictures the tools draw (attention heatmaps,
// learning curves): filled rectangles, lines, 5×7 bitmap text, and an atomic
// PNG writer (libpng). No plotting library is needed for these two figures.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace attend::tools {

struct Rgb {
  uint8_t r = 0, g = 0, b = 0;
};

// A perceptually ordered colour for v in [0, 1] (viridis-like: dark blue →
// green → yellow); values outside are clamped.
Rgb Colormap(float v);

class PngImage {
 public:
  PngImage(int width, int height, Rgb background = {255, 255, 255});

  int width() const { return width_; }
  int height() const { return height_; }
  Rgb At(int x, int y) const;

  // Pixels outside the image are ignored by every drawing call.
  void Set(int x, int y, Rgb color);
  void FillRect(int x, int y, int w, int h, Rgb color);
  void Line(int x0, int y0, int x1, int y1, Rgb color);
  // Text in the 5×7 font (6 px per character at scale 1) with its top-left at
  // (x, y). Characters outside printable ASCII are drawn as '?'.
  void Text(int x, int y, const std::string& text, Rgb color, int scale = 1);
  // The same rotated 90° counter-clockwise (reading upwards), for a y-axis title.
  void TextUp(int x, int y, const std::string& text, Rgb color);
  static int TextWidth(const std::string& text, int scale = 1) {
    return static_cast<int>(text.size()) * 6 * scale;
  }

  // Writes the image as an 8-bit RGB PNG, atomically. Throws attend::Error
  // naming the path on failure.
  void Save(const std::string& path) const;

 private:
  int width_, height_;
  std::vector<uint8_t> pixels_;  // row-major RGB
};

}  // namespace attend::tools
