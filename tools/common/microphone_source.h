// A microphone through PortAudio as an AudioSource (`attend stream`,
// `--device`, `--list-devices`).
#pragma once

#include <memory>
#include <ostream>
#include <string>

#include "tools/common/audio_source.h"

namespace attend::tools {

// Opens input `device` (a PortAudio index, part of a device name, or "" for
// the default input) in mono at `preferred_rate_hz` if the device takes it,
// else at the device's own default rate (the Stream resamples). PortAudio's
// callback thread captures; samples that find the buffer full are dropped
// and counted. A device that stops mid-stream ends the source with an
// Error(). Throws attend::Error when there is no such device, no input
// device at all, or the device refuses to open.
std::unique_ptr<AudioSource> OpenMicrophone(const std::string& device, int preferred_rate_hz,
                                            double buffer_seconds);

// Prints the input devices, `index: name (channels, default rate)`, the
// default one marked with '*'.
void ListInputDevices(std::ostream& out);

}  // namespace attend::tools
