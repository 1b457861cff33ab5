#include "concord/crypto/password.hpp"

#include <string>

#include <sodium.h>

namespace concord::crypto {
namespace {

constexpr std::string_view kArgon2idPrefix = "$argon2id$";
constexpr std::size_t kDerivedKeyBytes = 32;

static_assert(crypto_pwhash_SALTBYTES == 16);

Result<void> CheckParams(const Argon2Params& params) {
    if (params.ops_limit < crypto_pwhash_argon2id_OPSLIMIT_MIN ||
        params.ops_limit > crypto_pwhash_argon2id_OPSLIMIT_MAX) {
        return MakeError(ErrorCode::kInvalidArgument, "Argon2id ops_limit out of range");
    }
    if (params.mem_limit < crypto_pwhash_argon2id_MEMLIMIT_MIN ||
        params.mem_limit > crypto_pwhash_argon2id_MEMLIMIT_MAX) {
        return MakeError(ErrorCode::kInvalidArgument, "Argon2id mem_limit out of range");
    }
    return {};
}

}  // namespace

Argon2Params MinimumArgon2Params() {
    return Argon2Params{
        .ops_limit = crypto_pwhash_argon2id_OPSLIMIT_MIN,
        .mem_limit = crypto_pwhash_argon2id_MEMLIMIT_MIN,
    };
}

Result<std::string> HashPassword(std::string_view password, const Argon2Params& params) {
    CONCORD_RETURN_IF_ERROR(CheckParams(params));
    char out[crypto_pwhash_argon2id_STRBYTES] = {};
    if (crypto_pwhash_argon2id_str(
            out,
            password.data(),
            password.size(),
            params.ops_limit,
            static_cast<std::size_t>(params.mem_limit)
        ) != 0) {
        return MakeError(ErrorCode::kUnavailable, "Argon2id could not allocate its memory");
    }
    return std::string(out);
}

Result<void> VerifyPassword(std::string_view password, std::string_view hash) {
    // crypto_pwhash_str_verify returns -1 both for a mismatch and for an unparsable string, so the
    // string is parsed first: needs_rehash returns -1 only when it cannot decode it.
    if (hash.size() >= crypto_pwhash_argon2id_STRBYTES || !hash.starts_with(kArgon2idPrefix) ||
        hash.find('\0') != std::string_view::npos) {
        return MakeError(ErrorCode::kInvalidArgument, "not an Argon2id password hash");
    }
    const std::string hash_z(hash);  // libsodium wants a NUL-terminated string
    if (crypto_pwhash_argon2id_str_needs_rehash(
            hash_z.c_str(), crypto_pwhash_argon2id_OPSLIMIT_MIN, crypto_pwhash_argon2id_MEMLIMIT_MIN
        ) < 0) {
        return MakeError(ErrorCode::kInvalidArgument, "not an Argon2id password hash");
    }
    if (crypto_pwhash_argon2id_str_verify(hash_z.c_str(), password.data(), password.size()) != 0) {
        return MakeError(ErrorCode::kUnauthenticated, "password does not match");
    }
    return {};
}

Result<SecretBytes> DeriveKey(
    std::string_view passphrase, ByteSpan salt, const Argon2Params& params
) {
    if (salt.size() != crypto_pwhash_SALTBYTES) {
        return MakeError(ErrorCode::kInvalidArgument, "Argon2id salt must be 16 bytes");
    }
    CONCORD_RETURN_IF_ERROR(CheckParams(params));
    SecretBytes key(kDerivedKeyBytes);
    if (crypto_pwhash(
            key.Data(),
            key.Size(),
            passphrase.data(),
            passphrase.size(),
            salt.data(),
            params.ops_limit,
            static_cast<std::size_t>(params.mem_limit),
            crypto_pwhash_ALG_ARGON2ID13
        ) != 0) {
        return MakeError(ErrorCode::kUnavailable, "Argon2id could not allocate its memory");
    }
    return key;
}

}  // namespace concord::crypto
