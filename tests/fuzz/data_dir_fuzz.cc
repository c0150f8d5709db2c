// Fuzz target: the Kaldi data-directory tables as `attend train` reads them
// (training::Dataset): text, wav.scp, segments and utt2spk, each parsed by
// base/text_table and the dataset's own field checks. The input holds the
// four files separated by lines "%%". wav.scp values are audio paths or shell
// commands ending in '|', which Dataset runs by design, so the target maps '|'
// to '!' and the fuzzer never runs a command. attend::Error is the expected
// answer; anything else escaping is a finding.
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "base/error.h"
#include "tests/fuzz/fuzz_input.h"
#include "training/dataset.h"

namespace {

// A scratch directory for this process, removed at exit.
const std::filesystem::path& ScratchDir() {
  static const struct Dir {
    std::filesystem::path path;
    Dir() {
      const char* shm = "/dev/shm";
      path = std::filesystem::path(std::filesystem::is_directory(shm)
                                       ? shm
                                       : std::filesystem::temp_directory_path()) /
             ("attend-fuzz-data-" + std::to_string(getpid()));
      std::filesystem::create_directories(path);
    }
    ~Dir() {
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
    }
  } dir;
  return dir.path;
}

void WriteOrRemove(const std::filesystem::path& path, const std::string& bytes, bool present) {
  std::error_code ignored;
  std::filesystem::remove(path, ignored);
  if (present) std::ofstream(path, std::ios::binary) << bytes;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> parts = attend::fuzz::SplitParts(data, size, 4);
  std::replace(parts[1].begin(), parts[1].end(), '|', '!');
  const std::filesystem::path& dir = ScratchDir();
  WriteOrRemove(dir / "text", parts[0], true);
  WriteOrRemove(dir / "wav.scp", parts[1], true);
  WriteOrRemove(dir / "segments", parts[2], !parts[2].empty());
  WriteOrRemove(dir / "utt2spk", parts[3], !parts[3].empty());
  try {
    attend::training::Dataset dataset(dir.string(), attend::training::DatasetOptions{},
                                      attend::training::DataModelInfo{}, [](const std::string&) {});
    (void)dataset;
  } catch (const attend::Error&) {
  }
  return 0;
}
