#include "python/src/numpy_buffers.h"

#include <string>
#include <utility>

#include "base/error.h"

namespace attend::python {

namespace py = pybind11;

namespace {

std::string DtypeName(const py::array& array) { return py::str(array.dtype()).cast<std::string>(); }

// An array that frees `owner` (a heap object holding `data`) when collected.
template <typename Owner>
py::array_t<float> ArrayOver(Owner* owner, const float* data, int64_t rows, int64_t cols) {
  py::capsule base(owner, [](void* p) { delete static_cast<Owner*>(p); });
  return py::array_t<float>({static_cast<py::ssize_t>(rows), static_cast<py::ssize_t>(cols)}, data,
                            base);
}

}  // namespace

void InitNumpy() { py::array_t<float> warm(0); }

MonoSamples::MonoSamples(const py::handle& object) {
  const py::array any = py::array::ensure(object);
  ATTEND_CHECK(any, "samples must be a numpy array or a sequence of numbers");
  ATTEND_CHECK(any.ndim() == 1, "samples must be one channel, a 1-D array (got ", any.ndim(),
               " dimensions; mix channels down, e.g. samples.mean(axis=1))");
  const char kind = any.dtype().kind();
  if (kind == 'f') {
    array = py::array_t<float, py::array::c_style | py::array::forcecast>::ensure(any);
  } else if (any.dtype().is(py::dtype::of<int16_t>())) {
    // int16 PCM: scaled to [-1, 1] like the audio files attend reads.
    auto pcm = py::array_t<int16_t, py::array::c_style>::ensure(any);
    array = py::array_t<float>(pcm.size());
    float* out = array.mutable_data();
    for (py::ssize_t i = 0; i < pcm.size(); ++i)
      out[i] = static_cast<float>(pcm.data()[i]) / 32768.0f;
  } else {
    Fail("samples must be float (in [-1, 1]) or int16, not ", DtypeName(any));
  }
  data = array.data();
  count = static_cast<int64_t>(array.size());
}

py::array_t<float, py::array::c_style> FloatMatrix(const py::handle& object, const char* what) {
  const py::array any = py::array::ensure(object);
  ATTEND_CHECK(any && any.ndim() == 2, what, " must be a 2-D array [frames, dim]");
  ATTEND_CHECK(any.dtype().kind() == 'f', what, " must be a float array, not ", DtypeName(any));
  return py::array_t<float, py::array::c_style | py::array::forcecast>::ensure(any);
}

py::array_t<float> OwningArray(std::vector<float>&& values, int64_t rows, int64_t cols) {
  ATTEND_ASSERT(static_cast<int64_t>(values.size()) == rows * cols);
  auto* owner = new std::vector<float>(std::move(values));
  return ArrayOver(owner, owner->data(), rows, cols);
}

py::array_t<float> OwningArray(frontend::Matrix&& matrix) {
  auto* owner = new frontend::Matrix(std::move(matrix));
  return ArrayOver(owner, owner->data(), owner->rows(), owner->cols());
}

}  // namespace attend::python
