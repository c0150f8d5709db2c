// Options structs ↔ config text. A model file stores the config that built
// it as `name = value` lines (Boost.Program_options' config-file syntax, the
// same names as the command-line flags). Rather than each struct writing its
// own text, the text is generated from the struct's Register(): Register binds
// each flag to a field with default_value(field), so the registered defaults
// ARE the struct's current values. One source of truth for names and values.
#pragma once

#include <string>

#include <boost/program_options/options_description.hpp>

namespace attend {

// A floating-point default as --help should show it: the shortest decimal
// that reads back to it ("0.6", not "0.59999999999999998"), for
// default_value's text.
std::string ShownDefault(float value);
std::string ShownDefault(double value);

// `name = value` lines for every option in `desc` whose default is a bool,
// int, int64, float, double or string (others are skipped), in registration
// order. Floats are written with enough digits to read back exactly.
std::string ConfigText(const boost::program_options::options_description& desc);

// Throws attend::Error naming `source` when `text` holds a `%word%` token:
// Boost.Program_options substitutes such placeholders in its error messages
// until none is left, so one in a name or value it complains about loops
// forever. Config readers call it before Boost sees the text.
void RefuseMessagePlaceholders(const std::string& text, const std::string& source);

// Parses config text into the fields bound by `desc` (unknown names are
// ignored: a newer model may carry options an older reader lacks). Throws
// attend::Error naming `source` on a malformed value.
void ParseConfigText(const std::string& text,
                     const boost::program_options::options_description& desc,
                     const std::string& source);

}  // namespace attend
