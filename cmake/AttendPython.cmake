# The Python module's dependencies: Python 3 (interpreter and headers) and
# pybind11 (Debian python3-dev, pybind11-dev). ATTEND_PYTHON defaults to on
# when both are found. Debian's /usr/bin/python3 is preferred over an earlier
# python3 on PATH (pyenv, venvs), because the headers, numpy and pytest the
# module and its tests need come from Debian packages; -DPython3_EXECUTABLE=
# picks another (pip does, with the interpreter it builds for).
if(NOT DEFINED Python3_EXECUTABLE AND EXISTS /usr/bin/python3)
  set(Python3_EXECUTABLE /usr/bin/python3)
endif()
find_package(Python3 3.8 QUIET COMPONENTS Interpreter Development.Module)
if(Python3_FOUND)
  find_package(pybind11 2.6 CONFIG QUIET)
endif()
# Off by default in sanitizer builds: an instrumented module cannot be loaded
# into the uninstrumented interpreter (the ASan runtime must come first).
if(Python3_FOUND AND pybind11_FOUND AND NOT ATTEND_SANITIZE AND NOT ATTEND_TSAN)
  option(ATTEND_PYTHON "Build the Python module (python/)" ON)
else()
  option(ATTEND_PYTHON "Build the Python module (python/)" OFF)
endif()
if(ATTEND_PYTHON AND NOT (Python3_FOUND AND pybind11_FOUND))
  attend_missing("pybind11 and the Python 3 headers (ATTEND_PYTHON=ON)" "pybind11-dev python3-dev")
endif()
