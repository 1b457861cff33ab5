option(CONCORD_BUILD_TESTS "Build unit and functional tests" ON)
option(CONCORD_BUILD_BENCHMARKS "Build Google Benchmark programs under bench/" OFF)
option(CONCORD_BUILD_FUZZERS "Build libFuzzer targets under fuzz/ (needs clang)" OFF)
option(CONCORD_FUZZ_ONLY "Build only the libraries the fuzz targets need" OFF)
option(CONCORD_WEB_TESTS "Register the web UI's tests (web/: needs Node.js, npm, web/dist and Chromium)" OFF)
option(CONCORD_HARDENING "Compile with hardening flags (FORTIFY, stack protector, RELRO, PIE)" ON)
set(CONCORD_SANITIZE "" CACHE STRING "Sanitizers: empty, 'address,undefined' or 'thread'")
set(CONCORD_TESTS "" CACHE STRING
  "Test programs to build, as concord_test() names separated by ';' (the tsan preset's subset); empty: all")
