// The Recognizer behind include/attend/recognizer.h: a DecodingSetup shared
// with its clones and streams, and one stream of its own that its
// whole-recording calls run through (a recording is a stream read as fast as
// possible; api/stream_impl.h holds the one segmentation path).
#include "attend/recognizer.h"

#include <memory>

#include "api/batch_recognition.h"
#include "api/decoding_setup.h"
#include "api/stream_impl.h"
#include "base/error.h"
#include "frontend/audio_reader.h"
#include "nn/engine.h"

namespace attend {
namespace {

class RecognizerImpl : public Recognizer {
 public:
  explicit RecognizerImpl(std::shared_ptr<const DecodingSetup> setup)
      : setup_(std::move(setup)), stream_(setup_), batch_(setup_) {}

  std::unique_ptr<Recognizer> Clone() const override {
    return std::make_unique<RecognizerImpl>(setup_);
  }

  std::unique_ptr<Stream> CreateStream() const override {
    return std::make_unique<StreamImpl>(setup_);
  }

  std::vector<std::string> Tokens() const override { return setup_->model->Tokens(); }

  int SampleRate() const override { return setup_->model->SampleRate(); }

  Transcript RecognizeFile(const std::string& source) override {
    frontend::AudioOptions audio;
    audio.target_rate_hz = setup_->network.config().fbank.frame.samp_freq;
    frontend::AudioReader reader(source, audio);
    nn::ScopedNumThreads threads(setup_->options.threads);
    stream_.Reset();
    std::vector<float> chunk;
    while (reader.Read(&chunk)) stream_.AcceptBlock(chunk);
    return stream_.FinishTranscript();
  }

  std::vector<FileResult> RecognizeFiles(const std::vector<std::string>& sources, int jobs,
                                         int batch) override {
    std::vector<FileResult> results;
    for (BatchRecognition::Outcome& o : batch_.RecognizeFiles(sources, jobs, batch))
      results.push_back({std::move(o.transcript), std::move(o.error)});
    return results;
  }

  Transcript Recognize(const float* samples, int64_t count, int sample_rate_hz) override {
    stream_.Reset();
    stream_.AcceptWaveform(samples, count, sample_rate_hz);
    return stream_.FinishTranscript();
  }

  Transcript RecognizeFeatures(const float* features, int64_t frames, int64_t dim) override {
    return stream_.RecognizeFeatures(features, frames, dim);
  }

 private:
  std::shared_ptr<const DecodingSetup> setup_;
  StreamImpl stream_;       // this recognizer's own decodes
  BatchRecognition batch_;  // its batched ones: a stream per thread
};

}  // namespace

std::unique_ptr<Recognizer> Recognizer::Load(const std::string& model_path,
                                             const DecodeOptions& options) {
  return Create(Model::Load(model_path), options);
}

std::unique_ptr<Recognizer> Recognizer::Create(std::shared_ptr<const Model> model,
                                               const DecodeOptions& options) {
  ATTEND_CHECK(model != nullptr, "Recognizer::Create needs a model");
  return std::make_unique<RecognizerImpl>(
      std::make_shared<const DecodingSetup>(std::move(model), options));
}

}  // namespace attend
