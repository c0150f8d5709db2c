#include "python/src/errors.h"

#include <exception>
#include <string>

#include <pybind11/pybind11.h>
#include <boost/program_options/errors.hpp>

#include "base/error.h"

namespace attend::python {

void RegisterErrorTranslation() {
  pybind11::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Error& e) {
      const bool internal = std::string(e.what()).starts_with("internal error");
      PyErr_SetString(internal ? PyExc_RuntimeError : PyExc_ValueError, e.what());
    } catch (const boost::program_options::error& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    }
  });
}

}  // namespace attend::python
