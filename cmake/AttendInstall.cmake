# Installs the public library `attend::attend` (one shared library that holds
# every module), its public headers, a CMake package and a pkg-config file, so
# another project can `find_package(attend)` or `pkg-config --libs attend`.
include(CMakePackageConfigHelpers)

install(TARGETS attend attend_cli EXPORT attendTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${ATTEND_SOURCE_ROOT}/include/attend DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.h")
# The bundled model with its decoding options and the LM they name (a
# character or word LM, default.*.arpa), where `attend transcribe` looks
# without --model (tools/common/bundled_model.cc).
file(GLOB ATTEND_BUNDLED_LMS ${ATTEND_SOURCE_ROOT}/models/default.*.arpa)
install(FILES ${ATTEND_SOURCE_ROOT}/models/default.attend ${ATTEND_SOURCE_ROOT}/models/default.decode.conf
              ${ATTEND_BUNDLED_LMS} ${ATTEND_SOURCE_ROOT}/models/README.md
        DESTINATION ${CMAKE_INSTALL_DATADIR}/attend/models)
install(EXPORT attendTargets NAMESPACE attend:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/attend)

configure_package_config_file(${ATTEND_SOURCE_ROOT}/cmake/attendConfig.cmake.in
    ${CMAKE_CURRENT_BINARY_DIR}/attendConfig.cmake
    INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/attend)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/attendConfigVersion.cmake
    COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/attendConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/attendConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/attend)

configure_file(${ATTEND_SOURCE_ROOT}/cmake/attend.pc.in ${CMAKE_CURRENT_BINARY_DIR}/attend.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/attend.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
