#pragma once

#include <filesystem>
#include <iosfwd>
#include <string>

#include "concord/core/result.hpp"

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

/// Exit statuses.
inline constexpr int kExitOk = 0;
inline constexpr int kExitInvalid = 1;
inline constexpr int kExitUsage = 2;

/// Prints "concord: <error>" to `err` and returns the exit status for that error.
int ReportError(std::ostream& err, const Error& error);

}  // namespace concord::cli
