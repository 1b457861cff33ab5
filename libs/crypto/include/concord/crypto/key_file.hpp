#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "concord/core/result.hpp"
#include "concord/crypto/password.hpp"
#include "concord/crypto/secret_bytes.hpp"

namespace concord::crypto {

/// A passphrase-protected secret on disk (format: docs/formats/key-file.md).
///
/// The secret is encrypted with XChaCha20-Poly1305 under a key derived from the passphrase with
/// Argon2id; a SHA-256 checksum over the whole file tells damage apart from a wrong passphrase.
/// Errors are distinct and name the file:
///  - kNotFound: no such file;
///  - kCorruption: "truncated" (shorter than its header says) or "corrupted" (bad magic,
///    unknown version, checksum mismatch);
///  - kUnauthenticated: "wrong passphrase" (checksum intact, decryption fails);
///  - kPermissionDenied: the file is readable by group or others (must be 0600).
struct KeyFile {
    /// Writes `secret` with a `label` (e.g. "concord-node-v1") to `path` with mode 0600,
    /// atomically (temporary file, fsync, rename). kAlreadyExists if `path` exists.
    static Result<void> Write(
        const std::filesystem::path& path,
        std::string_view label,
        const SecretBytes& secret,
        std::string_view passphrase,
        const Argon2Params& params = {}
    );

    /// A decrypted key file.
    struct Contents {
        std::string label;
        SecretBytes secret;
    };

    /// Reads and decrypts `path`.
    static Result<Contents> Read(const std::filesystem::path& path, std::string_view passphrase);
};

}  // namespace concord::crypto
