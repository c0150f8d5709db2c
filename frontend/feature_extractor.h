// Audio source to filterbank features in one streaming pass: AudioReader
// (decode, mix down, resample) feeding OnlineFbank chunk by chunk, with
// optional speed perturbation (a second libsoxr stage). Memory is bounded by
// the reader's block and the features themselves, whatever the audio length.
// One extractor serves many utterances (the mel filters and FFT plan are
// built once).
#pragma once

#include <string>

#include "frontend/audio_reader.h"
#include "frontend/fbank.h"
#include "frontend/matrix.h"
#include "frontend/online_fbank.h"

namespace attend::frontend {

class FeatureExtractor {
 public:
  // The audio is resampled to fbank.frame.samp_freq (audio.target_rate_hz is
  // overridden). Validates both option sets.
  FeatureExtractor(const FbankOptions& fbank, const AudioOptions& audio);

  int32_t Dim() const { return online_.Dim(); }

  // Features of `source` (a path, "-", or "cmd |"), played `speed` times
  // faster first (1 = unchanged). Throws attend::Error naming the source.
  Matrix Compute(const std::string& source, float speed = 1.0f);

 private:
  FbankOptions fbank_opts_;
  AudioOptions audio_opts_;
  OnlineFbank online_;
};

}  // namespace attend::frontend
