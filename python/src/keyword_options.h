// Python keyword arguments as the options an options struct registers with
// Boost.Program_options (its Register()): ctc_weight=0.3 is `--ctc-weight
// 0.3`, num_mel_bins=40 is `--num-mel-bins 40`. The struct's defaults and
// checks stay the one source of truth; the module adds no names of its own.
#pragma once

#include <string>

#include <pybind11/pybind11.h>
#include <boost/program_options/options_description.hpp>

namespace attend::python {

// Stores `kwargs` into the fields `desc` binds. Values may be bool, int,
// float, str or os.PathLike. Throws attend::Error (ValueError) on a name
// `desc` lacks (listing the names it has) or a value the option rejects.
void ParseKeywordOptions(const pybind11::kwargs& kwargs,
                         const boost::program_options::options_description& desc);

// The Python spelling of an option name: "ctc-weight" -> "ctc_weight".
std::string KeywordName(const std::string& option_name);

// `name = value` config text (base/config_text.h's ConfigText) as a dict
// {keyword name: bool | int | float | str}.
pybind11::dict ConfigDict(const std::string& config_text);

}  // namespace attend::python
