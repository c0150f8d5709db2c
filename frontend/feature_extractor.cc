#include "frontend/feature_extractor.h"

#include <memory>
#include <vector>

#include "base/error.h"
#include "frontend/resampler.h"

namespace attend::frontend {

namespace {
AudioOptions WithRate(AudioOptions audio, float rate_hz) {
  audio.target_rate_hz = rate_hz;
  audio.Validate();
  return audio;
}
}  // namespace

FeatureExtractor::FeatureExtractor(const FbankOptions& fbank, const AudioOptions& audio)
    : fbank_opts_(fbank), audio_opts_(WithRate(audio, fbank.frame.samp_freq)), online_(fbank) {}

Matrix FeatureExtractor::Compute(const std::string& source, float speed) {
  ATTEND_CHECK(speed > 0.5f && speed <= 2.0f, "speed factor must be in (0.5, 2], got ", speed);
  online_.Reset();
  AudioReader reader(source, audio_opts_);
  std::unique_ptr<Resampler> perturb;
  const double rate = fbank_opts_.frame.samp_freq;
  if (speed != 1.0f) perturb = std::make_unique<Resampler>(rate * speed, rate);
  Matrix features(0, Dim());
  features.ReserveRows(static_cast<int64_t>(reader.ReserveSeconds() / speed * 1000.0 /
                                            fbank_opts_.frame.frame_shift_ms) +
                       2);
  std::vector<float> chunk, perturbed;
  while (reader.Read(&chunk)) {
    if (perturb) {
      perturbed.clear();
      perturb->Process(chunk, &perturbed);
      online_.AcceptWaveform(perturbed);
    } else {
      online_.AcceptWaveform(chunk);
    }
    online_.PopFrames(&features);
  }
  if (perturb) {
    perturbed.clear();
    perturb->Flush(&perturbed);
    online_.AcceptWaveform(perturbed);
  }
  online_.InputFinished();
  online_.PopFrames(&features);
  return features;
}

}  // namespace attend::frontend
