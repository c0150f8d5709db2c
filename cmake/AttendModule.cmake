# attend_module(NAME <name> SOURCES ... DEPS ...)
# One folder = one static library `attend_<name>` with alias `attend::<name>`.
# Dependencies point down the module table in ARCHITECTURE.md; list them in DEPS.
function(attend_module)
  cmake_parse_arguments(M "" "NAME" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(attend_${M_NAME} STATIC ${M_SOURCES})
  add_library(attend::${M_NAME} ALIAS attend_${M_NAME})
  target_include_directories(attend_${M_NAME} PUBLIC
      $<BUILD_INTERFACE:${ATTEND_SOURCE_ROOT}>
      $<BUILD_INTERFACE:${ATTEND_SOURCE_ROOT}/include>
      $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/attend/internal>
      $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  target_link_libraries(attend_${M_NAME} PUBLIC ${M_DEPS} PRIVATE ${M_PRIVATE_DEPS})
  set_target_properties(attend_${M_NAME} PROPERTIES EXPORT_NAME ${M_NAME})
  set_property(GLOBAL APPEND PROPERTY ATTEND_MODULES attend_${M_NAME})
endfunction()
