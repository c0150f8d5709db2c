// The capture ring buffer: order and count under two threads, and overruns
// counted (never blocking) when the reader stalls.
#include "tools/common/ring_buffer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>
#include <vector>

namespace attend::tools {
namespace {

TEST(RingBufferTest, TwoThreadsKeepOrderAndCount) {
  constexpr uint32_t kTotal = 1000000;
  RingBuffer<uint32_t> ring(1000);
  std::thread producer([&] {
    std::vector<uint32_t> block;
    uint32_t next = 0;
    while (next < kTotal) {
      // Blocks of varying size, so writes wrap around at every offset.
      const uint32_t size = std::min<uint32_t>(1 + next % 97, kTotal - next);
      block.resize(size);
      for (uint32_t i = 0; i < size; ++i) block[i] = next + i;
      size_t done = 0;
      while (done < size)
        done += ring.Write(block.data() + done, std::min(size - done, ring.Space()));
      next += size;
    }
  });
  std::vector<uint32_t> out(123);
  uint32_t expected = 0;
  bool in_order = true;
  while (expected < kTotal) {
    const size_t n = ring.Read(out.data(), out.size());
    for (size_t i = 0; i < n; ++i) in_order = in_order && out[i] == expected++;
  }
  producer.join();
  EXPECT_TRUE(in_order);
  EXPECT_EQ(expected, kTotal);
  EXPECT_EQ(ring.Size(), 0u);
  EXPECT_EQ(ring.Dropped(), 0u);
}

TEST(RingBufferTest, AStalledReaderCountsOverrunsAndKeepsTheOldest) {
  RingBuffer<int> ring(100);
  std::vector<int> samples(30);
  for (int round = 0; round < 5; ++round) {
    for (int i = 0; i < 30; ++i) samples[i] = round * 30 + i;
    ring.Write(samples.data(), samples.size());
  }
  EXPECT_EQ(ring.Size(), 100u);
  EXPECT_EQ(ring.Dropped(), 50u);
  std::vector<int> out(200);
  ASSERT_EQ(ring.Read(out.data(), out.size()), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(out[i], i);
  // Room again after the read.
  EXPECT_EQ(ring.Write(samples.data(), 30), 30u);
  EXPECT_EQ(ring.Dropped(), 50u);
}

}  // namespace
}  // namespace attend::tools
