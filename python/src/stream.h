// attend.Stream: audio in numpy chunks, events out, as `attend stream
// --format json` prints them: after each chunk the final result of every
// utterance that ended, then the open utterance's partial text when it
// changed (tools/common/stream_printer.h's rules). attend.StreamEvent holds
// one event; as_dict() gives the CLI's JSON object.
#pragma once

#include <memory>
#include <mutex>

#include <pybind11/pybind11.h>

#include "attend/recognizer.h"

namespace attend::python {

void BindStream(pybind11::module_& m);

// A Python Stream created by `recognizer` (CreateStream() under
// `recognizer_mutex`, on the stream's own thread); chunks without a rate are
// at `model_rate_hz`.
pybind11::object MakeStream(const Recognizer& recognizer, std::mutex* recognizer_mutex,
                            int model_rate_hz);

}  // namespace attend::python
