#include "frontend/energy_split.h"

#include <gtest/gtest.h>

namespace attend::frontend {
namespace {

// Frames of constant energy `loud`, with a quiet stretch [q0, q1).
Matrix Frames(int64_t rows, int64_t q0, int64_t q1) {
  Matrix m(rows, 4);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < 4; ++c) m(r, c) = (r >= q0 && r < q1) ? -5.0f : 10.0f;
  return m;
}

TEST(EnergySplit, CutsInTheQuietStretch) {
  Matrix m = Frames(1000, 700, 720);
  int64_t cut = ChooseSplitFrame(m, 800, 200);
  EXPECT_GE(cut, 700);
  EXPECT_LT(cut, 720);
}

TEST(EnergySplit, StaysInsideTheSearchWindow) {
  Matrix m = Frames(1000, 100, 200);  // quiet, but before the window
  int64_t cut = ChooseSplitFrame(m, 800, 200);
  EXPECT_GE(cut, 600);
  EXPECT_LE(cut, 800);
  EXPECT_EQ(cut, 800);  // all equal inside the window: the latest frame
}

TEST(EnergySplit, ShortInputIsNotCut) {
  EXPECT_EQ(ChooseSplitFrame(Frames(50, 0, 0), 800, 200), 50);
  EXPECT_GE(ChooseSplitFrame(Frames(5, 0, 0), 2, 10), 1);
}

}  // namespace
}  // namespace attend::frontend
