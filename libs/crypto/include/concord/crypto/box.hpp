#pragma once

#include <array>
#include <cstdint>

#include "concord/core/bytes.hpp"
#include "concord/core/result.hpp"
#include "concord/crypto/secret_bytes.hpp"

namespace concord::crypto {

/// An X25519 public key for authenticated public-key encryption.
using BoxPublicKey = std::array<std::uint8_t, 32>;

/// An X25519 key pair. Move-only.
class BoxKeyPair {
public:
    static BoxKeyPair Generate();
    /// From a 32-byte secret key; kInvalidArgument if not 32 bytes.
    static Result<BoxKeyPair> FromSecret(ByteSpan secret);
    [[nodiscard]] const BoxPublicKey& PublicKey() const { return public_key_; }
    [[nodiscard]] const SecretBytes& Secret() const { return secret_; }

private:
    BoxKeyPair() = default;
    SecretBytes secret_;
    BoxPublicKey public_key_{};
};

/// Authenticated public-key encryption with associated data (docs/formats/crypto.md):
/// k = crypto_box_beforenm(recipient, sender) (X25519 + HSalsa20), then XChaCha20-Poly1305-IETF
/// with a random 24-byte nonce and `associated_data` authenticated but not encrypted.
/// Output: nonce(24) ‖ ciphertext ‖ tag(16).
/// kInvalidArgument if the recipient key has small order (no shared secret).
Result<Bytes> BoxSeal(
    ByteSpan plaintext,
    ByteSpan associated_data,
    const BoxPublicKey& recipient,
    const BoxKeyPair& sender
);

/// Opens what BoxSeal produced. kInvalidArgument if too short; kUnauthenticated if the
/// ciphertext, the associated data or the sender key does not match.
Result<Bytes> BoxOpen(
    ByteSpan sealed,
    ByteSpan associated_data,
    const BoxPublicKey& sender,
    const BoxKeyPair& recipient
);

}  // namespace concord::crypto
