#pragma once

#include <string_view>

#include "concord/core/bytes.hpp"
#include "concord/core/result.hpp"
#include "concord/crypto/secret_bytes.hpp"

namespace concord::crypto {

/// Size of a SecretSeal key and of a DeriveSubkey result.
inline constexpr std::size_t kSecretKeyBytes = 32;

/// Derives a 32-byte subkey from `master` (16 to 64 bytes of secret) for one purpose named by
/// `label` (docs/formats/crypto.md §Subkeys): keyed BLAKE2b-256 with `master` as the key and
/// `label` as the message. Different labels give independent keys. kInvalidArgument if `master`
/// is shorter than 16 or longer than 64 bytes, or `label` is empty.
Result<SecretBytes> DeriveSubkey(const SecretBytes& master, std::string_view label);

/// Symmetric authenticated encryption with associated data (docs/formats/crypto.md §Secret
/// seal): XChaCha20-Poly1305-IETF under a 32-byte `key` with a random 24-byte nonce.
/// Output: nonce(24) ‖ ciphertext ‖ tag(16). kInvalidArgument if the key is not 32 bytes.
Result<Bytes> SecretSeal(const SecretBytes& key, ByteSpan plaintext, ByteSpan associated_data);

/// Opens what SecretSeal produced, into guarded memory (it is meant for secrets at rest).
/// kInvalidArgument if the key is not 32 bytes or `sealed` is shorter than nonce and tag;
/// kUnauthenticated if the key, the ciphertext or the associated data does not match.
Result<SecretBytes> SecretOpen(const SecretBytes& key, ByteSpan sealed, ByteSpan associated_data);

}  // namespace concord::crypto
