#include "python/src/stream.h"

#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <pybind11/stl.h>

#include "base/error.h"
#include "python/src/numpy_buffers.h"
#include "python/src/transcript.h"

namespace attend::python {

namespace py = pybind11;

namespace {

struct PyStreamEvent {
  std::string type;  // "partial" | "final"
  double start = 0, end = 0;
  std::string text;
  py::list words;      // of Unit; empty for partials
  py::object segment;  // the final utterance's Segment (n-best, attention); None for partials

  py::dict AsDict() const {
    return py::dict(py::arg("type") = type, py::arg("start") = start, py::arg("end") = end,
                    py::arg("text") = text, py::arg("words") = WordDicts(words));
  }
};

class PyStream {
 public:
  PyStream(const Recognizer& recognizer, std::mutex* recognizer_mutex, int model_rate_hz)
      : model_rate_hz_(model_rate_hz) {
    py::gil_scoped_release release;
    std::lock_guard<std::mutex> lock(*recognizer_mutex);
    stream_ = recognizer.CreateStream();
  }

  ~PyStream() {
    py::gil_scoped_release release;
    stream_.reset();
  }

  py::list Accept(const py::handle& chunk, std::optional<int> sample_rate) {
    const MonoSamples samples(chunk);
    const int rate = sample_rate.value_or(model_rate_hz_);
    Pending pending;
    {
      py::gil_scoped_release release;
      std::lock_guard<std::mutex> lock(mutex_);
      stream_->AcceptWaveform(samples.data, samples.count, rate);
      TakeFinals(&pending);
      if (samples.count > 0) pending.partial = stream_->PartialText();
      pending.duration = stream_->Duration();
    }
    return Events(std::move(pending));
  }

  py::list Finish() {
    Pending pending;
    {
      py::gil_scoped_release release;
      std::lock_guard<std::mutex> lock(mutex_);
      stream_->Finish();
      TakeFinals(&pending);
    }
    return Events(std::move(pending));
  }

  void Reset() {
    py::gil_scoped_release release;
    std::lock_guard<std::mutex> lock(mutex_);
    stream_->Reset();
    last_end_ = 0;
    partial_.clear();
  }

  double Duration() {
    py::gil_scoped_release release;
    std::lock_guard<std::mutex> lock(mutex_);
    return stream_->Duration();
  }

 private:
  // What one call produced, gathered without the GIL.
  struct Pending {
    std::vector<Segment> finals;
    std::string partial;
    double duration = 0;
  };

  void TakeFinals(Pending* pending) {
    while (stream_->IsEndpoint()) pending->finals.push_back(stream_->Result());
  }

  // Events as StreamPrinter shows them: finals with text, then the partial
  // text if it changed (a final clears it); partials span the audio after
  // the last final.
  py::list Events(Pending&& pending) {
    py::list events;
    for (Segment& segment : pending.finals) {
      last_end_ = segment.end;
      partial_.clear();
      if (segment.nbest.empty() || segment.nbest[0].text.empty()) continue;
      PyStreamEvent e;
      e.type = "final";
      e.start = segment.start;
      e.end = segment.end;
      e.text = segment.nbest[0].text;
      e.segment = ToPython(std::move(segment));
      e.words = e.segment.attr("nbest")[py::int_(0)].attr("words");
      events.append(py::cast(std::move(e)));
    }
    if (!pending.partial.empty() && pending.partial != partial_) {
      partial_ = pending.partial;
      PyStreamEvent e;
      e.type = "partial";
      e.start = last_end_;
      e.end = pending.duration;
      e.text = std::move(pending.partial);
      e.segment = py::none();
      events.append(py::cast(std::move(e)));
    }
    return events;
  }

  std::unique_ptr<Stream> stream_;  // fed by any Python thread, one at a time (mutex_)
  const int model_rate_hz_;
  std::mutex mutex_;     // one caller at a time
  double last_end_ = 0;  // where the last final ended: the open utterance starts there
  std::string partial_;  // the partial text reported last
};

}  // namespace

py::object MakeStream(const Recognizer& recognizer, std::mutex* recognizer_mutex,
                      int model_rate_hz) {
  return py::cast(std::make_unique<PyStream>(recognizer, recognizer_mutex, model_rate_hz));
}

void BindStream(py::module_& m) {
  py::class_<PyStreamEvent>(m, "StreamEvent", "A partial or final result of a Stream.")
      .def_readonly("type", &PyStreamEvent::type, "\"partial\" or \"final\"")
      .def_readonly("start", &PyStreamEvent::start, "seconds from the stream's start")
      .def_readonly("end", &PyStreamEvent::end, "seconds from the stream's start")
      .def_readonly("text", &PyStreamEvent::text)
      .def_readonly("words", &PyStreamEvent::words, "list of Unit (finals)")
      .def_readonly("segment", &PyStreamEvent::segment,
                    "the utterance's Segment with n-best and attention (finals), else None")
      .def("as_dict", &PyStreamEvent::AsDict,
           "the event as `attend stream --format json` prints it (times unrounded)")
      .def("__repr__", [](const PyStreamEvent& e) {
        return "attend.StreamEvent(" + e.type + ", " +
               py::repr(py::str(e.text)).cast<std::string>() + ")";
      });

  py::class_<PyStream>(
      m, "Stream",
      "Audio in chunks of any size, results as utterances end (Recognizer.stream()). Results do "
      "not depend on the chunk sizes.")
      .def("accept", &PyStream::Accept, py::arg("samples"), py::arg("sample_rate") = py::none(),
           "Feeds mono samples (float in [-1, 1], or int16) at sample_rate Hz (None: the "
           "model's; one rate per stream). Returns the list of StreamEvents this chunk caused.")
      .def("finish", &PyStream::Finish,
           "No more audio: decodes the rest; returns the last final events.")
      .def("reset", &PyStream::Reset, "Starts a new recording (keeps buffers and plans).")
      .def_property_readonly("duration", &PyStream::Duration, "seconds of audio accepted");
}

}  // namespace attend::python
