// Fuzz target: the key file reader (crypto::KeyFile::Read, docs/formats/key-file.md).
//
// Input: one control byte, then the file. Control bit 0: recompute the file's SHA-256 checksum
// before reading (the checksum is unkeyed, so this is what a hostile writer can do; without it
// nearly every mutation stops at "checksum mismatch"). Bit 1: write the file with mode 0644.
// The remaining bits choose which byte the "damaged => rejected" check flips.
//
// Invariants: every input gives contents or a typed error, never a crash or a leak; a group- or
// world-readable file is always refused; a file that reads back is a real key file: written again
// with its label and secret it reads back equal, and any single changed byte before the checksum
// (with the checksum recomputed) makes it fail.
//
// Seeds (fuzz/corpus/key_file/): key files written by KeyFile::Write with the passphrase below;
// regenerate with CONCORD_FUZZ_WRITE_SEEDS=fuzz/corpus/key_file build/fuzz/fuzz/fuzz_key_file
// -runs=0.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>

#include "concord/core/bytes.hpp"
#include "concord/core/file.hpp"
#include "concord/crypto/init.hpp"
#include "concord/crypto/key_file.hpp"
#include "concord/crypto/random.hpp"
#include "concord/crypto/sha256.hpp"

#include "fuzz_files.hpp"

namespace {

using concord::Bytes;
using concord::ByteSpan;
using concord::crypto::KeyFile;

constexpr std::string_view kPassphrase = "fuzz passphrase";
// Layout of version 1 (docs/formats/key-file.md): offsets after the label of length L.
constexpr std::size_t kFixedPrefix = 12;
constexpr std::size_t kParams = 12 + 16 + 24 + 4;  // ops, memory, salt, nonce, ciphertext length
constexpr std::size_t kChecksum = 32;
// The harness recomputes checksums only for cheap Argon2id settings, so that one run stays in
// milliseconds; the reader's own limits (ops <= 32, memory <= 1 GiB) are checked by its tests.
constexpr std::uint64_t kFuzzMaxOps = 2;
constexpr std::uint64_t kFuzzMaxMem = 64 * 1024;

std::uint64_t BigEndian(const Bytes& b, std::size_t at, std::size_t n) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) {
        v = (v << 8) | b[at + i];
    }
    return v;
}

// Where the checksum starts if the header parses, and whether its Argon2id cost is cheap.
std::optional<std::size_t> ChecksumOffset(const Bytes& file, bool* cheap) {
    if (file.size() < kFixedPrefix) {
        return std::nullopt;
    }
    const std::size_t label = BigEndian(file, 10, 2);
    const std::size_t params_at = kFixedPrefix + label;
    if (file.size() < params_at + kParams) {
        return std::nullopt;
    }
    const std::uint64_t ops = BigEndian(file, params_at, 4);
    const std::uint64_t mem = BigEndian(file, params_at + 4, 8);
    *cheap = ops <= kFuzzMaxOps && mem <= kFuzzMaxMem;
    const std::size_t ciphertext = BigEndian(file, params_at + kParams - 4, 4);
    const std::size_t checksum_at =
        params_at + kParams + std::min<std::size_t>(ciphertext, 1 << 16);
    if (file.size() != checksum_at + kChecksum) {
        return std::nullopt;
    }
    return checksum_at;
}

void FixChecksum(Bytes& file, std::size_t checksum_at) {
    const auto sum = concord::crypto::Sha256(ByteSpan(file).first(checksum_at));
    std::copy(sum.begin(), sum.end(), file.begin() + static_cast<std::ptrdiff_t>(checksum_at));
}

std::filesystem::path Put(const std::string& name, const Bytes& file, unsigned mode) {
    const auto path = concord::fuzz::ScratchDir() / name;
    std::filesystem::remove(path);
    if (!concord::WriteFileAtomically(path, file, mode, concord::ExistingFile::kReplace)) {
        std::abort();
    }
    return path;
}

void WriteSeeds(const std::filesystem::path& dir) {
    const std::pair<const char*, std::size_t> secrets[] = {
        {"concord-node-v1", 64}, {"", 1}, {"label", 4096}};
    int n = 0;
    for (const auto& [label, length] : secrets) {
        const auto path = concord::fuzz::ScratchDir() / "seed";
        std::filesystem::remove(path);
        concord::crypto::SecretBytes secret(length);
        const Bytes random = concord::crypto::RandomBytes(length);
        std::copy(random.begin(), random.end(), secret.Data());
        if (!KeyFile::Write(
                path, label, secret, kPassphrase, concord::crypto::MinimumArgon2Params()
            )) {
            std::abort();
        }
        std::ifstream in(path, std::ios::binary);
        const std::string bytes{std::istreambuf_iterator<char>(in), {}};
        // Control byte 1: recompute the checksum (a no-op on an intact file).
        concord::fuzz::WriteSeed(dir, "written_" + std::to_string(n++) + ".bin", "\x01" + bytes);
    }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
    if (!concord::crypto::Initialize()) {
        std::abort();
    }
    if (const auto dir = concord::fuzz::SeedDir(); !dir.empty()) {
        WriteSeeds(dir);
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const std::uint8_t control = data[0];
    Bytes file(data + 1, data + size);
    bool cheap = false;
    const auto checksum_at = ChecksumOffset(file, &cheap);
    if ((control & 1) != 0 && checksum_at && cheap) {
        FixChecksum(file, *checksum_at);
    }
    const bool shared = (control & 2) != 0;
    const auto path = Put("input", file, shared ? 0644 : 0600);
    auto read = KeyFile::Read(path, kPassphrase);
    if (shared) {
        if (read || read.error().code != concord::ErrorCode::kPermissionDenied) {
            std::abort();
        }
        return 0;
    }
    if (!read) {
        return 0;
    }
    // It read back, so it is a key file: its checksum offset is known.
    if (!checksum_at) {
        std::abort();
    }
    // Round trip through the writer.
    const auto again = concord::fuzz::ScratchDir() / "again";
    std::filesystem::remove(again);
    if (!KeyFile::Write(
            again, read->label, read->secret, kPassphrase, concord::crypto::MinimumArgon2Params()
        )) {
        std::abort();
    }
    auto reread = KeyFile::Read(again, kPassphrase);
    if (!reread || reread->label != read->label ||
        !std::equal(
            reread->secret.Span().begin(),
            reread->secret.Span().end(),
            read->secret.Span().begin(),
            read->secret.Span().end()
        )) {
        std::abort();
    }
    // Damaged => rejected, even with a valid checksum.
    Bytes damaged = file;
    const std::size_t at = static_cast<std::size_t>(control >> 2) % *checksum_at;
    damaged[at] = static_cast<std::uint8_t>(damaged[at] ^ 1U);
    bool damaged_cheap = false;
    if (const auto damaged_checksum = ChecksumOffset(damaged, &damaged_cheap)) {
        if (!damaged_cheap) {
            return 0;  // the flip asked for expensive Argon2id settings; not worth a run
        }
        FixChecksum(damaged, *damaged_checksum);
    }
    if (KeyFile::Read(Put("damaged", damaged, 0600), kPassphrase)) {
        std::abort();
    }
    return 0;
}
