// Raw PCM on stdin as an AudioSource (`arecord -f S16_LE -r 16000 -c 1 |
// attend stream -`).
#pragma once

#include <memory>
#include <string>

#include "tools/common/audio_source.h"

namespace attend::tools {

// Mono samples of `format` (s16 or f32, little-endian) at `rate_hz`, read
// from stdin on their own thread as they arrive; the end of stdin ends the
// source. Nothing is dropped: when decoding falls behind, the pipe waits.
std::unique_ptr<AudioSource> OpenRawPcm(int rate_hz, const std::string& format,
                                        double buffer_seconds);

}  // namespace attend::tools
