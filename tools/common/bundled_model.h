// Where `attend transcribe` finds the bundled model (models/default.attend)
// when no --model is given: `attend transcribe talk.wav` works from any
// directory, in the build tree and after `cmake --install`.
#pragma once

#include <string>

namespace attend::tools {

// The first of: $ATTEND_MODEL; <prefix>/share/attend/models/default.attend
// next to an installed binary (<prefix>/bin/attend); the source tree's
// models/default.attend this binary was built from. Throws attend::Error naming
// the places looked when none exists.
std::string BundledModelPath();

}  // namespace attend::tools
