#include "tools/common/cli.h"

#include <iostream>

#include "base/config_file.h"
#include "base/error.h"

namespace attend::tools {

bool ParseCommandLine(const CommandSpec& spec, const std::vector<std::string>& args,
                      const po::options_description& options,
                      const po::positional_options_description& positional, po::variables_map* vm) {
  po::options_description generic("General options");
  std::string config_help = "read options from FILE (`name = value` lines; the command line wins)";
  if (!spec.config_paths.empty()) {
    config_help += "; relative paths in it (";
    for (const std::string& name : spec.config_paths)
      config_help += (name == *spec.config_paths.begin() ? "--" : ", --") + name;
    config_help += ") are relative to FILE's folder";
  }
  generic.add_options()("help,h", "show this help and exit")("config", po::value<std::string>(),
                                                             config_help.c_str());
  po::options_description all;
  all.add(generic).add(options);
  try {
    po::store(po::command_line_parser(args).options(all).positional(positional).run(), *vm);
    if (vm->count("help")) {
      std::cout << "usage: " << spec.usage << "\n\n" << spec.summary << "\n\n" << all << "\n";
      return false;
    }
    if (vm->count("config")) {
      try {
        StoreConfigFile((*vm)["config"].as<std::string>(), options, vm, spec.config_paths);
      } catch (const Error& e) {
        throw UsageError(e.what());  // a bad --config is a usage error (exit status 2)
      }
    }
    po::notify(*vm);
  } catch (const po::error& e) {
    throw UsageError(std::string(e.what()) + " (see 'attend " + spec.name + " --help')");
  }
  return true;
}

}  // namespace attend::tools
