#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "concord/core/bytes.hpp"
#include "concord/core/result.hpp"
#include "concord/crypto/secret_bytes.hpp"

namespace concord::crypto {

/// Argon2id cost parameters.
struct Argon2Params {
    std::uint64_t ops_limit{3};                     ///< passes (libsodium "moderate" is 3)
    std::uint64_t mem_limit{256ull * 1024 * 1024};  ///< bytes
};

/// Cheapest parameters libsodium accepts; for tests only.
Argon2Params MinimumArgon2Params();

/// Hashes a password with Argon2id into libsodium's self-describing string ("$argon2id$v=19$...").
/// kUnavailable if the memory cannot be allocated.
Result<std::string> HashPassword(std::string_view password, const Argon2Params& params = {});

/// Checks `password` against a HashPassword string in constant time.
/// kUnauthenticated on mismatch; kInvalidArgument if `hash` is not an Argon2id string.
Result<void> VerifyPassword(std::string_view password, std::string_view hash);

/// Derives a 32-byte key from a passphrase and a 16-byte salt with Argon2id.
/// kInvalidArgument if the salt is not 16 bytes; kUnavailable if memory cannot be allocated.
Result<SecretBytes> DeriveKey(
    std::string_view passphrase, ByteSpan salt, const Argon2Params& params
);

}  // namespace concord::crypto
