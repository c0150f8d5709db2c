// A small row-major matrix of features (rows = frames, cols = bins) owned by
// the frontend. frontend/ must not depend on nn/ (ARCHITECTURE.md), so it has
// its own container; callers that want an nn::Tensor copy data() out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace attend::frontend {

template <typename T>
class BasicMatrix {
 public:
  BasicMatrix() = default;
  // A zero-filled rows x cols matrix.
  BasicMatrix(int64_t rows, int64_t cols)
      : rows_(rows), cols_(cols), data_(static_cast<size_t>(rows * cols), T(0)) {}

  int64_t rows() const { return rows_; }
  int64_t cols() const { return cols_; }
  bool empty() const { return data_.empty(); }
  T* data() { return data_.data(); }
  const T* data() const { return data_.data(); }
  T* Row(int64_t r) { return data_.data() + r * cols_; }
  const T* Row(int64_t r) const { return data_.data() + r * cols_; }
  T& operator()(int64_t r, int64_t c) { return data_[static_cast<size_t>(r * cols_ + c)]; }
  T operator()(int64_t r, int64_t c) const { return data_[static_cast<size_t>(r * cols_ + c)]; }

  // Changes the shape; existing rows are kept when only `rows` changes (the
  // layout is row-major), new elements are zero.
  void Resize(int64_t rows, int64_t cols) {
    rows_ = rows;
    cols_ = cols;
    data_.resize(static_cast<size_t>(rows * cols), T(0));
  }
  // Reserves room for `rows` rows of the current width (no reallocation while
  // appending up to that many).
  void ReserveRows(int64_t rows) { data_.reserve(static_cast<size_t>(rows * cols_)); }
  // Appends one row of cols() values.
  void AppendRow(const T* row) {
    data_.insert(data_.end(), row, row + cols_);
    ++rows_;
  }

  bool operator==(const BasicMatrix& other) const = default;

 private:
  int64_t rows_ = 0;
  int64_t cols_ = 0;
  std::vector<T> data_;
};

using Matrix = BasicMatrix<float>;
using DoubleMatrix = BasicMatrix<double>;

}  // namespace attend::frontend
