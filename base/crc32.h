// CRC-32 (IEEE 802.3, the zlib/PNG polynomial), used to detect corrupted
// tensors in model files.
#pragma once

#include <cstddef>
#include <cstdint>

namespace attend {

// Returns the CRC-32 of `size` bytes at `data`, continuing from `crc` (pass the
// previous result to checksum data in pieces; 0 to start).
uint32_t Crc32(const void* data, size_t size, uint32_t crc = 0);

}  // namespace attend
