// Command-line flags for attend::DecodeOptions (the public API's options
// carry no Boost dependency, so their flags are registered here).
#pragma once

#include <boost/program_options/options_description.hpp>

#include "attend/recognizer.h"

namespace attend::tools {

// --beam, --nbest, --ctc-weight, --lm, --lm-weight, --length-penalty,
// --length-normalization, --max-len-ratio, --min-len-ratio, --max-segment,
// --threads; defaults from `options`. Values are checked when the
// Recognizer is built (attend::Error names the flag).
void RegisterDecodeFlags(DecodeOptions* options, boost::program_options::options_description* desc);

}  // namespace attend::tools
