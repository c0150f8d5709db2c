// Fuzz target: the model-file loader, from the bytes (nn::ModelFile::Parse:
// magic, lengths, CRCs, tensor records) to the model built from them
// (AsrModel::FromModelFile: the stored config, vocabulary, CMVN and every
// tensor's shape), as `attend transcribe --model F` and `--resume` read them.
// attend::Error is the expected answer; anything else escaping is a finding.
// The fuzzing build skips the CRC comparisons (nn/model_file.cc), so mutations
// reach the checks behind them; the replay test in the normal build checks them.
#include <cstddef>
#include <cstdint>
#include <string>

#include "base/error.h"
#include "model/asr_model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    const attend::nn::ModelFile file = attend::nn::ModelFile::Parse(bytes, "fuzz.attend");
    const auto model = attend::model::AsrModel::FromModelFile(file, "fuzz.attend");
    (void)model;
  } catch (const attend::Error&) {
  }
  return 0;
}
