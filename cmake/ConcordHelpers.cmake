# concord_library(NAME name SRCS ... DEPS public-deps PRIVATE_DEPS private-deps)
# Builds libs/<name> as concord_<name> with alias concord::<name>.
function(concord_library)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(concord_${ARG_NAME} STATIC ${ARG_SRCS})
  add_library(concord::${ARG_NAME} ALIAS concord_${ARG_NAME})
  target_include_directories(concord_${ARG_NAME}
    PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include
    PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
  target_link_libraries(concord_${ARG_NAME}
    PUBLIC ${ARG_DEPS}
    PRIVATE ${ARG_PRIVATE_DEPS} concord_warnings concord_hardening)
  target_link_libraries(concord_${ARG_NAME} PUBLIC concord_sanitizers)
endfunction()

# concord_test(NAME name SRCS ... DEPS ... [LABELS ...] [COST n]) builds concord_<name>_tests and
# registers it with CTest (unless CONCORD_TESTS is set and does not name it: callers check
# `if(TARGET ...)` after). COST (ctest's property; default 0) orders the start of the tests on a
# fresh tree, which has no timings of an earlier run: the highest first. The functional tests,
# which run for seconds each, pass one so that they start before the unit tests and no long test
# is left running alone on one core at the end of the run.
function(concord_test)
  cmake_parse_arguments(ARG "" "NAME;COST" "SRCS;DEPS;LABELS" ${ARGN})
  if(NOT CONCORD_BUILD_TESTS)
    return()
  endif()
  if(CONCORD_TESTS AND NOT ARG_NAME IN_LIST CONCORD_TESTS)
    return()
  endif()
  set(target concord_${ARG_NAME}_tests)
  add_executable(${target} ${ARG_SRCS})
  target_include_directories(${target} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
  target_link_libraries(${target} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main
    concord_warnings concord_sanitizers)
  target_compile_definitions(${target} PRIVATE
    CONCORD_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    CONCORD_BINARY_DIR="${PROJECT_BINARY_DIR}")
  if(NOT ARG_LABELS)
    set(ARG_LABELS ${ARG_NAME})
  endif()
  if(NOT ARG_COST)
    set(ARG_COST 0)
  endif()
  gtest_discover_tests(${target}
    DISCOVERY_TIMEOUT 60
    PROPERTIES
      LABELS "${ARG_LABELS}"
      COST ${ARG_COST}
      ENVIRONMENT "CONCORD_PG_TEST_DSN_FILE=${PROJECT_BINARY_DIR}/pg-test.dsn")
endfunction()

# concord_benchmark(NAME name SRCS ... DEPS ...) builds bench_<name> with Google Benchmark.
function(concord_benchmark)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(bench_${ARG_NAME} ${ARG_SRCS})
  target_link_libraries(bench_${ARG_NAME} PRIVATE ${ARG_DEPS} benchmark::benchmark
    concord_warnings concord_sanitizers)
endfunction()

# concord_fuzz(NAME name SRCS ... DEPS ...) builds fuzz_<name> as a libFuzzer target.
function(concord_fuzz)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(fuzz_${ARG_NAME} ${ARG_SRCS})
  target_compile_options(fuzz_${ARG_NAME} PRIVATE -fsanitize=fuzzer)
  target_link_options(fuzz_${ARG_NAME} PRIVATE -fsanitize=fuzzer)
  target_link_libraries(fuzz_${ARG_NAME} PRIVATE ${ARG_DEPS} concord_warnings)
  target_compile_definitions(fuzz_${ARG_NAME} PRIVATE CONCORD_FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION)
endfunction()
