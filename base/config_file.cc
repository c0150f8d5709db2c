#include "base/config_file.h"

#include <filesystem>
#include <fstream>

#include <boost/program_options/parsers.hpp>

#include "base/error.h"

namespace attend {

namespace po = boost::program_options;

void StoreConfigFile(const std::string& path, const po::options_description& options,
                     po::variables_map* vm, const std::set<std::string>& file_relative) {
  std::ifstream file(path);
  if (!file) Fail("cannot open config file (", path, ")");
  try {
    po::parsed_options parsed = po::parse_config_file(file, options);
    const std::filesystem::path folder = std::filesystem::path(path).parent_path();
    for (po::option& option : parsed.options) {
      if (!file_relative.count(option.string_key)) continue;
      for (std::string& value : option.value) {
        if (!value.empty() && std::filesystem::path(value).is_relative())
          value = (folder / value).string();
      }
    }
    po::store(parsed, *vm);
  } catch (const po::error& e) {
    Fail(e.what(), " (", path, ")");
  }
}

}  // namespace attend
