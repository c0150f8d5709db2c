// Fuzz target: the Kaldi archive reader (frontend/kaldi_archive: binary FM/DM
// and compressed CM/CM2/CM3 matrices, text matrices, keys) over a whole
// `ark:` file, and one matrix read as a double matrix (CMVN statistics), as
// `attend train` reads feats.scp archives and `--cmvn` files. attend::Error is
// the expected answer; anything else escaping is a finding.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "base/error.h"
#include "frontend/kaldi_archive.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace attend::frontend;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  attend::fuzz::MemoryFile file(bytes);
  try {
    for (MatrixArchiveReader reader("ark:" + file.path()); !reader.Done(); reader.Next()) {
      (void)reader.Key();
      (void)reader.Value();
    }
  } catch (const attend::Error&) {
  }
  try {
    std::istringstream in{std::string(bytes)};
    DoubleMatrix stats;
    ReadKaldiMatrix(in, "fuzz.mat", &stats);
  } catch (const attend::Error&) {
  }
  return 0;
}
