// Evidence files (issue 10 §1): a file sealed into the blob store as it arrives and opened back
// chunk by chunk, with throughput beside the limit measured in the same run and the peak
// resident memory while doing it.
//
//   bench_evidence [--size BYTES] [--chunk BYTES] [--dir PATH]
//
// Default 1 GiB in 1 MiB chunks (the 10 GB run: --size 10000000000; it needs that much
// free disk under --dir, default the temporary folder). The plaintext is generated in memory (no
// source disk in the measurement); the sealed blob is written to and read back from disk.
//
// Limits: one core doing only the cryptography, on 256 MiB in memory: for sealing, secretstream
// push (XChaCha20-Poly1305) of every chunk and SHA-256 over the plaintext and the ciphertext (the
// blob's address); for opening, pull and SHA-256 of the plaintext. Sealing does exactly that
// work plus the blob writes; opening that work plus the reads.
// Memory: the peak resident set (VmHWM) is reset before each phase (/proc/self/clear_refs) and
// read after it, so a figure flat across sizes means constant memory.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "concord/app/blob_store.hpp"
#include "concord/app/evidence_stream.hpp"
#include "concord/crypto/init.hpp"
#include "concord/crypto/secretstream.hpp"
#include "concord/crypto/sha256.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using concord::ByteSpan;

double Seconds(Clock::duration d) {
    return std::chrono::duration<double>(d).count();
}

double MiBps(std::uint64_t bytes, double seconds) {
    return static_cast<double>(bytes) / (1024.0 * 1024.0) / seconds;
}

void ResetPeakRss() {
    std::ofstream("/proc/self/clear_refs") << "5";
}

double PeakRssMiB() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmHWM:", 0) == 0) {
            return std::strtod(line.c_str() + 6, nullptr) / 1024.0;
        }
    }
    return -1;
}

struct Limits {
    double seal_mibps;  ///< push + SHA-256 of the plaintext and of the ciphertext
    double open_mibps;  ///< pull + SHA-256 of the plaintext
};

Limits MeasureLimits(std::uint32_t chunk) {
    const std::uint64_t total = std::uint64_t{256} << 20;
    std::vector<std::uint8_t> plain(chunk, 0x5a);
    const auto key = concord::crypto::GenerateStreamKey();
    auto encryptor = concord::crypto::StreamEncryptor::Create(key).value();
    std::vector<concord::Bytes> sealed;  // a few chunks, to pull back
    concord::crypto::Sha256Hasher plain_hash;
    concord::crypto::Sha256Hasher sealed_hash;
    const auto seal_start = Clock::now();
    for (std::uint64_t done = 0; done < total; done += chunk) {
        plain_hash.Update(plain);
        concord::Bytes chunk_out = encryptor.Push(plain, done + chunk >= total);
        sealed_hash.Update(chunk_out);
        if (sealed.size() < 64) {
            sealed.push_back(std::move(chunk_out));
        }
    }
    (void)plain_hash.Finish();
    (void)sealed_hash.Finish();
    const double seal_s = Seconds(Clock::now() - seal_start);
    // Pull: the first chunks again and again from a fresh stream (each pull is the same work).
    std::uint64_t opened = 0;
    const auto open_start = Clock::now();
    while (opened < total) {
        auto decryptor = concord::crypto::StreamDecryptor::Create(key, encryptor.header()).value();
        for (const auto& c : sealed) {
            if (opened >= total) {
                break;
            }
            const auto p = decryptor.Pull(c);
            if (!p) {
                std::abort();
            }
            plain_hash.Update(*p);
            opened += p->size();
        }
    }
    (void)plain_hash.Finish();
    return {MiBps(total, seal_s), MiBps(opened, Seconds(Clock::now() - open_start))};
}

int Run(std::uint64_t size, std::uint32_t chunk, const std::filesystem::path& dir) {
    std::filesystem::remove_all(dir);
    auto blobs = concord::app::DirectoryBlobStore::OpenFolder(dir);
    if (!blobs) {
        std::fprintf(stderr, "bench_evidence: %s\n", blobs.error().ToString().c_str());
        return 1;
    }
    const auto key = concord::crypto::GenerateStreamKey();
    const Limits limit = MeasureLimits(chunk);

    std::vector<std::uint8_t> piece(std::size_t{1} << 20);
    std::mt19937 rng(7);
    for (auto& b : piece) {
        b = static_cast<std::uint8_t>(rng());
    }
    ResetPeakRss();
    const auto seal_start = Clock::now();
    auto sealer = concord::app::FileSealer::Create(key, chunk, **blobs).value();
    for (std::uint64_t done = 0; done < size;) {
        const std::size_t n =
            static_cast<std::size_t>(std::min<std::uint64_t>(piece.size(), size - done));
        piece[0] = static_cast<std::uint8_t>(done >> 20);  // not one repeated megabyte
        if (auto w = sealer.Write(ByteSpan(piece.data(), n)); !w) {
            std::fprintf(stderr, "bench_evidence: %s\n", w.error().ToString().c_str());
            return 1;
        }
        done += n;
    }
    auto sealed = sealer.Finish();
    if (!sealed) {
        std::fprintf(stderr, "bench_evidence: %s\n", sealed.error().ToString().c_str());
        return 1;
    }
    const double seal_s = Seconds(Clock::now() - seal_start);
    const double seal_rss = PeakRssMiB();

    ResetPeakRss();
    std::uint64_t released = 0;
    const auto open_start = Clock::now();
    auto opened = concord::app::OpenSealedFile(
        **blobs,
        key,
        chunk,
        *sealed,
        [&](ByteSpan p) -> concord::Result<void> {
            released += p.size();
            return {};
        }
    );
    const double open_s = Seconds(Clock::now() - open_start);
    const double open_rss = PeakRssMiB();
    std::filesystem::remove_all(dir);
    if (!opened || released != size) {
        std::fprintf(
            stderr,
            "bench_evidence: open failed: %s\n",
            opened ? "size" : opened.error().ToString().c_str()
        );
        return 1;
    }
    std::printf(
        "file: %.2f GiB in chunks of %u KiB, blob store in %s\n",
        static_cast<double>(size) / (1024.0 * 1024 * 1024),
        chunk / 1024,
        dir.c_str()
    );
    std::printf(
        "limits (one core, in memory, 256 MiB): seal = secretstream push + SHA-256 of plaintext "
        "and ciphertext %.0f MiB/s; open = pull + SHA-256 of plaintext %.0f MiB/s\n",
        limit.seal_mibps,
        limit.open_mibps
    );
    std::printf(
        "seal into the blob store: %.0f MiB/s = %.0f %% of the limit; peak RSS %.1f MiB\n",
        MiBps(size, seal_s),
        100.0 * MiBps(size, seal_s) / limit.seal_mibps,
        seal_rss
    );
    std::printf(
        "open from the blob store: %.0f MiB/s = %.0f %% of the limit; peak RSS %.1f MiB\n",
        MiBps(size, open_s),
        100.0 * MiBps(size, open_s) / limit.open_mibps,
        open_rss
    );
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::uint64_t size = std::uint64_t{1} << 30;
    std::uint32_t chunk = concord::app::kDefaultEvidenceChunkBytes;
    std::filesystem::path dir = std::filesystem::temp_directory_path() / "concord-bench-evidence";
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--size" && i + 1 < argc) {
            size = std::strtoull(argv[++i], nullptr, 10);
        } else if (arg == "--chunk" && i + 1 < argc) {
            chunk = static_cast<std::uint32_t>(std::strtoul(argv[++i], nullptr, 10));
        } else if (arg == "--dir" && i + 1 < argc) {
            dir = argv[++i];
        } else if (arg.starts_with("--benchmark_filter=")) {
            // scripts/run-benchmarks passes Google Benchmark's flags to every bench_* program:
            // the filter is honoured against the name "Evidence", the others are ignored.
            bool match = true;
            try {
                match = std::regex_search("Evidence", std::regex(arg.substr(19)));
            } catch (const std::regex_error&) {
                match = true;
            }
            if (!match) {
                std::printf("skipped (--benchmark_filter does not match 'Evidence')\n");
                return 0;
            }
        } else if (arg.starts_with("--benchmark_")) {
            continue;
        } else {
            std::fprintf(
                stderr, "usage: bench_evidence [--size BYTES] [--chunk BYTES] [--dir PATH]\n"
            );
            return 2;
        }
    }
    if (!concord::crypto::Initialize()) {
        return 1;
    }
    if (!concord::app::ChunkLayout::Create(size, chunk)) {
        std::fprintf(stderr, "bench_evidence: chunk size or file size out of range\n");
        return 2;
    }
    return Run(size, chunk, dir);
}
