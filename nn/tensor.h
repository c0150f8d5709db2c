// A dense float32 tensor: a shape and a 64-byte aligned buffer it owns, in
// row-major order (the last dimension is contiguous). Layouts such as oneDNN's
// `tnc` or `nc` are a reading of that order, named at the point of use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include <dnnl.hpp>

namespace attend::nn {

using Shape = std::vector<int64_t>;

// "[2, 3, 4]": for messages.
std::string ShapeToString(const Shape& shape);
// The number of elements of a shape (1 for a scalar []).
int64_t NumElements(const Shape& shape);

class Tensor {
 public:
  Tensor() = default;
  // A zero-filled tensor of the given shape.
  explicit Tensor(Shape shape);
  Tensor(std::initializer_list<int64_t> shape) : Tensor(Shape(shape)) {}

  Tensor(const Tensor& other);
  Tensor& operator=(const Tensor& other);
  Tensor(Tensor&&) noexcept = default;
  Tensor& operator=(Tensor&&) noexcept = default;

  const Shape& shape() const { return shape_; }
  int64_t dim(size_t i) const { return shape_.at(i); }
  size_t rank() const { return shape_.size(); }
  int64_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  float* data() { return data_.get(); }
  const float* data() const { return data_.get(); }
  float& operator[](int64_t i) { return data_[i]; }
  float operator[](int64_t i) const { return data_[i]; }

  // Changes the shape. Keeps the buffer when it is large enough (so a tensor
  // reused for batches of the same or smaller size never reallocates); the
  // contents are unspecified afterwards unless the element count is unchanged.
  void Resize(const Shape& shape);
  // Same element count, new shape; the data stays.
  void Reshape(const Shape& shape);
  void Fill(float value);
  void SetZero() { Fill(0.0f); }

  // A oneDNN memory descriptor for this tensor's shape with the given plain
  // format tag (its rank must match), and a memory object over this buffer
  // (no copy: the memory aliases the tensor).
  dnnl::memory::desc Desc(dnnl::memory::format_tag tag) const;
  dnnl::memory Memory(const dnnl::engine& engine, dnnl::memory::format_tag tag);

 private:
  struct FreeDeleter {
    void operator()(float* p) const;
  };
  Shape shape_;
  int64_t size_ = 0;
  int64_t capacity_ = 0;
  std::unique_ptr<float[], FreeDeleter> data_;
};

// The largest absolute elementwise difference; shapes must match.
float MaxAbsDiff(const Tensor& a, const Tensor& b);

}  // namespace attend::nn
