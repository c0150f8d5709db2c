#include "nn/embedding.h"

#include <gtest/gtest.h>

#include <cmath>

#include "base/error.h"

namespace attend::nn {
namespace {

TEST(Embedding, ForwardCopiesTheRowsOfTheIds) {
  Rng rng(1, "embedding");
  Embedding emb("emb", 6, 3);
  emb.Init(&rng);
  const std::vector<int> ids{4, 0, 4, 5};
  Tensor y;
  emb.Forward(ids, &y);
  ASSERT_EQ(y.shape(), (Shape{4, 3}));
  for (size_t r = 0; r < ids.size(); ++r)
    for (int64_t d = 0; d < 3; ++d) EXPECT_EQ(y[r * 3 + d], emb.weight().value[ids[r] * 3 + d]);
  emb.Forward({}, &y);
  EXPECT_EQ(y.shape(), (Shape{0, 3}));
}

TEST(Embedding, BackwardAddsIntoTheRowsOfTheIds) {
  Embedding emb("emb", 5, 2);
  emb.weight().grad.Fill(0.5f);  // Backward adds to what is there
  Tensor dy({3, 2});
  for (int64_t i = 0; i < dy.size(); ++i) dy[i] = float(i + 1);  // rows (1,2) (3,4) (5,6)
  emb.Backward({3, 1, 3}, dy);
  const float expected[5][2] = {
      {0.5f, 0.5f}, {3.5f, 4.5f}, {0.5f, 0.5f}, {6.5f, 8.5f}, {0.5f, 0.5f}};
  for (int v = 0; v < 5; ++v)
    for (int d = 0; d < 2; ++d) EXPECT_EQ(emb.weight().grad[v * 2 + d], expected[v][d]) << v;
}

TEST(Embedding, RejectsBadIdsAndShapes) {
  Embedding emb("emb", 4, 2);
  Tensor y, dy({1, 2});
  EXPECT_THROW(emb.Forward({4}, &y), Error);
  EXPECT_THROW(emb.Forward({-1}, &y), Error);
  EXPECT_THROW(emb.Backward({4}, dy), Error);
  EXPECT_THROW(emb.Backward({0, 1}, dy), Error);  // 2 ids, 1 row
  EXPECT_THROW(Embedding("bad", 0, 2), Error);
  EXPECT_THROW(Embedding("bad", 3, 0), Error);
  try {
    emb.Forward({7}, &y);
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("emb.weight"), std::string::npos) << e.what();
  }
}

TEST(Embedding, InitIsStandardNormalAndMarksUpdated) {
  Rng rng(2, "embedding");
  Embedding emb("emb", 400, 10);
  const uint64_t version = emb.weight().version();
  emb.Init(&rng);
  EXPECT_GT(emb.weight().version(), version);
  double sum = 0, sum2 = 0;
  const Tensor& w = emb.weight().value;
  for (int64_t i = 0; i < w.size(); ++i) {
    sum += w[i];
    sum2 += double(w[i]) * w[i];
  }
  const double mean = sum / w.size(), var = sum2 / w.size() - mean * mean;
  EXPECT_NEAR(mean, 0.0, 0.05);  // 4000 draws: standard error ~0.016
  EXPECT_NEAR(std::sqrt(var), 1.0, 0.05);
  EXPECT_EQ(emb.Parameters().size(), 1u);
  EXPECT_EQ(emb.Parameters()[0], &emb.weight());
}

}  // namespace
}  // namespace attend::nn
