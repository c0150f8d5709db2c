#include "python/src/features.h"

#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <boost/program_options.hpp>

#include "base/error.h"
#include "frontend/fbank.h"
#include "frontend/kaldi_archive.h"
#include "python/src/keyword_options.h"
#include "python/src/numpy_buffers.h"

namespace attend::python {

namespace py = pybind11;
namespace po = boost::program_options;

namespace {

py::array_t<float> Fbank(const py::handle& samples, double sample_rate, const py::kwargs& kwargs) {
  ATTEND_CHECK(!kwargs.contains("sample_frequency"),
               "give the audio's rate as sample_rate, not sample_frequency");
  frontend::FbankOptions options;
  po::options_description desc;
  options.Register(&desc);
  ParseKeywordOptions(kwargs, desc);
  options.frame.samp_freq = static_cast<float>(sample_rate);
  const MonoSamples mono(samples);
  frontend::Matrix features;
  {
    py::gil_scoped_release release;
    frontend::Fbank fbank(options);  // validates the options
    // Kaldi's scale: samples in [-1, 1] times 32768, as `attend features` reads audio.
    std::vector<float> wave(mono.data, mono.data + mono.count);
    for (float& x : wave) x *= 32768.0f;
    features = fbank.Compute(wave);
  }
  return OwningArray(std::move(features));
}

// Iterates a Kaldi archive: (key, float32 array [rows, cols]) per entry.
class ArchiveIterator {
 public:
  explicit ArchiveIterator(const std::string& rspecifier) {
    py::gil_scoped_release release;
    reader_ = std::make_unique<frontend::MatrixArchiveReader>(rspecifier);
  }

  py::tuple Next() {
    {
      py::gil_scoped_release release;
      if (started_ && !reader_->Done()) reader_->Next();
      started_ = true;
    }
    if (reader_->Done()) throw py::stop_iteration();
    frontend::Matrix value = reader_->Value();  // the reader reuses its own
    return py::make_tuple(reader_->Key(), OwningArray(std::move(value)));
  }

 private:
  std::unique_ptr<frontend::MatrixArchiveReader> reader_;
  bool started_ = false;  // the reader holds the first entry once constructed
};

}  // namespace

void BindFeatures(py::module_& m) {
  m.def("fbank", &Fbank, py::arg("samples"), py::arg("sample_rate"),
        "Log-mel filterbank features of mono samples (float in [-1, 1], or int16) at sample_rate "
        "Hz, as `attend features` and Kaldi's compute-fbank-feats compute them: a float32 array "
        "[frames, bins]. Keyword options are their Kaldi names with '_' for '-' (num_mel_bins=80, "
        "frame_length=25, frame_shift=10, dither=0, low_freq, high_freq, window_type, "
        "use_energy, snip_edges, vtln_warp, ...); the defaults are `attend features`'.");

  py::class_<ArchiveIterator>(m, "KaldiArchiveReader",
                              "Iterator over a Kaldi archive's (key, matrix) entries.")
      .def("__iter__", [](ArchiveIterator& it) -> ArchiveIterator& { return it; })
      .def("__next__", &ArchiveIterator::Next);

  m.def(
      "read_kaldi_archive",
      [](const py::handle& path) {
        std::string rspecifier = py::module_::import("os").attr("fspath")(path).cast<std::string>();
        if (!frontend::IsTableSpecifier(rspecifier))
          rspecifier = (rspecifier.ends_with(".scp") ? "scp:" : "ark:") + rspecifier;
        return ArchiveIterator(rspecifier);
      },
      py::arg("path"),
      "Iterates (key, float32 array [rows, cols]) over a Kaldi feature archive: a path (.ark, "
      "binary or text; .scp: a script of archive offsets) or a Kaldi rspecifier (ark:f.ark, "
      "ark,t:f.txt, scp:feats.scp). Compressed matrices are read too.");
}

}  // namespace attend::python
