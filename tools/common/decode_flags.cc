#include "tools/common/decode_flags.h"

#include <filesystem>

#include <boost/program_options.hpp>

#include "base/config_file.h"
#include "tools/common/cli.h"

namespace attend::tools {

namespace po = boost::program_options;

std::string ReadModelDecodeDefaults(const std::string& model_path,
                                    const po::options_description& decode_flags,
                                    po::variables_map* vm) {
  const std::string path = DecodeConfPath(model_path);
  if (!std::filesystem::exists(path)) return "";
  StoreConfigFile(path, decode_flags, vm, kDecodeConfPathOptions);
  try {
    po::notify(*vm);
  } catch (const po::error& e) {
    throw UsageError(std::string(e.what()) + " (" + path + ")");
  }
  return path;
}

}  // namespace attend::tools
