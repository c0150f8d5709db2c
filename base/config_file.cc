#include "base/config_file.h"

#include <fstream>

#include <boost/program_options/parsers.hpp>

#include "base/error.h"

namespace attend {

namespace po = boost::program_options;

void StoreConfigFile(const std::string& path, const po::options_description& options,
                     po::variables_map* vm) {
  std::ifstream file(path);
  if (!file) Fail("cannot open config file (", path, ")");
  try {
    po::store(po::parse_config_file(file, options), *vm);
  } catch (const po::error& e) {
    Fail(e.what(), " (", path, ")");
  }
}

}  // namespace attend
