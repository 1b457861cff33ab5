#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "concord/app/role.hpp"
#include "concord/core/result.hpp"
#include "concord/crypto/ed25519.hpp"
#include "concord/store/store.hpp"

namespace concord::app {

/// The signature domain of user certificates (docs/formats/approval.md §User certificate).
inline constexpr std::string_view kUserCertificateDomain = "concord-user-certificate-v1";

/// The longest validity period a receiver accepts in a user certificate. Receivers learn of a
/// revoked user only when the certificate expires, so issuers must keep periods short.
inline constexpr std::chrono::milliseconds kMaxCertificateValidity = std::chrono::hours(24 * 7);

/// A node's signed statement that a public key belongs to one of its users, with the user's
/// name, roles and unit, for a period (docs/formats/approval.md §User certificate).
struct UserCertificate {
    std::string node;              ///< the issuing node's id
    std::int64_t serial{0};        ///< unique per issuing node, from 1
    std::string user;              ///< the user's login
    std::string name;              ///< the user's name as people should read it
    std::vector<Role> roles;       ///< the user's roles when issued, without duplicates
    std::string party;             ///< authority: the issuing node's party (directory code)
    std::string unit;              ///< authority: the user's unit within the node (may be empty)
    crypto::PublicKey public_key;  ///< the user's Ed25519 key
    std::int64_t not_before_ms{0};
    std::int64_t not_after_ms{0};  ///< exclusive: valid for not_before <= t < not_after

    [[nodiscard]] bool Has(Role role) const;
    /// Whether `unix_ms` lies in [not_before, not_after).
    [[nodiscard]] bool ValidAt(std::int64_t unix_ms) const;
};

/// Signs `certificate` with the node's key and returns its canonical JSON text.
/// kInvalidArgument if a member breaks a rule of the format (the same rules ParseUserCertificate
/// applies).
Result<std::string> SignUserCertificate(
    const UserCertificate& certificate, const crypto::SigningKey& node_key
);

/// A certificate as read from outside: its content, the key that claims to have signed it and
/// the object itself (for checking the signature). Nothing is verified yet.
struct ParsedUserCertificate {
    UserCertificate certificate;
    crypto::PublicKey issuer_key;  ///< the "key" member
    boost::json::object object;
};

/// Parses a certificate object: every member present, typed and within its bounds, no other
/// member. kInvalidArgument naming the member. The signature is not checked.
Result<ParsedUserCertificate> ParseUserCertificate(const boost::json::object& object);
/// As above from JSON text of at most kMaxCertificateBytes.
Result<ParsedUserCertificate> ParseUserCertificate(std::string_view text);

/// Largest certificate text accepted from outside.
inline constexpr std::size_t kMaxCertificateBytes = std::size_t{8} * 1024;

/// Checks the certificate's signature under `node_key` (the directory's key of its issuer).
/// kUnauthenticated if "key" is another key or the signature does not verify.
Result<void> VerifyUserCertificateSignature(
    const ParsedUserCertificate& parsed, const crypto::PublicKey& node_key
);

/// What the node knows of a user when it certifies their key (from its user records).
struct CertifiedUser {
    std::string login;
    std::string name;
    std::vector<Role> roles;
    std::string unit;
};

/// How a node issues certificates.
struct CertifierOptions {
    std::string node_id;  ///< this node's id
    std::string party;    ///< this node's party, as the directory lists it
    /// Validity of each certificate: short, since receivers see revocation only at expiry.
    std::chrono::milliseconds validity{std::chrono::hours(24)};
    /// A certificate with less than this left is replaced by a new one at its next use, so an
    /// approval never rides on a certificate about to expire.
    std::chrono::milliseconds renew_before{std::chrono::hours(12)};
};

/// A certificate as the node issued it.
struct IssuedCertificate {
    UserCertificate certificate;
    std::string text;  ///< canonical signed JSON
};

/// One revoked certificate in the node's revocation list.
struct RevokedCertificate {
    std::int64_t serial{0};
    std::string user;
    std::int64_t not_after_ms{0};
    std::int64_t revoked_ms{0};
};

/// The node's certificate authority for its users' keys (table `app_user_certificates`).
///
/// Every call runs in the caller's transaction. Thread-safety: thread-safe.
class UserCertifier {
public:
    /// The table's migrations (component "app_user_certificates").
    static std::vector<store::Migration> Migrations();

    /// kInvalidArgument if the options are unusable (bad node id or party, validity not positive
    /// or above kMaxCertificateValidity, renew_before not below validity).
    static Result<UserCertifier> Create(
        const crypto::SigningKey& node_key, CertifierOptions options
    );

    /// A certificate that says what `user` is now, for `key`, valid at `now_ms` with at least
    /// renew_before left: the latest one issued if it still fits, else a new one. Certificates
    /// of the user that say something else (another key, name, unit or roles) are revoked in the
    /// same transaction, so a user who lost a role cannot go on using a certificate naming it.
    Result<IssuedCertificate> CertificateFor(
        store::Transaction& tx,
        const CertifiedUser& user,
        const crypto::PublicKey& key,
        std::int64_t now_ms
    ) const;

    /// Issues a new certificate valid from `now_ms` for `validity`.
    Result<IssuedCertificate> Issue(
        store::Transaction& tx,
        const CertifiedUser& user,
        const crypto::PublicKey& key,
        std::int64_t now_ms
    ) const;

    /// Revokes every certificate of `login` not yet revoked (call it when the user is disabled,
    /// loses a role or gets a new key). Returns how many were revoked.
    Result<std::int64_t> RevokeUser(
        store::Transaction& tx, std::string_view login, std::int64_t now_ms
    ) const;

    /// Whether certificate `serial` of this node was revoked; kNotFound if it never issued it.
    Result<bool> IsRevoked(store::Transaction& tx, std::int64_t serial) const;

    /// Revoked certificates that have not expired at `now_ms` (the node's revocation list).
    Result<std::vector<RevokedCertificate>> RevocationList(
        store::Transaction& tx, std::int64_t now_ms
    ) const;

private:
    UserCertifier(crypto::SigningKey key, CertifierOptions options)
        : key_(std::move(key)), options_(std::move(options)) {}

    crypto::SigningKey key_;
    CertifierOptions options_;
};

}  // namespace concord::app
