// Command-line flags for attend::DecodeOptions (the public API's options
// carry no Boost dependency, so their flags are registered here).
#pragma once

#include <string>

#include <boost/program_options/options_description.hpp>
#include <boost/program_options/variables_map.hpp>

#include "attend/recognizer.h"

namespace attend::tools {

// --beam, --nbest, --ctc-weight, --lm, --lm-weight, --length-penalty,
// --length-normalization, --max-len-ratio, --min-len-ratio, --max-segment,
// --threads; defaults from `options`. Values are checked when the
// Recognizer is built (attend::Error names the flag).
void RegisterDecodeFlags(DecodeOptions* options, boost::program_options::options_description* desc);

// A model's recommended decoding options: MODEL.decode.conf beside MODEL.attend
// (`name = value` lines of the flags above, e.g. what a recipe chose on its dev
// set), as ESPnet ships a decode config with a model. Stored into `vm` beneath
// what is there, so the command line and --config win; then notified. Returns
// the file read, or "" when the model has none. A key that is not a decoding
// flag, or a bad value, is a UsageError naming the file.
std::string ReadModelDecodeDefaults(const std::string& model_path,
                                    const boost::program_options::options_description& decode_flags,
                                    boost::program_options::variables_map* vm);

}  // namespace attend::tools
