#include "nn/tensor.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>
#include <sstream>

#include "base/error.h"

namespace attend::nn {
namespace {

float* AllocateAligned(int64_t count) {
  if (count == 0) return nullptr;
  size_t bytes = (static_cast<size_t>(count) * sizeof(float) + 63) / 64 * 64;
  void* p = std::aligned_alloc(64, bytes);
  if (p == nullptr) throw std::bad_alloc();
  return static_cast<float*>(p);
}

}  // namespace

void Tensor::FreeDeleter::operator()(float* p) const { std::free(p); }

std::string ShapeToString(const Shape& shape) {
  std::ostringstream out;
  out << "[";
  for (size_t i = 0; i < shape.size(); ++i) out << (i ? ", " : "") << shape[i];
  out << "]";
  return out.str();
}

int64_t NumElements(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    ATTEND_CHECK(d >= 0, "negative dimension in shape ", ShapeToString(shape));
    n *= d;
  }
  return n;
}

Tensor::Tensor(Shape shape) : shape_(std::move(shape)), size_(NumElements(shape_)) {
  capacity_ = size_;
  data_.reset(AllocateAligned(capacity_));
  SetZero();
}

Tensor::Tensor(const Tensor& other)
    : shape_(other.shape_), size_(other.size_), capacity_(other.size_) {
  data_.reset(AllocateAligned(capacity_));
  if (size_ > 0) std::memcpy(data_.get(), other.data_.get(), size_ * sizeof(float));
}

Tensor& Tensor::operator=(const Tensor& other) {
  if (this == &other) return *this;
  Resize(other.shape_);
  if (size_ > 0) std::memcpy(data_.get(), other.data_.get(), size_ * sizeof(float));
  return *this;
}

void Tensor::Resize(const Shape& shape) {
  int64_t n = NumElements(shape);
  if (n > capacity_) {
    data_.reset(AllocateAligned(n));
    capacity_ = n;
  }
  shape_ = shape;
  size_ = n;
}

void Tensor::Reshape(const Shape& shape) {
  ATTEND_CHECK(NumElements(shape) == size_, "cannot reshape ", ShapeToString(shape_), " to ",
               ShapeToString(shape));
  shape_ = shape;
}

void Tensor::Fill(float value) { std::fill(data_.get(), data_.get() + size_, value); }

dnnl::memory::desc Tensor::Desc(dnnl::memory::format_tag tag) const {
  dnnl::memory::dims dims(shape_.begin(), shape_.end());
  return dnnl::memory::desc(dims, dnnl::memory::data_type::f32, tag);
}

dnnl::memory Tensor::Memory(const dnnl::engine& engine, dnnl::memory::format_tag tag) {
  return dnnl::memory(Desc(tag), engine, data_.get());
}

float MaxAbsDiff(const Tensor& a, const Tensor& b) {
  ATTEND_CHECK(a.shape() == b.shape(), "shape mismatch: ", ShapeToString(a.shape()), " vs ",
               ShapeToString(b.shape()));
  float worst = 0.0f;
  for (int64_t i = 0; i < a.size(); ++i) {
    float d = std::fabs(a[i] - b[i]);
    if (!(d <= worst)) worst = d;  // NaN propagates as the worst
  }
  return worst;
}

}  // namespace attend::nn
