#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>

#include "concord/core/bytes.hpp"
#include "concord/core/result.hpp"

namespace concord {

/// The Error for a failed system call `op` on `path` with errno `err`: kNotFound (ENOENT),
/// kPermissionDenied (EACCES, EPERM), kAlreadyExists (EEXIST), else kUnavailable. The message is
/// "'<path>': <op>: <strerror>".
Error FileErrnoError(const std::filesystem::path& path, std::string_view op, int err);

/// Owns a POSIX file descriptor and closes it on destruction. Move-only in spirit: not copyable.
class UniqueFd {
public:
    /// Takes `fd` (may be negative: owns nothing).
    explicit UniqueFd(int fd) : fd_(fd) {}
    ~UniqueFd();
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    [[nodiscard]] int Get() const { return fd_; }
    /// Closes now and returns close(2)'s result (it can report a delayed write error).
    int Close();

private:
    int fd_{-1};
};

/// Writes all of `data` to the descriptor `fd` (retrying short writes and EINTR); errors name
/// `path` (FileErrnoError of "write").
Result<void> WriteAll(int fd, ByteSpan data, const std::filesystem::path& path);

/// What WriteFileAtomically does when `path` exists already.
enum class ExistingFile : std::uint8_t {
    kReplace,  ///< replace it atomically
    kRefuse,   ///< never replace it: kAlreadyExists, even if it appears while writing
};

/// Writes `data` to `path` so that a reader sees the old file or the whole new one, never a part,
/// and the new one survives a crash once this returns: a temporary file in the same directory
/// (created exclusively with `mode`), write, fsync, rename, fsync of the directory.
/// Errors name the path: kAlreadyExists (kRefuse), kNotFound (no such directory),
/// kPermissionDenied, kUnavailable (any other I/O failure). Nothing is left behind on failure.
Result<void> WriteFileAtomically(
    const std::filesystem::path& path, ByteSpan data, unsigned mode, ExistingFile existing
);

}  // namespace concord
