#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "concord/core/bytes.hpp"
#include "concord/core/result.hpp"

namespace concord::app {

/// Whether `text` is a blob address: 64 lower-case hex digits (the SHA-256 of the blob's bytes).
bool IsBlobAddress(std::string_view text);

/// A blob being written: bytes are appended in pieces and only Commit makes them a blob.
/// A writer dropped without Commit leaves nothing behind. Not thread-safe.
class BlobWriter {
public:
    virtual ~BlobWriter() = default;
    /// Appends bytes. kUnavailable if the storage refuses them (disk full, I/O error).
    virtual Result<void> Append(ByteSpan bytes) = 0;
    /// Makes the bytes durable and visible under their address (returned). Writing the same
    /// bytes twice gives one blob. kUnavailable on an I/O error; the writer is spent afterwards.
    virtual Result<std::string> Commit() = 0;
    /// Bytes appended so far.
    [[nodiscard]] virtual std::uint64_t Size() const = 0;
};

/// A committed blob opened for reading. Not thread-safe.
class BlobReader {
public:
    virtual ~BlobReader() = default;
    /// Reads up to `out.size()` bytes from the current position; 0 at the end.
    /// kUnavailable on an I/O error.
    virtual Result<std::size_t> Read(std::span<std::uint8_t> out) = 0;
    /// Moves the position to `offset` (at most size()). kInvalidArgument past the end.
    virtual Result<void> Seek(std::uint64_t offset) = 0;
    /// The blob's size in bytes.
    [[nodiscard]] virtual std::uint64_t Size() const = 0;
};

/// A blob received in parts across interruptions (an evidence transfer that resumes): its
/// bytes persist under a name until they are committed as a blob or discarded, so a restart
/// keeps what was stored. Not thread-safe.
class PartialBlob {
public:
    virtual ~PartialBlob() = default;
    /// Bytes kept so far (durable up to the last Sync).
    [[nodiscard]] virtual std::uint64_t Size() const = 0;
    /// Reads up to `out.size()` bytes at `offset`; 0 at the end. kUnavailable on an I/O error.
    virtual Result<std::size_t> ReadAt(std::uint64_t offset, std::span<std::uint8_t> out) = 0;
    /// Keeps only the first `size` bytes (at most size()).
    virtual Result<void> Truncate(std::uint64_t size) = 0;
    /// Appends bytes. kUnavailable if the storage refuses them.
    virtual Result<void> Append(ByteSpan bytes) = 0;
    /// Makes the bytes kept so far durable.
    virtual Result<void> Sync() = 0;
    /// Makes the bytes, durably, the blob at `address`, which the caller computed over exactly
    /// these bytes as it checked them; the partial blob is gone afterwards.
    virtual Result<void> CommitAs(std::string_view address) = 0;
};

/// Content-addressed storage of large immutable byte strings (evidence files, encrypted), kept
/// outside the database. An object store can implement it for large nodes; the node uses
/// DirectoryBlobStore. Implementations are thread-safe (each writer and reader is used by one
/// thread at a time).
class BlobStore {
public:
    virtual ~BlobStore() = default;
    /// A writer for a new blob.
    virtual Result<std::unique_ptr<BlobWriter>> Create() = 0;
    /// Opens the blob at `address`. kNotFound if there is none; kInvalidArgument if `address`
    /// is not an address.
    virtual Result<std::unique_ptr<BlobReader>> Open(std::string_view address) = 0;
    /// Whether the blob exists.
    virtual Result<bool> Contains(std::string_view address) = 0;
    /// Deletes the blob (no error if it is already gone).
    virtual Result<void> Remove(std::string_view address) = 0;
    /// The partial blob `name` (1-100 of a-z 0-9 . -), created empty if there is none.
    /// kInvalidArgument for a bad name.
    virtual Result<std::unique_ptr<PartialBlob>> OpenPartial(std::string_view name) = 0;
    /// Deletes the partial blob `name` (no error if there is none).
    virtual Result<void> RemovePartial(std::string_view name) = 0;
    /// Bytes the partial blob `name` holds; 0 if there is none (and none is created).
    /// kInvalidArgument for a bad name.
    virtual Result<std::uint64_t> PartialSize(std::string_view name) = 0;
    /// The names of the partial blobs there are, in no order.
    virtual Result<std::vector<std::string>> PartialNames() = 0;
    /// Reads the whole blob in pieces and checks that its bytes still hash to its address.
    /// kCorruption if they do not, kNotFound if there is no such blob.
    Result<void> Verify(std::string_view address);
};

/// A BlobStore in a folder: blob `ab12…` lives at `ROOT/sha256/ab/ab12…`; writers fill a file in
/// `ROOT/tmp/`, fsync it and rename it into place, then fsync the folder, so a committed blob
/// survives a crash and a torn write never appears under an address. Partial blobs live in
/// `ROOT/partial/NAME` and survive restarts. Folders are 0700 and files 0600; leftovers in
/// `tmp/` from a crash are removed at Open.
class DirectoryBlobStore final : public BlobStore {
public:
    /// Creates `root` (0700) if needed. kInvalidArgument if `root` exists and is not a folder
    /// or is readable by others; kUnavailable if it cannot be created.
    static Result<std::unique_ptr<DirectoryBlobStore>> OpenFolder(const std::filesystem::path& root
    );

    Result<std::unique_ptr<BlobWriter>> Create() override;
    Result<std::unique_ptr<BlobReader>> Open(std::string_view address) override;
    Result<bool> Contains(std::string_view address) override;
    Result<void> Remove(std::string_view address) override;
    Result<std::unique_ptr<PartialBlob>> OpenPartial(std::string_view name) override;
    Result<void> RemovePartial(std::string_view name) override;
    Result<std::uint64_t> PartialSize(std::string_view name) override;
    Result<std::vector<std::string>> PartialNames() override;

    /// Where the blob at `address` is (or would be) stored.
    [[nodiscard]] std::filesystem::path PathOf(std::string_view address) const;

private:
    explicit DirectoryBlobStore(std::filesystem::path root) : root_(std::move(root)) {}
    std::filesystem::path root_;
};

}  // namespace concord::app
