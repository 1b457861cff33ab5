#include "concord/crypto/ed25519.hpp"

#include <algorithm>

#include <sodium.h>

#include "concord/core/assert.hpp"

#include "sodium_detail.hpp"

namespace concord::crypto {
namespace {

using detail::NonNull;

static_assert(crypto_sign_PUBLICKEYBYTES == 32);
static_assert(crypto_sign_SEEDBYTES == 32);
static_assert(crypto_sign_SECRETKEYBYTES == 64);
static_assert(crypto_sign_BYTES == 64);

}  // namespace

Result<PublicKey> PublicKey::FromBytes(ByteSpan bytes) {
    if (bytes.size() != crypto_sign_PUBLICKEYBYTES) {
        return MakeError(ErrorCode::kInvalidArgument, "Ed25519 public key must be 32 bytes");
    }
    // In libsodium 1.0.18 this rejects non-canonical encodings, points not on the curve, points of
    // small order and points outside the prime-order subgroup.
    if (crypto_core_ed25519_is_valid_point(bytes.data()) != 1) {
        return MakeError(
            ErrorCode::kInvalidArgument, "Ed25519 public key is not a valid prime-order point"
        );
    }
    PublicKey key;
    std::copy(bytes.begin(), bytes.end(), key.bytes_.begin());
    return key;
}

Result<void> Verify(const PublicKey& key, ByteSpan message, const Signature& signature) {
    // crypto_sign_verify_detached (1.0.18, without ED25519_COMPAT) rejects S >= L, small-order R,
    // and non-canonical or small-order A, then compares the recomputed R encoding byte for byte,
    // so a non-canonical R encoding cannot verify either.
    if (crypto_sign_verify_detached(
            signature.data(), NonNull(message), message.size(), key.Bytes().data()
        ) != 0) {
        return MakeError(ErrorCode::kUnauthenticated, "Ed25519 signature does not verify");
    }
    return {};
}

Result<void> Verify(const PublicKey& key, ByteSpan message, ByteSpan signature) {
    if (signature.size() != crypto_sign_BYTES) {
        return MakeError(ErrorCode::kInvalidArgument, "Ed25519 signature must be 64 bytes");
    }
    Signature sig{};
    std::copy(signature.begin(), signature.end(), sig.begin());
    return Verify(key, message, sig);
}

SigningKey SigningKey::Generate() {
    SecretBytes seed(crypto_sign_SEEDBYTES);
    randombytes_buf(seed.Data(), seed.Size());
    auto key = FromSeed(seed.Span());
    CONCORD_ASSERT(key.has_value());
    return std::move(*key);
}

Result<SigningKey> SigningKey::FromSeed(ByteSpan seed) {
    if (seed.size() != crypto_sign_SEEDBYTES) {
        return MakeError(ErrorCode::kInvalidArgument, "Ed25519 seed must be 32 bytes");
    }
    SigningKey key;
    key.seed_ = SecretBytes::CopyFrom(seed);
    key.expanded_ = SecretBytes(crypto_sign_SECRETKEYBYTES);
    std::array<std::uint8_t, crypto_sign_PUBLICKEYBYTES> pk{};
    CONCORD_ASSERT(crypto_sign_seed_keypair(pk.data(), key.expanded_.Data(), seed.data()) == 0);
    // A derived key is A = a·B with B the base point, so it always lies in the prime-order
    // subgroup; failing here would mean libsodium is broken.
    auto public_key = PublicKey::FromBytes(pk);
    CONCORD_ASSERT(public_key.has_value());
    key.public_key_ = *public_key;
    return key;
}

Signature SigningKey::Sign(ByteSpan message) const {
    CONCORD_ASSERT(expanded_.Size() == crypto_sign_SECRETKEYBYTES);  // not moved from
    Signature sig{};
    CONCORD_ASSERT(
        crypto_sign_detached(
            sig.data(), nullptr, NonNull(message), message.size(), expanded_.Data()
        ) == 0
    );
    return sig;
}

}  // namespace concord::crypto
