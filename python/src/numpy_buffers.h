// numpy arrays in and out without copies where the data allows: float32
// samples are read in place, and results (attention, features) become arrays
// that own the C++ buffer they were computed in.
#pragma once

#include <cstdint>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include "frontend/matrix.h"

namespace attend::python {

// Loads numpy's C API at module import. pybind11 keeps it in a function-local
// static whose first initialization imports numpy (and so gives up the GIL):
// two threads arriving there first at once would deadlock.
void InitNumpy();

// Mono audio samples in [-1, 1] from a 1-D array-like: float32 (C-contiguous:
// read in place), other floating types (converted), or int16 (scaled by
// 1/32768). Holds the array it reads, so keep it alive while `data` is used.
struct MonoSamples {
  explicit MonoSamples(const pybind11::handle& object);
  pybind11::array_t<float> array;
  const float* data = nullptr;
  int64_t count = 0;
};

// A float32 [rows, cols] C-contiguous array from a 2-D array-like (features);
// throws attend::Error (ValueError) on other shapes.
pybind11::array_t<float, pybind11::array::c_style> FloatMatrix(const pybind11::handle& object,
                                                               const char* what);

// Arrays that take ownership of `values` (moved, freed with the array).
pybind11::array_t<float> OwningArray(std::vector<float>&& values, int64_t rows, int64_t cols);
pybind11::array_t<float> OwningArray(frontend::Matrix&& matrix);

}  // namespace attend::python
