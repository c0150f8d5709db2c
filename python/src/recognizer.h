// attend.Model (a loaded model, shared) and attend.Recognizer (decoding
// options over a model). A Python Recognizer keeps a pool of C++ recognizers
// cloned from one another: each call takes an idle one (or clones one), so
// Python threads calling one Recognizer, or several Recognizers over one
// Model, decode in parallel with the GIL released and one copy of the weights.
#pragma once

#include <pybind11/pybind11.h>

namespace attend::python {

void BindRecognizer(pybind11::module_& m);

}  // namespace attend::python
