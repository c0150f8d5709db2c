// How C++ exceptions reach Python: attend::Error (bad input: a file, an
// option, samples) and Boost option errors become ValueError, internal errors
// ("internal error: ...") and everything else RuntimeError, each with the
// message `attend` prints after "attend: error: ".
#pragma once

namespace attend::python {

// Registers the translation with pybind11 (once, at module import).
void RegisterErrorTranslation();

}  // namespace attend::python
