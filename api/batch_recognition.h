// Whole recordings decoded together, so that a busy process runs GEMMs
// instead of GEMVs (after sherpa-onnx's OnlineRecognizer::DecodeStreams):
// each recording is segmented by its own stream (the one segmentation path),
// the utterances of all of them are sorted by length and encoded in batches,
// and each is then searched on its own. The results are those of decoding
// each recording alone: padding is masked, and each utterance's encoder
// output is cut to the length a batch of one has.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "api/decoding_setup.h"
#include "api/stream_impl.h"
#include "attend/result.h"

namespace attend {

class BatchRecognition {
 public:
  explicit BatchRecognition(std::shared_ptr<const DecodingSetup> setup);

  // One recording's transcript, or why it failed (then the transcript is empty).
  struct Outcome {
    Transcript transcript;
    std::string error;
  };
  // Decodes `sources` (paths, "-" or wav.scp pipe commands, as
  // Recognizer::RecognizeFile reads them) on `jobs` threads, encoding up to
  // `batch` utterances at once. Holds every utterance of the sources until
  // the end: give it a bounded group of recordings at a time.
  std::vector<Outcome> RecognizeFiles(const std::vector<std::string>& sources, int jobs, int batch);

 private:
  // One utterance of a recording: its features, then its encoder output.
  struct Item {
    size_t recording = 0;
    StreamImpl::PendingUtterance utterance;
    StreamImpl::EncodedUtterance encoded;
    Segment segment;
    std::string error;  // why its encoding or search failed
  };
  void SegmentRecording(const std::string& source, StreamImpl* stream, size_t recording,
                        std::vector<Item>* items, Outcome* outcome);
  void EncodeBatches(std::vector<Item>* items, int jobs, int batch);

  std::shared_ptr<const DecodingSetup> setup_;
  std::vector<std::unique_ptr<StreamImpl>> streams_;  // one per thread: its state
};

}  // namespace attend
