// attend::DecodeOptions as `name = value` options: the flags of `attend
// transcribe` and the keys of a model's MODEL.decode.conf. (The public
// DecodeOptions carries no Boost dependency, so its names live here.)
#pragma once

#include <set>
#include <string>

#include <boost/program_options/options_description.hpp>

#include "attend/recognizer.h"

namespace attend {

// --beam, --nbest, --ctc-weight, --lm, --lm-weight, --word-lm,
// --word-lm-weight, --oov-penalty, --length-penalty,
// --length-normalization, --max-len-ratio, --min-len-ratio, --threads,
// --vtln-warp, --confidence-weights, --confidence-nbest-scale and the endpoint flags
// (EndpointOptions::Register), bound to `options`' fields with their current values as defaults.
// Values are checked when the Recognizer is built (attend::Error names the option).
void RegisterDecodeFlags(DecodeOptions* options, boost::program_options::options_description* desc);

// MODEL.decode.conf for MODEL.attend: the decoding options a model ships with.
std::string DecodeConfPath(const std::string& model_path);

// The decoding options whose values are files: in a MODEL.decode.conf, a
// relative one is relative to the conf's folder (an LM shipped beside the
// model), not to wherever the user runs attend.
inline const std::set<std::string> kDecodeConfPathOptions = {"lm", "word-lm"};

}  // namespace attend
