// A stream: audio in chunks of any size, utterances out as they end (after
// Vosk's AcceptWaveform/PartialResult/Result and sherpa-onnx's OnlineStream).
// Created by Recognizer::CreateStream(); it shares the recognizer's model and
// language models and owns everything its decodes change, so streams on
// different threads run independently. One thread at a time per stream,
// whichever thread: a stream may be created on one thread and fed from
// another (an audio callback, a pool's workers).
//
// The bidirectional encoder cannot run incrementally: an utterance is decoded
// when the endpoint rules (attend/endpoint.h) end it, and the open one is
// re-decoded with greedy CTC for partial text. Audio is processed in fixed
// blocks whatever the chunk sizes, so the results do not depend on them: a
// file fed in chunks gives what Recognizer::RecognizeFile() gives.
//
//   auto stream = recognizer->CreateStream();
//   while (read(chunk)) {
//     stream->AcceptWaveform(chunk.data(), chunk.size(), 16000);
//     while (stream->IsEndpoint()) print(stream->Result().nbest[0].text);
//     show(stream->PartialText());
//   }
//   stream->Finish();
//   while (stream->IsEndpoint()) print(stream->Result().nbest[0].text);
#pragma once

#include <cstdint>
#include <string>

#include "attend/result.h"

namespace attend {

class Stream {
 public:
  virtual ~Stream() = default;

  // Mono samples in [-1, 1] at `sample_rate_hz` (resampled to the model's
  // rate; one rate per stream). Decodes the utterances that end. Throws
  // std::runtime_error (attend::Error) on NaN or infinite samples, a bad
  // rate, or audio after Finish().
  virtual void AcceptWaveform(const float* samples, int64_t count, int sample_rate_hz) = 0;
  // No more audio: decodes the rest. Results stay until taken.
  virtual void Finish() = 0;
  // Whether the result of a finished utterance waits for Result().
  virtual bool IsEndpoint() const = 0;
  // The oldest finished utterance's result, taken from the stream; times are
  // seconds from the stream's start. Throws when IsEndpoint() is false.
  virtual Segment Result() = 0;
  // The open utterance's text so far: greedy CTC over it, recomputed once
  // DecodeOptions::partial_interval_seconds of new audio arrived (else the
  // last text). Empty when no utterance is open.
  virtual std::string PartialText() = 0;
  // Seconds of audio accepted so far (at the model's rate).
  virtual double Duration() const = 0;
  // Seconds between encoder frames (the columns of Alternative::attention).
  virtual double SecondsPerFrame() const = 0;
  // Starts a new recording; keeps the buffers and plans.
  virtual void Reset() = 0;
};

}  // namespace attend
