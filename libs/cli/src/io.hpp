#pragma once

#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

#include "concord/core/result.hpp"
#include "concord/federation/directory.hpp"

namespace concord::cli {

/// Reads a whole file; kNotFound / kUnavailable naming the path.
Result<std::string> ReadFile(const std::filesystem::path& path);
/// Reads all of `in`.
std::string ReadAll(std::istream& in);
/// Writes `data` to `path` (mode 0644), replacing it atomically (core WriteFileAtomically).
Result<void> WriteFile(const std::filesystem::path& path, std::string_view data);
/// The passphrase from `passphrase_file` when set, else env CONCORD_PASSPHRASE;
/// kInvalidArgument if neither is available. A trailing newline is dropped.
Result<std::string> ReadPassphrase(const std::string& passphrase_file);

/// The signed directory in `path`, verified against the trusted directory keys given as base64
/// (`--trusted-key`). kInvalidArgument for a malformed key, kUnauthenticated if no trusted
/// signature verifies.
Result<federation::Directory> ReadTrustedDirectory(
    const std::filesystem::path& path, const std::vector<std::string>& trusted_keys
);

/// Exit statuses.
inline constexpr int kExitOk = 0;
inline constexpr int kExitInvalid = 1;
inline constexpr int kExitUsage = 2;

/// Prints "concord: <error>" to `err` and returns the exit status for that error.
int ReportError(std::ostream& err, const Error& error);

}  // namespace concord::cli
