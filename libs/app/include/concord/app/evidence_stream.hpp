#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>

#include "concord/app/blob_store.hpp"
#include "concord/core/bytes.hpp"
#include "concord/core/result.hpp"
#include "concord/crypto/secret_bytes.hpp"
#include "concord/crypto/secretstream.hpp"
#include "concord/crypto/sha256.hpp"

namespace concord::app {

/// Plaintext bytes per chunk unless a package says otherwise (docs/formats/evidence.md §Chunks).
inline constexpr std::uint32_t kDefaultEvidenceChunkBytes = 1U << 20;
/// Smallest and largest chunk size a package may declare.
inline constexpr std::uint32_t kMinEvidenceChunkBytes = 4U << 10;
inline constexpr std::uint32_t kMaxEvidenceChunkBytes = 16U << 20;
/// Largest file size a manifest may declare (2^53 - 1: exact in every JSON reader).
inline constexpr std::uint64_t kMaxEvidenceFileBytes = (std::uint64_t{1} << 53) - 1;

/// Where each chunk of one encrypted file lies. An encrypted file is the secretstream header
/// (24 bytes) followed by `count()` chunks; every chunk holds `chunk_bytes` plaintext bytes
/// except the last, which holds the rest (0 only for an empty file, which has one chunk), and
/// adds crypto::kStreamChunkOverhead bytes. The layout follows from the plaintext size and the
/// chunk size alone, so a reader never trusts a length from the stream itself.
class ChunkLayout {
public:
    /// kInvalidArgument if `chunk_bytes` is outside [kMinEvidenceChunkBytes,
    /// kMaxEvidenceChunkBytes] or `size` is above kMaxEvidenceFileBytes.
    static Result<ChunkLayout> Create(std::uint64_t size, std::uint32_t chunk_bytes);

    [[nodiscard]] std::uint64_t Size() const { return size_; }
    [[nodiscard]] std::uint32_t ChunkBytes() const { return chunk_bytes_; }
    /// Number of chunks (at least 1).
    [[nodiscard]] std::uint64_t Count() const { return count_; }
    /// Plaintext bytes in chunk `index` (< count()).
    [[nodiscard]] std::uint32_t PlainBytes(std::uint64_t index) const;
    /// Encrypted bytes of chunk `index`: PlainBytes + overhead.
    [[nodiscard]] std::uint32_t SealedBytes(std::uint64_t index) const;
    /// Offset of chunk `index` in the encrypted file (index == count() gives its total size).
    [[nodiscard]] std::uint64_t SealedOffset(std::uint64_t index) const;
    /// Size of the whole encrypted file.
    [[nodiscard]] std::uint64_t SealedSize() const { return SealedOffset(count_); }

private:
    ChunkLayout(std::uint64_t size, std::uint32_t chunk_bytes, std::uint64_t count)
        : size_(size), chunk_bytes_(chunk_bytes), count_(count) {}
    std::uint64_t size_;
    std::uint32_t chunk_bytes_;
    std::uint64_t count_;
};

/// What sealing a file produced.
struct SealedFile {
    std::uint64_t size{0};         ///< plaintext bytes
    std::string sha256;            ///< lower-case hex SHA-256 of the plaintext
    std::string encrypted_sha256;  ///< the blob's address: SHA-256 of the encrypted file
};

/// Encrypts one file into a blob as it arrives, in pieces of any size, holding at most one chunk
/// of plaintext: memory is constant whatever the file's size. Not thread-safe.
class FileSealer {
public:
    /// kInvalidArgument for a bad key or chunk size; kUnavailable if the blob cannot be started.
    static Result<FileSealer> Create(
        const crypto::SecretBytes& package_key, std::uint32_t chunk_bytes, BlobStore& blobs
    );
    /// Adds plaintext bytes. kInvalidArgument past kMaxEvidenceFileBytes; kUnavailable on a
    /// storage error (the file is then abandoned).
    Result<void> Write(ByteSpan plaintext);
    /// Seals the last chunk, commits the blob and returns its description.
    Result<SealedFile> Finish();

private:
    FileSealer(
        crypto::StreamEncryptor encryptor,
        std::uint32_t chunk_bytes,
        std::unique_ptr<BlobWriter> writer
    );
    Result<void> PushChunk(bool final);
    crypto::StreamEncryptor encryptor_;
    std::uint32_t chunk_bytes_;
    std::unique_ptr<BlobWriter> writer_;
    Bytes pending_;
    crypto::Sha256Hasher plain_hash_;
    std::uint64_t size_{0};
};

/// Receives plaintext as it is decrypted and authenticated; an error stops the opening.
using PlaintextSink = std::function<Result<void>(ByteSpan plaintext)>;

/// Reads exactly `out.size()` encrypted bytes into `out`: true when it did, false when the
/// encrypted file ended first.
using SealedRead = std::function<Result<bool>(std::span<std::uint8_t> out)>;

/// Decrypts one encrypted file as its reader asks for plaintext (pull; OpenSealedFile pushes):
/// for a download streamed to a client. Each chunk is authenticated, and the last one is also
/// checked for the final tag, nothing after it and the plaintext's SHA-256, before any of its
/// bytes are handed out, so a reader never gets plaintext the checks would reject — a failure
/// shows as an error instead of the rest of the file. Memory: two chunks. Not thread-safe.
class SealedFileReader {
public:
    /// Opens the blob `expected.encrypted_sha256` of `blobs` and reads its header.
    /// kUnauthenticated if its size does not match the layout or the header is cut short;
    /// kNotFound if the blob is missing.
    static Result<SealedFileReader> Open(
        BlobStore& blobs,
        const crypto::SecretBytes& package_key,
        std::uint32_t chunk_bytes,
        const SealedFile& expected
    );
    /// As Open, over any encrypted byte stream laid out as `layout`; `expected_sha256` may be
    /// empty (no hash check).
    static Result<SealedFileReader> FromStream(
        SealedRead read,
        const crypto::SecretBytes& package_key,
        const ChunkLayout& layout,
        std::string expected_sha256
    );

    /// Fills the front of `out` with the next plaintext bytes and returns how many; 0 once the
    /// whole file was handed out. The errors of OpenSealedFile; after one, every call fails.
    Result<std::size_t> Read(std::span<std::uint8_t> out);
    /// Plaintext size of the whole file.
    [[nodiscard]] std::uint64_t Size() const { return layout_.Size(); }

private:
    SealedFileReader(
        SealedRead read,
        crypto::StreamDecryptor decryptor,
        const ChunkLayout& layout,
        std::string expected_sha256
    );
    Result<void> NextChunk();

    SealedRead read_;
    crypto::StreamDecryptor decryptor_;
    ChunkLayout layout_;
    std::string expected_sha256_;
    crypto::Sha256Hasher hasher_;
    Bytes sealed_;
    Bytes plain_;
    std::size_t plain_at_{0};
    std::uint64_t next_chunk_{0};
    std::optional<Error> failed_;
};

/// Decrypts one encrypted file chunk by chunk, given the size and hashes its manifest states:
/// every chunk is authenticated before its plaintext reaches `sink`, the final tag must close
/// the last chunk, and the plaintext must hash to `expected.sha256`. Memory: two chunks.
/// kUnauthenticated for an altered, reordered, truncated or extended file or a wrong key;
/// kCorruption if the plaintext hash differs (which authentication makes near impossible);
/// kNotFound if the blob is missing. On error, `sink` may have received the chunks before the bad
/// one: callers write to a temporary place and keep it only on success.
Result<void> OpenSealedFile(
    BlobStore& blobs,
    const crypto::SecretBytes& package_key,
    std::uint32_t chunk_bytes,
    const SealedFile& expected,
    const PlaintextSink& sink
);

/// As OpenSealedFile, from encrypted bytes already in memory (for tests and fuzzing of the
/// framing); `sink` may be empty.
Result<void> OpenSealedBytes(
    ByteSpan sealed,
    const crypto::SecretBytes& package_key,
    std::uint32_t chunk_bytes,
    std::uint64_t size,
    const PlaintextSink& sink
);

}  // namespace concord::app
