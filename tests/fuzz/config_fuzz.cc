// Fuzz target: config files (`name = value`, Boost.Program_options syntax) as
// `--config FILE` and MODEL.decode.conf are read (base/config_file) into the
// decoding options of `attend transcribe` and into the model and data options
// of `attend train`, then notified and validated; and the same text as a model
// file's stored config (AsrModelConfig::FromString). attend::Error and Boost's
// option errors (which the CLI reports as usage errors) are the expected
// answers; anything else escaping is a finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include <boost/program_options.hpp>

#include "api/decode_flags.h"
#include "base/config_file.h"
#include "base/error.h"
#include "model/asr_model.h"
#include "tests/fuzz/fuzz_input.h"
#include "training/dataset.h"

namespace {

namespace po = boost::program_options;

void ReadDecodeConfig(const std::string& path) {
  attend::DecodeOptions options;
  po::options_description desc;
  attend::RegisterDecodeFlags(&options, &desc);
  po::variables_map vm;
  attend::StoreConfigFile(path, desc, &vm, attend::kDecodeConfPathOptions);
  po::notify(vm);
  options.endpoint.Validate();
}

void ReadTrainConfig(const std::string& path) {
  attend::model::AsrModelConfig model;
  attend::training::DatasetOptions data;
  po::options_description desc;
  model.Register(&desc);
  data.Register(&desc);
  po::variables_map vm;
  attend::StoreConfigFile(path, desc, &vm);
  po::notify(vm);
  model.Validate();
  data.Validate();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  attend::fuzz::MemoryFile file(text);
  for (auto* read : {&ReadDecodeConfig, &ReadTrainConfig}) {
    try {
      read(file.path());
    } catch (const attend::Error&) {
    } catch (const po::error&) {
    }
  }
  try {
    attend::model::AsrModelConfig::FromString(text, "fuzz.conf");
  } catch (const attend::Error&) {
  }
  return 0;
}
