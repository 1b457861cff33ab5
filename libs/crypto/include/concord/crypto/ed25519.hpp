#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "concord/core/bytes.hpp"
#include "concord/core/result.hpp"
#include "concord/crypto/secret_bytes.hpp"

namespace concord::crypto {

/// An Ed25519 signature (R ‖ S).
using Signature = std::array<std::uint8_t, 64>;

/// An Ed25519 public key, validated when built from bytes.
///
/// The strict rule, identical on every node (docs/formats/crypto.md): a public key is refused if
/// it is not a canonical encoding of a point on the curve or if it has small order; a signature is
/// refused if S is not canonical (S >= L) or R has small order. libsodium >= 1.0.18 implements
/// exactly this in crypto_sign_verify_detached; FromBytes checks the key part up front.
class PublicKey {
public:
    /// kInvalidArgument if `bytes` is not 32 bytes, not a valid point, or of small order.
    static Result<PublicKey> FromBytes(ByteSpan bytes);
    [[nodiscard]] const std::array<std::uint8_t, 32>& Bytes() const { return bytes_; }
    friend bool operator==(const PublicKey&, const PublicKey&) = default;

private:
    std::array<std::uint8_t, 32> bytes_{};
};

/// Checks `signature` over `message` under the strict rule. kUnauthenticated if it does not verify.
Result<void> Verify(const PublicKey& key, ByteSpan message, const Signature& signature);
/// As Verify, taking the signature as a span; kInvalidArgument if it is not 64 bytes.
Result<void> Verify(const PublicKey& key, ByteSpan message, ByteSpan signature);

/// An Ed25519 private key (its 32-byte seed, kept in SecretBytes) and its public key.
/// Move-only. Signing is deterministic (RFC 8032).
class SigningKey {
public:
    /// A new random key.
    static SigningKey Generate();
    /// The key for a 32-byte seed; kInvalidArgument if `seed` is not 32 bytes.
    static Result<SigningKey> FromSeed(ByteSpan seed);

    /// Signs `message`.
    [[nodiscard]] Signature Sign(ByteSpan message) const;
    [[nodiscard]] const crypto::PublicKey& PublicKey() const { return public_key_; }
    /// The 32-byte seed (for key files only).
    [[nodiscard]] const SecretBytes& Seed() const { return seed_; }

private:
    SigningKey() = default;
    SecretBytes seed_;
    SecretBytes expanded_;  // libsodium's 64-byte secret key (seed ‖ public key)
    crypto::PublicKey public_key_;
};

}  // namespace concord::crypto
