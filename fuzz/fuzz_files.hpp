// Helpers for fuzz targets that need files: a scratch folder per process, removed at exit, and
// the seed-writing mode (CONCORD_FUZZ_WRITE_SEEDS=DIR) with which a target regenerates the seeds
// it cannot write by hand (signed or encrypted inputs) into fuzz/corpus/<target>/.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include <unistd.h>

namespace concord::fuzz {

/// A folder private to this process (under /dev/shm when it exists, so that fsync is cheap).
inline const std::filesystem::path& ScratchDir() {
    static const std::filesystem::path dir = [] {
        const std::filesystem::path base = std::filesystem::exists("/dev/shm")
                                               ? std::filesystem::path("/dev/shm")
                                               : std::filesystem::temp_directory_path();
        std::string pattern = (base / "concord-fuzz-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) {
            std::abort();
        }
        std::atexit([] {
            std::error_code ec;
            std::filesystem::remove_all(ScratchDir(), ec);
        });
        return std::filesystem::path(pattern);
    }();
    return dir;
}

/// The folder named by CONCORD_FUZZ_WRITE_SEEDS, or empty.
inline std::filesystem::path SeedDir() {
    const char* dir = std::getenv("CONCORD_FUZZ_WRITE_SEEDS");
    return dir == nullptr ? std::filesystem::path() : std::filesystem::path(dir);
}

/// Writes one seed file `name` with `bytes` into `dir`.
inline void WriteSeed(
    const std::filesystem::path& dir, const std::string& name, std::string_view bytes
) {
    std::filesystem::create_directories(dir);
    std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) {
        std::abort();
    }
}

}  // namespace concord::fuzz
