// Reads a `name = value` config file (Boost.Program_options syntax): the one
// reader behind `--config FILE` and a model's MODEL.decode.conf.
#pragma once

#include <set>
#include <string>

#include <boost/program_options/options_description.hpp>
#include <boost/program_options/variables_map.hpp>

namespace attend {

// Stores the options of FILE into `vm`, beneath what is already stored (those
// values win); the caller notifies. Throws attend::Error naming the file when
// it cannot be opened, has a name `options` lacks, or a bad value. The values
// of the options named in `file_relative` are paths: a relative one is taken
// relative to FILE's folder (so a model's decode.conf can name an LM beside it).
void StoreConfigFile(const std::string& path,
                     const boost::program_options::options_description& options,
                     boost::program_options::variables_map* vm,
                     const std::set<std::string>& file_relative = {});

}  // namespace attend
