#include "concord/crypto/secret_box.hpp"

#include <sodium.h>

#include "concord/core/assert.hpp"

#include "sodium_detail.hpp"

namespace concord::crypto {
namespace {

using detail::NonNull;

constexpr std::size_t kKeyBytes = crypto_aead_xchacha20poly1305_ietf_KEYBYTES;     // 32
constexpr std::size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;  // 24
constexpr std::size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;       // 16

static_assert(crypto_kdf_KEYBYTES == 32);
static_assert(crypto_kdf_CONTEXTBYTES == 8);

Result<void> CheckKey(const SecretBytes& key) {
    if (key.Size() != kKeyBytes) {
        return MakeError(ErrorCode::kInvalidArgument, "secret box key must be 32 bytes");
    }
    return {};
}

}  // namespace

Result<SecretBytes> DeriveSubkey(
    const SecretBytes& master, std::string_view context, std::uint64_t subkey_id
) {
    if (master.Size() != crypto_kdf_KEYBYTES) {
        return MakeError(ErrorCode::kInvalidArgument, "KDF master key must be 32 bytes");
    }
    if (context.size() != crypto_kdf_CONTEXTBYTES) {
        return MakeError(ErrorCode::kInvalidArgument, "KDF context must be 8 characters");
    }
    char ctx[crypto_kdf_CONTEXTBYTES] = {};
    for (std::size_t i = 0; i < context.size(); ++i) {
        ctx[i] = context[i];
    }
    SecretBytes subkey(kKeyBytes);
    CONCORD_ASSERT(
        crypto_kdf_derive_from_key(subkey.Data(), subkey.Size(), subkey_id, ctx, master.Data()) == 0
    );
    return subkey;
}

Result<Bytes> SecretSeal(ByteSpan plaintext, ByteSpan associated_data, const SecretBytes& key) {
    CONCORD_RETURN_IF_ERROR(CheckKey(key));
    Bytes out(kNonceBytes + plaintext.size() + kTagBytes);
    // 192-bit random nonces: collisions are negligible without counter state.
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

Result<SecretBytes> SecretOpen(ByteSpan sealed, ByteSpan associated_data, const SecretBytes& key) {
    CONCORD_RETURN_IF_ERROR(CheckKey(key));
    if (sealed.size() < kNonceBytes + kTagBytes) {
        return MakeError(ErrorCode::kInvalidArgument, "sealed secret too short");
    }
    SecretBytes out(sealed.size() - kNonceBytes - kTagBytes);
    unsigned long long plaintext_len = 0;
    std::uint8_t empty = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            out.Empty() ? &empty : out.Data(),
            &plaintext_len,
            nullptr,
            sealed.data() + kNonceBytes,
            sealed.size() - kNonceBytes,
            NonNull(associated_data),
            associated_data.size(),
            sealed.data(),
            key.Data()
        ) != 0) {
        return MakeError(ErrorCode::kUnauthenticated, "sealed secret does not open under this key");
    }
    CONCORD_ASSERT(plaintext_len == out.Size());
    return out;
}

}  // namespace concord::crypto
