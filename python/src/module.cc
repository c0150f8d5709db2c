// The `attend._attend` extension module: the public API (include/attend/)
// and the frontend's features and Kaldi archives, for Python. The package
// python/attend/ re-exports it.
#include <pybind11/pybind11.h>

#include "attend/version.h"
#include "python/src/errors.h"
#include "python/src/features.h"
#include "python/src/numpy_buffers.h"
#include "python/src/recognizer.h"
#include "python/src/stream.h"
#include "python/src/transcript.h"

PYBIND11_MODULE(_attend, m) {
  m.doc() = "attend: attention-based speech recognition (C++ core, pybind11 bindings)";
  m.attr("__version__") = attend::Version();
  attend::python::InitNumpy();
  attend::python::RegisterErrorTranslation();
  attend::python::BindTranscript(m);
  attend::python::BindStream(m);
  attend::python::BindRecognizer(m);
  attend::python::BindFeatures(m);
}
