#include "nn/tensor.h"

#include <gtest/gtest.h>

#include "base/error.h"

namespace attend::nn {
namespace {

TEST(Tensor, ShapeSizeAndZeroFill) {
  Tensor t({2, 3, 4});
  EXPECT_EQ(t.size(), 24);
  EXPECT_EQ(t.rank(), 3u);
  for (int64_t i = 0; i < t.size(); ++i) EXPECT_EQ(t[i], 0.0f);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(t.data()) % 64, 0u);
}

TEST(Tensor, ResizeToSmallerKeepsTheBuffer) {
  Tensor t({10, 10});
  const float* before = t.data();
  t.Resize({5, 10});
  EXPECT_EQ(t.data(), before);
  EXPECT_EQ(t.size(), 50);
  t.Resize({20, 10});
  EXPECT_EQ(t.size(), 200);
}

TEST(Tensor, ReshapeChecksTheElementCount) {
  Tensor t({2, 6});
  t.Reshape({3, 4});
  EXPECT_EQ(t.dim(0), 3);
  EXPECT_THROW(t.Reshape({5, 5}), Error);
}

TEST(Tensor, CopyIsDeep) {
  Tensor a({3});
  a[0] = 1;
  Tensor b = a;
  b[0] = 2;
  EXPECT_EQ(a[0], 1.0f);
  EXPECT_EQ(MaxAbsDiff(a, b), 1.0f);
}

}  // namespace
}  // namespace attend::nn
