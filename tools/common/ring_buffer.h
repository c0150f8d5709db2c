// A bounded single-producer/single-consumer ring buffer of samples: one
// thread writes (an audio callback or a reader thread), another reads (the
// decoding loop), without locks, so a real-time audio callback never waits.
// What does not fit is dropped and counted (an overrun), never blocked on.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace attend::tools {

template <typename T>
class RingBuffer {
 public:
  // Holds up to `capacity` items (at least 1).
  explicit RingBuffer(size_t capacity) : data_(std::max<size_t>(capacity, 1) + 1) {}
  RingBuffer(const RingBuffer&) = delete;
  RingBuffer& operator=(const RingBuffer&) = delete;

  // Producer: appends up to `count` items in order; the rest (those that do
  // not fit) are dropped and added to Dropped(). Returns the number written.
  size_t Write(const T* items, size_t count) {
    const size_t n = std::min(count, Space());
    const size_t head = head_.load(std::memory_order_relaxed);
    const size_t first = std::min(n, data_.size() - head);
    std::copy(items, items + first, data_.begin() + head);
    std::copy(items + first, items + n, data_.begin());
    head_.store((head + n) % data_.size(), std::memory_order_release);
    if (n < count) dropped_.fetch_add(count - n, std::memory_order_relaxed);
    return n;
  }
  // Consumer: moves up to `max` items, oldest first, into `out`. Returns how many.
  size_t Read(T* out, size_t max) {
    const size_t tail = tail_.load(std::memory_order_relaxed);
    const size_t n = std::min(max, Size());
    const size_t first = std::min(n, data_.size() - tail);
    std::copy(data_.begin() + tail, data_.begin() + tail + first, out);
    std::copy(data_.begin(), data_.begin() + (n - first), out + first);
    tail_.store((tail + n) % data_.size(), std::memory_order_release);
    return n;
  }
  // Items waiting (exact for the consumer; a lower bound for the producer).
  size_t Size() const {
    const size_t head = head_.load(std::memory_order_acquire);
    const size_t tail = tail_.load(std::memory_order_acquire);
    return (head + data_.size() - tail) % data_.size();
  }
  // Free room (exact for the producer; a lower bound for the consumer).
  size_t Space() const { return Capacity() - Size(); }
  size_t Capacity() const { return data_.size() - 1; }
  // Items dropped by Write() because the buffer was full.
  uint64_t Dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  std::vector<T> data_;          // one slot stays empty: head == tail means empty
  std::atomic<size_t> head_{0};  // next slot the producer writes
  std::atomic<size_t> tail_{0};  // next slot the consumer reads
  std::atomic<uint64_t> dropped_{0};
};

}  // namespace attend::tools
