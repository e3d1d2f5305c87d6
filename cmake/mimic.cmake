# Helpers shared by the module CMakeLists files.

# mimic_unit_test(NAME SOURCES a.c b.c LIBS lib1 lib2 [LABELS extra])
# Builds a Check test program and registers it with ctest under label "unit".
function(mimic_unit_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} PkgConfig::CHECK Threads::Threads m)
  add_test(NAME ${name} COMMAND ${name})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  set_tests_properties(${name} PROPERTIES LABELS "unit;${T_LABELS}" TIMEOUT ${T_TIMEOUT})
  # Check kills a test case after 4 s unless the case sets its own limit: CPU-bound cases
  # that take 1-2 s alone (under ASan) pass that on a loaded 2-core CI host. The per-case
  # limit only has to catch hangs, so give it room; ENVIRONMENT_MODIFICATION leaves a
  # test's own ENVIRONMENT property alone.
  set_tests_properties(${name} PROPERTIES ENVIRONMENT_MODIFICATION "CK_DEFAULT_TIMEOUT=set:60")
endfunction()
