#pragma once

#include <cstdint>
#include <string_view>

#include "concord/core/bytes.hpp"
#include "concord/core/result.hpp"
#include "concord/crypto/secret_bytes.hpp"

namespace concord::crypto {

/// Derives a 32-byte subkey from a 32-byte master key (libsodium crypto_kdf: BLAKE2b keyed with
/// the master key, personalised by `context` and `subkey_id`), so one node secret can give
/// independent keys for separate purposes. `context` is exactly 8 ASCII characters naming the
/// purpose (e.g. "totp-key"). kInvalidArgument if the master key is not 32 bytes or the context
/// is not 8 characters.
Result<SecretBytes> DeriveSubkey(
    const SecretBytes& master, std::string_view context, std::uint64_t subkey_id
);

/// Symmetric authenticated encryption of a small secret at rest (docs/formats/crypto.md):
/// XChaCha20-Poly1305-IETF under a 32-byte key with a random 24-byte nonce, `associated_data`
/// authenticated but not encrypted. Output: nonce(24) ‖ ciphertext ‖ tag(16).
/// kInvalidArgument if the key is not 32 bytes.
Result<Bytes> SecretSeal(ByteSpan plaintext, ByteSpan associated_data, const SecretBytes& key);

/// Opens what SecretSeal produced into guarded memory. kInvalidArgument if the key is not 32
/// bytes or `sealed` is shorter than nonce and tag; kUnauthenticated if the ciphertext, the
/// associated data or the key does not match.
Result<SecretBytes> SecretOpen(ByteSpan sealed, ByteSpan associated_data, const SecretBytes& key);

}  // namespace concord::crypto
