#include "python/src/recognizer.h"

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <pybind11/stl.h>
#include <boost/program_options.hpp>

#include "api/decode_flags.h"
#include "attend/recognizer.h"
#include "base/config_text.h"
#include "base/error.h"
#include "model/asr_model.h"
#include "python/src/keyword_options.h"
#include "python/src/numpy_buffers.h"
#include "python/src/stream.h"
#include "python/src/transcript.h"

namespace attend::python {

namespace py = pybind11;
namespace po = boost::program_options;

namespace {

struct PyModel {
  explicit PyModel(const std::string& model_path) : path(model_path) {
    py::gil_scoped_release release;
    model = Model::Load(path);
  }
  std::string path;
  std::shared_ptr<const Model> model;
};

std::string PathText(const py::handle& path) {
  return py::module_::import("os").attr("fspath")(path).cast<std::string>();
}

// The options that are not `attend transcribe` flags (api/decode_flags.h):
// what the Python results keep, and the partial-result interval of streams
// (`attend stream --partial-interval`). Taken out of `kwargs`.
void TakeResultOptions(py::kwargs* kwargs, DecodeOptions* options) {
  auto take = [&](const char* name, auto* field) {
    if (!kwargs->contains(name)) return;
    using Field = std::remove_pointer_t<decltype(field)>;
    try {
      *field = (*kwargs)[name].template cast<Field>();
    } catch (const py::cast_error&) {
      Fail("option '", name, "' must be a ", std::is_same_v<Field, bool> ? "bool" : "number");
    }
    PyDict_DelItemString(kwargs->ptr(), name);
  };
  take("keep_attention", &options->keep_attention);
  take("keep_tokens", &options->keep_tokens);
  take("partial_interval", &options->partial_interval_seconds);
  ATTEND_CHECK(options->partial_interval_seconds > 0, "--partial-interval must be > 0 seconds");
}

class PyRecognizer {
 public:
  PyRecognizer(std::shared_ptr<PyModel> model, py::kwargs kwargs) : model_(std::move(model)) {
    options_ = ModelDecodeOptions(model_->path);
    TakeResultOptions(&kwargs, &options_);
    po::options_description desc;
    RegisterDecodeFlags(&options_, &desc);
    ParseKeywordOptions(kwargs, desc);
    py::gil_scoped_release release;  // loads the language models
    prototype_ = Recognizer::Create(model_->model, options_);
  }

  ~PyRecognizer() {
    py::gil_scoped_release release;  // the clones' memory is freed without the GIL
    idle_.clear();
  }

  py::object Transcribe(const py::handle& input, std::optional<int> sample_rate) {
    if (py::isinstance<py::str>(input) || py::hasattr(input, "__fspath__")) {
      ATTEND_CHECK(!sample_rate, "sample_rate is for arrays; a file's rate is in its header");
      const std::string path = PathText(input);
      return ToPython(Run([&](Recognizer* r) { return r->RecognizeFile(path); }));
    }
    const MonoSamples samples(input);
    const int rate = sample_rate.value_or(model_->model->SampleRate());
    return ToPython(
        Run([&](Recognizer* r) { return r->Recognize(samples.data, samples.count, rate); }));
  }

  py::object TranscribeFeatures(const py::handle& features) {
    const auto matrix = FloatMatrix(features, "features");
    const float* data = matrix.data();
    const int64_t frames = matrix.shape(0), dim = matrix.shape(1);
    return ToPython(Run([&](Recognizer* r) { return r->RecognizeFeatures(data, frames, dim); }));
  }

  py::object CreateStream() {
    return MakeStream(*prototype_, &prototype_mutex_, model_->model->SampleRate());
  }

  py::dict Options() {
    DecodeOptions copy = options_;
    po::options_description desc;
    RegisterDecodeFlags(&copy, &desc);
    py::dict dict = ConfigDict(ConfigText(desc));  // lists the options with defaults
    dict["lm"] = options_.lm_path;
    dict["word_lm"] = options_.word_lm_path;
    dict["keep_attention"] = options_.keep_attention;
    dict["keep_tokens"] = options_.keep_tokens;
    dict["partial_interval"] = options_.partial_interval_seconds;
    return dict;
  }

  const std::shared_ptr<PyModel>& model() const { return model_; }

 private:
  // Runs `decode` with the GIL released on an idle clone of the prototype
  // (a new one when all are busy), on the calling thread: a C++ Recognizer
  // may decode on any thread, one at a time (attend/recognizer.h).
  template <typename Decode>
  Transcript Run(Decode decode) {
    py::gil_scoped_release release;
    std::unique_ptr<Recognizer> recognizer = Take();
    Transcript t;
    try {
      t = decode(recognizer.get());
    } catch (...) {
      Return(std::move(recognizer));
      throw;
    }
    Return(std::move(recognizer));
    return t;
  }

  std::unique_ptr<Recognizer> Take() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!idle_.empty()) {
        std::unique_ptr<Recognizer> recognizer = std::move(idle_.back());
        idle_.pop_back();
        return recognizer;
      }
    }
    std::lock_guard<std::mutex> lock(prototype_mutex_);
    return prototype_->Clone();
  }

  void Return(std::unique_ptr<Recognizer> recognizer) {
    std::lock_guard<std::mutex> lock(mutex_);
    idle_.push_back(std::move(recognizer));
  }

  std::shared_ptr<PyModel> model_;
  DecodeOptions options_;
  std::unique_ptr<Recognizer> prototype_;          // cloned into slots and streams, never decodes
  std::mutex prototype_mutex_;                     // one Clone() or CreateStream() at a time
  std::mutex mutex_;                               // guards idle_
  std::vector<std::unique_ptr<Recognizer>> idle_;  // clones no thread is using
};

}  // namespace

void BindRecognizer(py::module_& m) {
  py::class_<PyModel, std::shared_ptr<PyModel>>(
      m, "Model",
      "A loaded attend model (weights, config, vocabulary, CMVN). Immutable and shared by any "
      "number of Recognizers and threads.")
      .def(py::init(
               [](const py::handle& path) { return std::make_shared<PyModel>(PathText(path)); }),
           py::arg("path"), "Loads a model file (.attend).")
      .def_readonly("path", &PyModel::path)
      .def_property_readonly(
          "tokens", [](const PyModel& m) { return m.model->Tokens(); }, "the token list, by id")
      .def_property_readonly(
          "sample_rate", [](const PyModel& m) { return m.model->SampleRate(); },
          "Hz of the audio the model's features are computed at")
      .def_property_readonly(
          "config",
          [](const PyModel& m) { return ConfigDict(m.model->network().config().ToString()); },
          "the config that built the model, as {name: value} (`attend info` shows it too)")
      .def("__repr__", [](const PyModel& m) { return "attend.Model('" + m.path + "')"; });

  py::class_<PyRecognizer>(
      m, "Recognizer",
      "Decoding options over a Model: Recognizer(model, beam=8, nbest=1, ctc_weight=..., "
      "lm=..., word_lm=..., min_pause=..., threads=0, ...). The option names are `attend "
      "transcribe`'s flags with '_' for '-' (see options()); the defaults are the model's "
      "MODEL.decode.conf, as for the CLI. Also keep_attention, keep_tokens (default True) and "
      "partial_interval (seconds, streams). Safe to share between threads.")
      .def(py::init([](const py::handle& model, py::kwargs kwargs) {
             std::shared_ptr<PyModel> shared = py::isinstance<PyModel>(model)
                                                   ? model.cast<std::shared_ptr<PyModel>>()
                                                   : std::make_shared<PyModel>(PathText(model));
             return std::make_unique<PyRecognizer>(std::move(shared), std::move(kwargs));
           }),
           py::arg("model"), "A Model, or the path of a model file.")
      .def("transcribe", &PyRecognizer::Transcribe, py::arg("audio"),
           py::arg("sample_rate") = py::none(),
           "Transcribes an audio file (path: any format libsndfile reads, any rate) or mono "
           "samples (numpy float in [-1, 1], or int16) at sample_rate Hz (None: the model's "
           "rate). Returns a Transcript.")
      .def("transcribe_features", &PyRecognizer::TranscribeFeatures, py::arg("features"),
           "Transcribes a feature matrix [frames, dim] as attend.fbank computes it with the "
           "model's options (before CMVN).")
      .def("stream", &PyRecognizer::CreateStream,
           "A Stream over this recognizer's model and options.")
      .def("options", &PyRecognizer::Options, "the decoding options in effect, as a dict")
      .def_property_readonly("model", [](const PyRecognizer& r) { return r.model(); })
      .def_property_readonly("sample_rate",
                             [](const PyRecognizer& r) { return r.model()->model->SampleRate(); });
}

}  // namespace attend::python
