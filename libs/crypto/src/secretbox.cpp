#include "concord/crypto/secretbox.hpp"

#include <sodium.h>

#include "concord/core/assert.hpp"

#include "sodium_detail.hpp"

namespace concord::crypto {
namespace {

using detail::NonNull;

constexpr std::size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;  // 24
constexpr std::size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;       // 16
static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == kSecretKeyBytes);
static_assert(crypto_generichash_KEYBYTES_MIN == 16 && crypto_generichash_KEYBYTES_MAX == 64);

Error KeySizeError() {
    return MakeError(ErrorCode::kInvalidArgument, "secret seal key must be 32 bytes");
}

}  // namespace

Result<SecretBytes> DeriveSubkey(const SecretBytes& master, std::string_view label) {
    if (master.size() < crypto_generichash_KEYBYTES_MIN ||
        master.size() > crypto_generichash_KEYBYTES_MAX) {
        return MakeError(
            ErrorCode::kInvalidArgument, "subkey derivation needs a master secret of 16 to 64 bytes"
        );
    }
    if (label.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "subkey derivation needs a label");
    }
    SecretBytes out(kSecretKeyBytes);
    const ByteSpan message = AsBytes(label);
    CONCORD_ASSERT(
        crypto_generichash(
            out.data(), out.size(), message.data(), message.size(), master.data(), master.size()
        ) == 0
    );
    return out;
}

Result<Bytes> SecretSeal(const SecretBytes& key, ByteSpan plaintext, ByteSpan associated_data) {
    if (key.size() != kSecretKeyBytes) {
        return KeySizeError();
    }
    Bytes out(kNonceBytes + plaintext.size() + kTagBytes);
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
            key.data()
        ) == 0
    );
    CONCORD_ASSERT(ciphertext_len == plaintext.size() + kTagBytes);
    return out;
}

Result<SecretBytes> SecretOpen(const SecretBytes& key, ByteSpan sealed, ByteSpan associated_data) {
    if (key.size() != kSecretKeyBytes) {
        return KeySizeError();
    }
    if (sealed.size() < kNonceBytes + kTagBytes) {
        return MakeError(ErrorCode::kInvalidArgument, "sealed secret is too short");
    }
    const std::size_t plain_size = sealed.size() - kNonceBytes - kTagBytes;
    // SecretBytes(0) would hold no memory to write to; give the empty plaintext one byte.
    SecretBytes out(plain_size == 0 ? 1 : plain_size);
    unsigned long long plain_len = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            out.data(),
            &plain_len,
            nullptr,
            sealed.data() + kNonceBytes,
            sealed.size() - kNonceBytes,
            NonNull(associated_data),
            associated_data.size(),
            sealed.data(),
            key.data()
        ) != 0) {
        return MakeError(
            ErrorCode::kUnauthenticated, "sealed secret does not open under this key and context"
        );
    }
    CONCORD_ASSERT(plain_len == plain_size);
    if (plain_size == 0) {
        return SecretBytes();
    }
    return out;
}

}  // namespace concord::crypto
