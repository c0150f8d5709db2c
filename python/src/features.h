// attend.fbank (Kaldi-compatible log-mel filterbank features, what `attend
// features` computes) and attend.read_kaldi_archive (Kaldi feature archives
// and scp files, iterated as (key, numpy matrix) pairs).
#pragma once

#include <pybind11/pybind11.h>

namespace attend::python {

void BindFeatures(pybind11::module_& m);

}  // namespace attend::python
