option(CONCORD_BUILD_TESTS "Build unit and functional tests" ON)
option(CONCORD_BUILD_BENCHMARKS "Build Google Benchmark programs under bench/" OFF)
option(CONCORD_BUILD_FUZZERS "Build libFuzzer targets under fuzz/ (needs clang)" OFF)
option(CONCORD_FUZZ_ONLY "Build only the libraries the fuzz targets need" OFF)
option(CONCORD_WEB_TESTS "Register the web UI's tests (web/: needs Node.js, npm, web/dist and Chromium)" OFF)
option(CONCORD_HARDENING "Compile with hardening flags (FORTIFY, stack protector, RELRO, PIE)" ON)
set(CONCORD_SANITIZE "" CACHE STRING "Sanitizers: empty, 'address,undefined' or 'thread'")
set(CONCORD_TESTS "" CACHE STRING
  "Test programs to build, as concord_test() names separated by ';' (the tsan preset's subset); empty: all")

# The linker: LLVM's lld, where the compiler takes -fuse-ld=lld (GCC 12 and clang both do; the
# package is installed by scripts/install-deps). It links the large test programs and the two
# binaries about four times faster than GNU ld (21 s against 5 s for the ASan `concord` with full
# debug information), which is minutes over the CI's four trees. CONCORD_LLD=OFF keeps the
# compiler's default linker.
option(CONCORD_LLD "Link with lld (-fuse-ld=lld) when the compiler takes it" ON)
if(CONCORD_LLD)
  include(CheckLinkerFlag)
  check_linker_flag(CXX -fuse-ld=lld CONCORD_LD_HAS_LLD)
  if(CONCORD_LD_HAS_LLD)
    add_link_options(-fuse-ld=lld)
  else()
    message(STATUS "lld not found: linking with the compiler's default linker")
  endif()
endif()
