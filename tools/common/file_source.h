// An audio file as an AudioSource (`attend stream FILE`).
#pragma once

#include <memory>
#include <string>

#include "tools/common/audio_source.h"

namespace attend::tools {

// Reads `path` (any format libsndfile reads, resampled to `rate_hz`) on its
// own thread, at real-time speed with `realtime`, else as fast as Read()
// takes it. Throws attend::Error when the file cannot be opened.
std::unique_ptr<AudioSource> OpenFile(const std::string& path, int rate_hz, bool realtime,
                                      double buffer_seconds);

}  // namespace attend::tools
