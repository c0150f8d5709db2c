#include "tools/common/bundled_model.h"

#include <cstdlib>
#include <filesystem>
#include <system_error>
#include <vector>

#include "base/error.h"

namespace attend::tools {
namespace fs = std::filesystem;

std::string BundledModelPath() {
  if (const char* env = std::getenv("ATTEND_MODEL"); env != nullptr && *env != '\0') {
    if (!fs::exists(env)) throw Error(std::string("no model at $ATTEND_MODEL=") + env);
    return env;
  }
  std::vector<fs::path> candidates;
  std::error_code error;
  const fs::path exe = fs::read_symlink("/proc/self/exe", error);
  if (!error)
    candidates.push_back(exe.parent_path().parent_path() / "share/attend/models/default.attend");
  candidates.push_back(fs::path(ATTEND_SOURCE_MODELS_DIR) / "default.attend");
  std::string looked;
  for (const fs::path& path : candidates) {
    if (fs::exists(path, error)) return path.string();
    looked += (looked.empty() ? "" : ", ") + path.string();
  }
  throw Error("no --model given and no bundled model found (looked in " + looked +
              "; set $ATTEND_MODEL or give --model)");
}

}  // namespace attend::tools
