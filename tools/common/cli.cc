#include "tools/common/cli.h"

#include <iostream>

#include "base/config_file.h"
#include "base/error.h"

namespace attend::tools {

bool ParseCommandLine(const CommandSpec& spec, const std::vector<std::string>& args,
                      const po::options_description& options,
                      const po::positional_options_description& positional, po::variables_map* vm) {
  po::options_description generic("General options");
  generic.add_options()("help,h", "show this help and exit")(
      "config", po::value<std::string>(),
      "read options from FILE (`name = value` lines; the command line wins)");
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
        StoreConfigFile((*vm)["config"].as<std::string>(), options, vm);
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
