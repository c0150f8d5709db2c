# Finds every third-party dependency. Each comes from a Debian package; a
# missing one stops configuration with one line naming the package to install
# (`make deps` installs them all).

function(attend_missing what debian_package)
  message(FATAL_ERROR "attend: ${what} not found: install the Debian package "
                      "'${debian_package}' (or run 'make deps')")
endfunction()

find_package(PkgConfig QUIET)
if(NOT PkgConfig_FOUND)
  attend_missing("pkg-config" "pkg-config")
endif()

find_package(dnnl 2.6 CONFIG QUIET)
if(NOT dnnl_FOUND)
  attend_missing("oneDNN 2.6" "libdnnl-dev")
endif()

find_package(OpenMP QUIET COMPONENTS CXX)
if(NOT OpenMP_CXX_FOUND)
  attend_missing("OpenMP" "g++")
endif()

pkg_check_modules(SNDFILE QUIET IMPORTED_TARGET sndfile)
if(NOT SNDFILE_FOUND)
  attend_missing("libsndfile" "libsndfile1-dev")
endif()

pkg_check_modules(SOXR QUIET IMPORTED_TARGET soxr)
if(NOT SOXR_FOUND)
  attend_missing("libsoxr" "libsoxr-dev")
endif()

pkg_check_modules(PORTAUDIO QUIET IMPORTED_TARGET portaudio-2.0)
if(NOT PORTAUDIO_FOUND)
  attend_missing("PortAudio" "portaudio19-dev")
endif()

find_package(kissfft CONFIG QUIET COMPONENTS SHARED)
if(NOT kissfft_FOUND)
  attend_missing("KissFFT" "libkissfft-dev")
endif()

find_package(Boost 1.74 QUIET COMPONENTS program_options)
if(NOT Boost_FOUND)
  attend_missing("Boost.Program_options" "libboost-program-options-dev")
endif()

find_package(nlohmann_json 3 QUIET)
if(NOT nlohmann_json_FOUND)
  attend_missing("nlohmann-json" "nlohmann-json3-dev")
endif()

find_package(PNG QUIET)
if(NOT PNG_FOUND)
  attend_missing("libpng" "libpng-dev")
endif()

if(ATTEND_BUILD_TESTS)
  find_package(GTest QUIET)
  if(NOT GTest_FOUND)
    attend_missing("GoogleTest" "libgtest-dev")
  endif()
endif()
