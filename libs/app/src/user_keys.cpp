#include "concord/app/user_keys.hpp"

#include <string>

#include "concord/core/assert.hpp"
#include "concord/core/time.hpp"
#include "concord/crypto/secret_box.hpp"

namespace concord::app {
namespace {

// The data key: libsodium crypto_kdf subkey 1 of the node signing seed under context "userkeys".
constexpr std::string_view kDataKeyContext = "userkeys";
constexpr std::uint64_t kDataKeyId = 1;
constexpr std::string_view kSealContext = "concord-user-key-v1";
constexpr std::size_t kMaxLoginBytes = 64;

// `integer` and `bytes` are the backend's 64-bit integer and byte-string types.
std::string Schema(const std::string& integer, const std::string& bytes) {
    return "CREATE TABLE app_user_keys (login TEXT PRIMARY KEY, public_key " + bytes +
           " NOT NULL, sealed_seed " + bytes + " NOT NULL, created_ms " + integer + " NOT NULL)";
}

// What the sealed seed is bound to: its row's login and public key.
Bytes SealAssociatedData(std::string_view login, const crypto::PublicKey& key) {
    std::string ad(kSealContext);
    ad += '\n';
    ad += login;
    ad += '\n';
    Bytes out = ToBytes(ad);
    out.insert(out.end(), key.Bytes().begin(), key.Bytes().end());
    return out;
}

}  // namespace

Result<void> CheckLogin(std::string_view login) {
    if (login.empty() || login.size() > kMaxLoginBytes) {
        return MakeError(ErrorCode::kInvalidArgument, "login must be 1 to 64 characters");
    }
    for (char c : login) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '@' || c == '-';
        if (!ok) {
            return MakeError(
                ErrorCode::kInvalidArgument, "login may hold only A-Z a-z 0-9 . _ @ -"
            );
        }
    }
    return {};
}

std::vector<store::Migration> UserKeys::Migrations() {
    return {
        store::Migration{"app_user_keys", 1, Schema("INTEGER", "BLOB"), Schema("BIGINT", "BYTEA")}};
}

UserKeys::UserKeys(const crypto::SigningKey& node_signing_key) {
    auto key = crypto::DeriveSubkey(node_signing_key.Seed(), kDataKeyContext, kDataKeyId);
    // A signing seed is always 32 bytes and the label is not empty.
    CONCORD_ASSERT(key.has_value());
    data_key_ = std::move(*key);
}

Result<crypto::SigningKey> UserKeys::Create(
    store::Transaction& tx, std::string_view login, bool replace
) const {
    crypto::SigningKey key = crypto::SigningKey::Generate();
    CONCORD_ASSIGN_OR_RETURN(
        Bytes sealed,
        crypto::SecretSeal(key.Seed().Span(), SealAssociatedData(login, key.PublicKey()), data_key_)
    );
    const auto& pub = key.PublicKey().Bytes();
    const std::string sql =
        replace ? "INSERT INTO app_user_keys (login, public_key, sealed_seed, created_ms)"
                  " VALUES ($1, $2, $3, $4) ON CONFLICT (login) DO UPDATE SET"
                  " public_key = excluded.public_key, sealed_seed = excluded.sealed_seed,"
                  " created_ms = excluded.created_ms"
                : "INSERT INTO app_user_keys (login, public_key, sealed_seed, created_ms)"
                  " VALUES ($1, $2, $3, $4) ON CONFLICT (login) DO NOTHING";
    CONCORD_ASSIGN_OR_RETURN(
        std::int64_t changed,
        tx.Execute(
            sql, {std::string(login), Bytes(pub.begin(), pub.end()), std::move(sealed), NowMillis()}
        )
    );
    if (changed == 0) {
        // Another transaction created the user's key first: use that one.
        return KeyFor(tx, login);
    }
    return key;
}

Result<crypto::SigningKey> UserKeys::KeyFor(store::Transaction& tx, std::string_view login) const {
    CONCORD_RETURN_IF_ERROR(CheckLogin(login));
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query(
            "SELECT public_key, sealed_seed FROM app_user_keys WHERE login = $1",
            {std::string(login)}
        )
    );
    if (rows.empty()) {
        return Create(tx, login, false);
    }
    auto public_key = crypto::PublicKey::FromBytes(rows.front().Blob(0));
    if (!public_key) {
        return MakeError(
            ErrorCode::kCorruption,
            "stored public key of user '" + std::string(login) + "' is invalid"
        );
    }
    auto seed =
        crypto::SecretOpen(rows.front().Blob(1), SealAssociatedData(login, *public_key), data_key_);
    if (!seed) {
        return MakeError(
            ErrorCode::kUnauthenticated,
            "the key of user '" + std::string(login) +
                "' does not open under this node's data key (was the node key changed?)"
        );
    }
    CONCORD_ASSIGN_OR_RETURN(crypto::SigningKey key, crypto::SigningKey::FromSeed(seed->Span()));
    if (!(key.PublicKey() == *public_key)) {
        return MakeError(
            ErrorCode::kCorruption,
            "stored key of user '" + std::string(login) + "' does not match its public key"
        );
    }
    return key;
}

Result<crypto::PublicKey> UserKeys::PublicKeyFor(store::Transaction& tx, std::string_view login)
    const {
    CONCORD_ASSIGN_OR_RETURN(crypto::SigningKey key, KeyFor(tx, login));
    return key.PublicKey();
}

Result<crypto::Signature> UserKeys::Sign(
    store::Transaction& tx, std::string_view login, ByteSpan message
) const {
    CONCORD_ASSIGN_OR_RETURN(crypto::SigningKey key, KeyFor(tx, login));
    return key.Sign(message);
}

Result<crypto::PublicKey> UserKeys::Replace(store::Transaction& tx, std::string_view login) const {
    CONCORD_RETURN_IF_ERROR(CheckLogin(login));
    CONCORD_ASSIGN_OR_RETURN(crypto::SigningKey key, Create(tx, login, true));
    return key.PublicKey();
}

}  // namespace concord::app
