#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "concord/core/bytes.hpp"
#include "concord/core/result.hpp"
#include "concord/crypto/ed25519.hpp"
#include "concord/crypto/secret_bytes.hpp"
#include "concord/store/store.hpp"

namespace concord::app {

/// Checks a user's login as approvals and certificates carry it: 1 to 64 characters of
/// `A-Z a-z 0-9 . _ @ -`. kInvalidArgument otherwise.
Result<void> CheckLogin(std::string_view login);

/// Each user's own Ed25519 key (docs/formats/approval.md §User keys), kept in the node's store
/// (table `app_user_keys`).
///
/// A key is created on first use. Its 32-byte seed is stored sealed (crypto::SecretSeal) under
/// the node data key, a subkey of the node's signing seed (label "concord-user-keys-v1"), with
/// the associated data "concord-user-key-v1" ‖ 0x0A ‖ login ‖ 0x0A ‖ public key, so a sealed
/// seed cannot be moved to another user's row. The secret never leaves this class except as a
/// `crypto::SigningKey` handed to the caller for one signature.
///
/// Every call runs in the caller's transaction (one business step, one transaction).
/// Thread-safety: thread-safe (no mutable state of its own).
class UserKeys {
public:
    /// The table's migrations (component "app_user_keys").
    static std::vector<store::Migration> Migrations();

    /// `node_signing_key`: the node's own signing key, from which the data key is derived. The
    /// key is not kept; changing the node's signing key makes stored user keys unreadable
    /// (kUnauthenticated), and Replace creates new ones.
    explicit UserKeys(const crypto::SigningKey& node_signing_key);

    /// The user's key, created and stored on first use. kInvalidArgument for a bad login;
    /// kUnauthenticated if the stored seed does not open under this node's data key; store
    /// errors as they come.
    Result<crypto::SigningKey> KeyFor(store::Transaction& tx, std::string_view login) const;

    /// The user's public key (created on first use, as KeyFor).
    Result<crypto::PublicKey> PublicKeyFor(store::Transaction& tx, std::string_view login) const;

    /// Signs `message` with the user's key (created on first use).
    Result<crypto::Signature> Sign(store::Transaction& tx, std::string_view login, ByteSpan message)
        const;

    /// Replaces the user's key with a new one (suspected compromise, a new node key); returns the
    /// new public key. Certificates of the old key stay as they are: revoke them
    /// (UserCertifier::RevokeUser) in the same transaction.
    Result<crypto::PublicKey> Replace(store::Transaction& tx, std::string_view login) const;

private:
    Result<crypto::SigningKey> Create(store::Transaction& tx, std::string_view login, bool replace)
        const;

    crypto::SecretBytes data_key_;
};

}  // namespace concord::app
