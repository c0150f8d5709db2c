// An untyped, 64-byte aligned buffer that only grows: storage for oneDNN
// workspaces and for activations in types nn::Tensor does not hold (bf16).
// Resize() keeps the allocation when it is large enough, so a buffer reused
// for batches of the same or smaller shape never reallocates (or re-touches
// fresh pages, see ARCHITECTURE.md "Known traps").
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>

namespace attend::nn {

class ByteBuffer {
 public:
  ByteBuffer() = default;
  explicit ByteBuffer(size_t bytes) { Resize(bytes); }

  // Makes room for `bytes`; the contents are unspecified after a growth.
  void Resize(size_t bytes) {
    if (bytes > capacity_) {
      size_t rounded = (bytes + 63) / 64 * 64;
      void* p = std::aligned_alloc(64, rounded);
      if (p == nullptr) throw std::bad_alloc();
      data_.reset(static_cast<uint8_t*>(p));
      capacity_ = rounded;
    }
    size_ = bytes;
  }

  void* data() { return data_.get(); }
  const void* data() const { return data_.get(); }
  template <typename T>
  T* as() {
    return reinterpret_cast<T*>(data_.get());
  }
  template <typename T>
  const T* as() const {
    return reinterpret_cast<const T*>(data_.get());
  }
  size_t size() const { return size_; }

 private:
  struct FreeDeleter {
    void operator()(uint8_t* p) const { std::free(p); }
  };
  std::unique_ptr<uint8_t[], FreeDeleter> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace attend::nn
