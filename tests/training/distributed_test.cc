// training/distributed.h without a launcher: the single-process communicator,
// how items are shared among ranks, and the string packing of GatherToRoot.
#include "training/distributed.h"

#include <gtest/gtest.h>

#include <set>

#include "base/error.h"

namespace attend::training {
namespace {

TEST(Distributed, WithoutALauncherTheWorldIsOneProcess) {
  Communicator& world = World();
  EXPECT_EQ(world.rank(), 0);
  EXPECT_EQ(world.size(), 1);
  EXPECT_TRUE(world.is_root());
  EXPECT_FALSE(WorldIsDistributed());
  double values[2] = {1.5, -2};
  world.AllreduceSum(values, 2);
  EXPECT_EQ(values[0], 1.5);
  EXPECT_EQ(values[1], -2);
  EXPECT_EQ(world.GatherToRoot("abc"), std::vector<std::string>{"abc"});
}

TEST(Distributed, ShardRangesCoverABatchOnceInOrder) {
  for (int64_t count : {0, 1, 5, 7, 64}) {
    for (int size : {1, 2, 3, 8}) {
      int64_t next = 0;
      for (int rank = 0; rank < size; ++rank) {
        const auto [begin, end] = ShardRange(count, rank, size);
        EXPECT_EQ(begin, next) << count << " items, rank " << rank << " of " << size;
        EXPECT_LE(end - begin, count / size + 1);
        EXPECT_GE(end - begin, count / size);
        next = end;
      }
      EXPECT_EQ(next, count);
    }
  }
}

TEST(Distributed, ShardIndicesInterleaveAndCoverTheList) {
  std::set<int64_t> seen;
  for (int rank = 0; rank < 3; ++rank) {
    for (int64_t i : ShardIndices(10, rank, 3)) {
      EXPECT_EQ(i % 3, rank);
      EXPECT_TRUE(seen.insert(i).second);
    }
  }
  EXPECT_EQ(seen.size(), 10u);
  EXPECT_EQ(ShardIndices(2, 2, 3).size(), 0u);
}

TEST(Distributed, PackedStringsRoundTripWithEmptyAndBinaryItems) {
  const std::vector<std::string> items = {"", "utt1 hello\n", std::string("\0x\n", 3), ""};
  EXPECT_EQ(UnpackStrings(PackStrings(items)), items);
  EXPECT_TRUE(UnpackStrings(PackStrings({})).empty());
  std::string truncated = PackStrings(items);
  truncated.pop_back();
  EXPECT_THROW(UnpackStrings(truncated), Error);
}

}  // namespace
}  // namespace attend::training
