#pragma once

// The main of the benchmark programs that need libsodium initialised.

#include <cstdio>
#include <cstdlib>

#include <benchmark/benchmark.h>

#include "concord/crypto/init.hpp"

namespace concord::bench {

/// Initialises libsodium and Google Benchmark and runs the benchmarks the command line selects.
/// Returns the process exit status.
inline int RunBenchmarks(int argc, char** argv) {
    if (auto ok = crypto::Initialize(); !ok) {
        std::fprintf(stderr, "crypto::Initialize: %s\n", ok.error().ToString().c_str());
        return EXIT_FAILURE;
    }
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
        return EXIT_FAILURE;
    }
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return EXIT_SUCCESS;
}

}  // namespace concord::bench
