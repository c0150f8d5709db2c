// Test audio for the benchmarks: a mono 16-bit 16 kHz WAV from samples at
// int16 scale (clamped). Exits with a message on failure (benchmarks have no
// error path worth more).
#pragma once

#include <string>
#include <vector>

namespace attend::bench {

void WriteWav16k(const std::string& path, const std::vector<float>& int16_scale);

}  // namespace attend::bench
