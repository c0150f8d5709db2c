// Recognition results as Python objects: attend.Transcript, Segment,
// Alternative and Unit (a word or token with its times and confidence), the
// fields of include/attend/result.h. Lists are Python lists and each
// alternative's attention is a float32 numpy array [tokens + 1, frames] that
// owns the matrix the decoder wrote (no copy).
#pragma once

#include <pybind11/pybind11.h>

#include "attend/result.h"

namespace attend::python {

void BindTranscript(pybind11::module_& m);

// The results, moved into Python objects (the GIL must be held).
pybind11::object ToPython(Transcript&& transcript);
pybind11::object ToPython(Segment&& segment);

// {"word", "start", "end", "confidence"} per word, as `attend stream --format json` prints them.
pybind11::list WordDicts(const pybind11::list& words);

}  // namespace attend::python
