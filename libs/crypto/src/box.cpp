#include "concord/crypto/box.hpp"

#include <algorithm>
#include <array>

#include <sodium.h>

#include "concord/core/assert.hpp"

#include "sodium_detail.hpp"

namespace concord::crypto {
namespace {

using detail::NonNull;

static_assert(crypto_box_PUBLICKEYBYTES == 32);
static_assert(crypto_box_SECRETKEYBYTES == 32);
static_assert(crypto_box_BEFORENMBYTES == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);

constexpr std::size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;  // 24
constexpr std::size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;       // 16

// The per-message shared key. It lives on the stack for one call and is wiped when the call
// ends: guarded SecretBytes would cost an mmap and munmap per message, which showed in intake
// profiles, for a key that never outlives the call.
struct SharedKey {
    std::array<std::uint8_t, crypto_box_BEFORENMBYTES> bytes{};
    SharedKey() = default;
    SharedKey(const SharedKey&) = delete;
    SharedKey& operator=(const SharedKey&) = delete;
    ~SharedKey() { sodium_memzero(bytes.data(), bytes.size()); }

    // X25519 shared point hashed with HSalsa20 (crypto_box_beforenm). Fails only when the peer
    // key has small order, i.e. the shared point is all zeros.
    Result<void> Derive(const BoxPublicKey& peer, const SecretBytes& own_secret) {
        CONCORD_ASSERT(own_secret.Size() == crypto_box_SECRETKEYBYTES);
        if (crypto_box_beforenm(bytes.data(), peer.data(), own_secret.Data()) != 0) {
            return MakeError(ErrorCode::kInvalidArgument, "X25519 public key has small order");
        }
        return {};
    }
    [[nodiscard]] const std::uint8_t* Data() const { return bytes.data(); }
};

}  // namespace

BoxKeyPair BoxKeyPair::Generate() {
    SecretBytes secret(crypto_box_SECRETKEYBYTES);
    randombytes_buf(secret.Data(), secret.Size());
    auto pair = FromSecret(secret.Span());
    CONCORD_ASSERT(pair.has_value());
    return std::move(*pair);
}

Result<BoxKeyPair> BoxKeyPair::FromSecret(ByteSpan secret) {
    if (secret.size() != crypto_box_SECRETKEYBYTES) {
        return MakeError(ErrorCode::kInvalidArgument, "X25519 secret key must be 32 bytes");
    }
    BoxKeyPair pair;
    pair.secret_ = SecretBytes::CopyFrom(secret);
    // Fails only for a result of all zeros, impossible for a clamped scalar times the base point.
    CONCORD_ASSERT(crypto_scalarmult_base(pair.public_key_.data(), pair.secret_.Data()) == 0);
    return pair;
}

Result<Bytes> BoxSeal(
    ByteSpan plaintext,
    ByteSpan associated_data,
    const BoxPublicKey& recipient,
    const BoxKeyPair& sender
) {
    SharedKey key;
    CONCORD_RETURN_IF_ERROR(key.Derive(recipient, sender.Secret()));
    Bytes out(kNonceBytes + plaintext.size() + kTagBytes);
    // 192-bit random nonces: collisions are negligible, so no counter state is needed.
    randombytes_buf(out.data(), kNonceBytes);
    unsigned long long ciphertext_len = 0;
    CONCORD_ASSERT(
        crypto_aead_xchacha20poly1305_ietf_encrypt(
            out.data() + kNonceBytes,
            &ciphertext_len,
            NonNull(plaintext),
            plaintext.size(),
            NonNull(associated_data),
            associated_data.size(),
            nullptr,
            out.data(),
            key.Data()
        ) == 0
    );
    CONCORD_ASSERT(ciphertext_len == plaintext.size() + kTagBytes);
    return out;
}

Result<Bytes> BoxOpen(
    ByteSpan sealed,
    ByteSpan associated_data,
    const BoxPublicKey& sender,
    const BoxKeyPair& recipient
) {
    if (sealed.size() < kNonceBytes + kTagBytes) {
        return MakeError(ErrorCode::kInvalidArgument, "sealed box is shorter than nonce and tag");
    }
    SharedKey key;
    if (!key.Derive(sender, recipient.Secret())) {
        // A small-order sender key cannot have sealed anything for us.
        return MakeError(ErrorCode::kUnauthenticated, "sealed box does not authenticate");
    }
    const std::size_t ciphertext_len = sealed.size() - kNonceBytes;
    Bytes plaintext(ciphertext_len - kTagBytes);
    unsigned long long plaintext_len = 0;
    // A 1-byte buffer stands in for an empty plaintext so the pointer is never null.
    std::uint8_t empty_out = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            plaintext.empty() ? &empty_out : plaintext.data(),
            &plaintext_len,
            nullptr,
            sealed.data() + kNonceBytes,
            ciphertext_len,
            NonNull(associated_data),
            associated_data.size(),
            sealed.data(),
            key.Data()
        ) != 0) {
        return MakeError(ErrorCode::kUnauthenticated, "sealed box does not authenticate");
    }
    CONCORD_ASSERT(plaintext_len == plaintext.size());
    return plaintext;
}

}  // namespace concord::crypto
