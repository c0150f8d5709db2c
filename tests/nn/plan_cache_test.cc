#include "nn/plan_cache.h"

#include <gtest/gtest.h>

namespace attend::nn {
namespace {

TEST(PlanCacheTest, RepeatedKeysBuildNothing) {
  PlanCache<int> cache(4);
  int built = 0;
  auto make = [&] { return ++built; };
  EXPECT_EQ(cache.Get({1}, make), 1);
  EXPECT_EQ(cache.Get({2}, make), 2);
  EXPECT_EQ(cache.Get({1}, make), 1);
  EXPECT_EQ(cache.num_created(), 2);
  EXPECT_EQ(cache.size(), 2u);
}

// Distinct lengths (a long recording's segments) must not accumulate plans.
TEST(PlanCacheTest, EvictsTheLeastRecentlyUsedBeyondCapacity) {
  PlanCache<int> cache(2);
  int built = 0;
  auto make = [&] { return ++built; };
  cache.Get({1}, make);
  cache.Get({2}, make);
  cache.Get({1}, make);  // {2} is now the least recently used
  cache.Get({3}, make);
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.num_created(), 3);
  EXPECT_EQ(cache.Get({1}, make), 1);  // kept
  EXPECT_EQ(cache.Get({2}, make), 4);  // evicted, rebuilt
  EXPECT_EQ(cache.size(), 2u);
}

}  // namespace
}  // namespace attend::nn
