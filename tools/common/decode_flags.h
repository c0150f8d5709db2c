// A model's decoding options under the command line of `attend transcribe`.
// (The flags themselves: api/decode_flags.h.)
#pragma once

#include <string>

#include <boost/program_options/options_description.hpp>
#include <boost/program_options/variables_map.hpp>

#include "api/decode_flags.h"

namespace attend::tools {

// A model's recommended decoding options: MODEL.decode.conf beside MODEL.attend
// (`name = value` lines of the decoding flags, RegisterDecodeFlags; e.g. what a recipe chose on its
// dev set), as ESPnet ships a decode config with a model. Stored into `vm` beneath what is there,
// so the command line and --config win; then notified. Returns the file read, or "" when the model
// has none. A key that is not a decoding flag, or a bad value, is an attend::Error naming the file.
std::string ReadModelDecodeDefaults(const std::string& model_path,
                                    const boost::program_options::options_description& decode_flags,
                                    boost::program_options::variables_map* vm);

}  // namespace attend::tools
