// The model file: one binary file holding the config that built a model and
// its named tensors. Checkpoints use the same format.
//
// Layout (all integers little-endian):
//   "ATTNDMDL"                       8-byte magic
//   u32 format_version               kModelFormatVersion; a newer one is refused
//   u64 config_bytes, config text    `key = value` lines (Boost.Program_options syntax)
//   u64 tensor_count
//   u32 header_crc                   CRC-32 of everything above
//   tensor_count × {
//     u32 name_bytes, name
//     u8  dtype                      0 = float32, 1 = bfloat16 (format version 2)
//     u32 rank, rank × i64 dims
//     u64 data_bytes, data           row-major
//     u32 crc                        CRC-32 of this record from name_bytes to data
//   }
//   "ENDATTND"                       8-byte trailer; anything after it is an error
// Every length is checked against the bytes that remain before it is used, so
// a truncated or corrupted file gives an error naming the file, never a crash.
// bfloat16 tensors (the upper half of each float32, rounded to nearest even)
// halve a model's size; they load back as float32. A file with none is written
// as format version 1, so that older builds keep reading it.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "nn/tensor.h"

namespace attend::nn {

inline constexpr uint32_t kModelFormatVersion = 2;

struct ModelFile {
  std::string config;                     // `key = value` text
  std::map<std::string, Tensor> tensors;  // by name; written in name order
  std::set<std::string> bf16;             // names of the tensors stored as bfloat16

  // The tensor called `name`, or attend::Error naming it and `file`.
  const Tensor& Get(const std::string& name, const std::string& file = "") const;

  // Writes atomically (temp file + fsync + rename).
  void Save(const std::string& path) const;
  // Reads and verifies the whole file; throws attend::Error naming `path`.
  static ModelFile Load(const std::string& path);
  // Parses an in-memory image; `source` names it in errors.
  static ModelFile Parse(const std::string& bytes, const std::string& source);
  // The file image Save() writes.
  std::string Serialize() const;
};

}  // namespace attend::nn
