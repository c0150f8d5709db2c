#include "python/src/keyword_options.h"

#include <charconv>
#include <sstream>

#include <boost/program_options.hpp>

#include "base/error.h"

namespace attend::python {

namespace po = boost::program_options;
namespace py = pybind11;

namespace {

std::string OptionName(const std::string& keyword) {
  std::string name = keyword;
  for (char& c : name)
    if (c == '_') c = '-';
  return name;
}

// A keyword argument's value as config text.
std::string ValueText(const std::string& keyword, const py::handle& value) {
  std::string text;
  if (py::isinstance<py::bool_>(value)) {
    text = value.cast<bool>() ? "true" : "false";
  } else if (py::isinstance<py::int_>(value) || py::isinstance<py::float_>(value)) {
    text = py::repr(value).cast<std::string>();
  } else if (py::isinstance<py::str>(value) || py::hasattr(value, "__fspath__")) {
    text = py::module_::import("os").attr("fspath")(value).cast<std::string>();
  } else {
    Fail("option '", keyword, "' takes a bool, number, string or path, not ",
         py::type::of(value).attr("__name__").cast<std::string>());
  }
  ATTEND_CHECK(text.find('\n') == std::string::npos, "option '", keyword,
               "' has a line break in its value");
  return text;
}

std::string KnownNames(const po::options_description& desc) {
  std::string names;
  for (const auto& option : desc.options())
    names += (names.empty() ? "" : ", ") + KeywordName(option->long_name());
  return names;
}

// "true"/"false", an integer, a number, else the text itself.
py::object TypedValue(const std::string& text) {
  if (text == "true") return py::bool_(true);
  if (text == "false") return py::bool_(false);
  const char* end = text.data() + text.size();
  long long integer = 0;
  if (auto r = std::from_chars(text.data(), end, integer); r.ec == std::errc() && r.ptr == end)
    return py::int_(integer);
  double number = 0;
  if (auto r = std::from_chars(text.data(), end, number); r.ec == std::errc() && r.ptr == end)
    return py::float_(number);
  return py::str(text);
}

}  // namespace

std::string KeywordName(const std::string& option_name) {
  std::string name = option_name;
  for (char& c : name)
    if (c == '-') c = '_';
  return name;
}

void ParseKeywordOptions(const py::kwargs& kwargs, const po::options_description& desc) {
  std::string text;
  for (const auto& [key, value] : kwargs) {
    const std::string keyword = key.cast<std::string>();
    const std::string name = OptionName(keyword);
    ATTEND_CHECK(desc.find_nothrow(name, false) != nullptr, "unknown option '", keyword,
                 "' (options: ", KnownNames(desc), ")");
    text += name + " = " + ValueText(keyword, value) + "\n";
  }
  std::istringstream in(text);
  po::variables_map vm;
  po::store(po::parse_config_file(in, desc), vm);  // po::error: ValueError (errors.h)
  po::notify(vm);
}

py::dict ConfigDict(const std::string& config_text) {
  py::dict dict;
  std::istringstream in(config_text);
  for (std::string line; std::getline(in, line);) {
    const size_t eq = line.find(" = ");
    if (eq == std::string::npos) continue;
    dict[py::str(KeywordName(line.substr(0, eq)))] = TypedValue(line.substr(eq + 3));
  }
  return dict;
}

}  // namespace attend::python
