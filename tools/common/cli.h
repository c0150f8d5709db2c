// Command-line plumbing shared by the subcommands: parsing with
// Boost.Program_options, `--help`, and `--config FILE` (the same options in
// `key = value` form; the command line wins where both give one).
#pragma once

#include <set>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

namespace attend::tools {

namespace po = boost::program_options;

// Exit codes: 0 success, 1 an input or processing failed, 2 bad usage.
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// Thrown for bad usage (unknown option, missing argument): main prints it and
// exits with kExitUsage.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct CommandSpec {
  std::string name;     // "info"
  std::string usage;    // "attend info [options] MODEL"
  std::string summary;  // one paragraph shown by --help
  // Options that are paths: a relative one in a --config file is taken
  // relative to that file's folder, so a config works from any directory and
  // reads the same whether given with --config or found beside a model
  // (MODEL.decode.conf).
  std::set<std::string> config_paths = {};
};

// Parses `args` into `vm` with the command's `options` and `positional`
// arguments, adding --help and --config. Returns false when --help was given
// (the help text is printed to stdout). Throws UsageError naming the option on
// any parse problem.
bool ParseCommandLine(const CommandSpec& spec, const std::vector<std::string>& args,
                      const po::options_description& options,
                      const po::positional_options_description& positional, po::variables_map* vm);

}  // namespace attend::tools
