#include "python/src/transcript.h"

#include <sstream>
#include <string>
#include <utility>

#include <pybind11/numpy.h>

#include "python/src/numpy_buffers.h"

namespace attend::python {

namespace py = pybind11;

namespace {

struct PyAlternative {
  std::string text;
  float score = 0, attention_score = 0, ctc_score = 0, lm_score = 0;
  py::list words, tokens;  // of TimedUnit
  py::array_t<float> attention;
};

struct PySegment {
  double start = 0, end = 0;
  py::list nbest;  // of PyAlternative
};

struct PyTranscript {
  std::string text;
  double duration = 0, seconds_per_frame = 0;
  py::list segments;  // of PySegment
};

py::list Units(std::vector<TimedUnit>&& units) {
  py::list list;
  for (TimedUnit& u : units) list.append(py::cast(std::move(u)));
  return list;
}

py::object ToPython(Alternative&& a) {
  PyAlternative p;
  p.text = std::move(a.text);
  p.score = a.score;
  p.attention_score = a.attention_score;
  p.ctc_score = a.ctc_score;
  p.lm_score = a.lm_score;
  p.words = Units(std::move(a.words));
  p.tokens = Units(std::move(a.tokens));
  p.attention = OwningArray(std::move(a.attention), a.attention_rows, a.attention_cols);
  return py::cast(std::move(p));
}

std::string Repr(const std::string& type, const std::string& text, double start, double end) {
  std::ostringstream out;
  out << "attend." << type << "(" << py::repr(py::str(text)).cast<std::string>() << ", " << start
      << " s - " << end << " s)";
  return out.str();
}

}  // namespace

py::object ToPython(Segment&& s) {
  PySegment p;
  p.start = s.start;
  p.end = s.end;
  for (Alternative& a : s.nbest) p.nbest.append(ToPython(std::move(a)));
  return py::cast(std::move(p));
}

py::object ToPython(Transcript&& t) {
  PyTranscript p;
  p.text = std::move(t.text);
  p.duration = t.duration;
  p.seconds_per_frame = t.seconds_per_frame;
  for (Segment& s : t.segments) p.segments.append(ToPython(std::move(s)));
  return py::cast(std::move(p));
}

py::list WordDicts(const py::list& words) {
  py::list dicts;
  for (const py::handle& w : words) {
    const auto& u = w.cast<const TimedUnit&>();
    dicts.append(py::dict(py::arg("word") = u.text, py::arg("start") = u.start,
                          py::arg("end") = u.end, py::arg("confidence") = u.confidence));
  }
  return dicts;
}

void BindTranscript(py::module_& m) {
  py::class_<TimedUnit>(m, "Unit", "A word or token with its times (seconds) and confidence.")
      .def_readonly("text", &TimedUnit::text, "the word, or the token (\"a\", \"<space>\")")
      .def_readonly("start", &TimedUnit::start, "seconds from the start of the audio")
      .def_readonly("end", &TimedUnit::end, "seconds from the start of the audio")
      .def_readonly("confidence", &TimedUnit::confidence, "in [0, 1]")
      .def("__repr__", [](const TimedUnit& u) { return Repr("Unit", u.text, u.start, u.end); });

  py::class_<PyAlternative>(m, "Alternative", "One hypothesis of a segment (n-best entry).")
      .def_readonly("text", &PyAlternative::text)
      .def_readonly("score", &PyAlternative::score, "the ranking score (joint)")
      .def_readonly("attention_score", &PyAlternative::attention_score,
                    "ln P_att of the tokens and <eos>")
      .def_readonly("ctc_score", &PyAlternative::ctc_score, "ln P_ctc of the token sequence")
      .def_readonly("lm_score", &PyAlternative::lm_score, "ln P_lm (0 without an LM)")
      .def_readonly("words", &PyAlternative::words, "list of Unit")
      .def_readonly("tokens", &PyAlternative::tokens, "list of Unit (empty with keep_tokens=False)")
      .def_readonly("attention", &PyAlternative::attention,
                    "float32 array [len(tokens) + 1, frames]: one row per output token and "
                    "<eos>, one column per encoder frame (Transcript.seconds_per_frame apart, "
                    "from the segment's start); empty with keep_attention=False")
      .def("__repr__", [](const PyAlternative& a) {
        return "attend.Alternative(" + py::repr(py::str(a.text)).cast<std::string>() +
               ", score=" + std::to_string(a.score) + ")";
      });

  py::class_<PySegment>(m, "Segment", "One utterance of the audio and its n-best alternatives.")
      .def_readonly("start", &PySegment::start, "seconds")
      .def_readonly("end", &PySegment::end, "seconds")
      .def_readonly("nbest", &PySegment::nbest, "list of Alternative, best first; may be empty")
      .def_property_readonly(
          "text",
          [](const PySegment& s) {
            return s.nbest.empty() ? std::string() : s.nbest[0].cast<const PyAlternative&>().text;
          },
          "the best alternative's text (\"\" for silence)")
      .def("__repr__", [](const PySegment& s) {
        const std::string text =
            s.nbest.empty() ? std::string() : s.nbest[0].cast<const PyAlternative&>().text;
        return Repr("Segment", text, s.start, s.end);
      });

  py::class_<PyTranscript>(m, "Transcript", "What transcribe() returns.")
      .def_readonly("text", &PyTranscript::text, "best alternatives of all segments")
      .def_readonly("duration", &PyTranscript::duration, "seconds of audio")
      .def_readonly("seconds_per_frame", &PyTranscript::seconds_per_frame,
                    "encoder frame spacing (attention columns)")
      .def_readonly("segments", &PyTranscript::segments, "list of Segment")
      .def("__repr__",
           [](const PyTranscript& t) { return Repr("Transcript", t.text, 0.0, t.duration); });
}

}  // namespace attend::python
