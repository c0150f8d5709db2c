// Fuzz target: audio decoding (libsndfile through AudioReader's header checks),
// mixing down, resampling (libsoxr) and the filterbank, as `attend transcribe`
// and `attend features` run them on a file. attend::Error is the expected
// answer to bad input; anything else escaping, a sanitizer report or a hang is
// a finding. The input's last byte picks the target rate, so the resampler
// runs both ways.
#include <cstddef>
#include <cstdint>

#include "base/error.h"
#include "frontend/feature_extractor.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace attend::frontend;
  static constexpr float kRates[] = {16000.0f, 8000.0f, 22050.0f, 48000.0f};
  attend::fuzz::MemoryFile file(std::string_view(reinterpret_cast<const char*>(data), size));
  FbankOptions fbank;
  fbank.frame.samp_freq = size > 0 ? kRates[data[size - 1] % 4] : 16000.0f;
  fbank.frame.dither = 0.0f;
  fbank.mel.num_bins = 23;  // valid at every rate of kRates
  try {
    FeatureExtractor extractor(fbank, AudioOptions{});
    const Matrix feats = extractor.Compute(file.path());
    (void)feats;
  } catch (const attend::Error&) {
  }
  return 0;
}
