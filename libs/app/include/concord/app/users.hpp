#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "concord/app/actor.hpp"
#include "concord/app/people.hpp"
#include "concord/app/role.hpp"
#include "concord/core/result.hpp"
#include "concord/crypto/secret_bytes.hpp"
#include "concord/store/store.hpp"

namespace concord::app {

/// A user of this node as administrators see it (no hash, no secret).
struct UserInfo {
    std::string login;
    std::string display_name;
    std::string unit;
    std::vector<Role> roles;
    bool disabled{false};
    std::int64_t created_ms{0};
    std::int64_t locked_until_ms{0};  ///< 0, or until when sign-in is refused
    int failed_attempts{0};           ///< consecutive failed sign-ins since the last success
};

/// A user to add.
struct NewUser {
    std::string login;         ///< 1–64 of [a-z0-9._-], starting with a letter or digit
    std::string display_name;  ///< 1–200 bytes of UTF-8 without control characters
    std::string unit;          ///< 1–64 of [a-z0-9._-], starting with a letter or digit
    std::vector<Role> roles;   ///< at least one, no repeats
};

/// What the administrator hands to a user after Add or a reset, shown once and stored nowhere
/// in clear: the one-time password and the TOTP enrolment (secret, otpauth:// URI, QR code).
struct Enrolment {
    std::string login;
    std::string password;     ///< empty after ResetTotp (the password is unchanged)
    std::string totp_secret;  ///< base32; empty after ResetPassword
    std::string otpauth_uri;  ///< empty after ResetPassword
    std::string qr_svg;       ///< the URI as an SVG QR code
    std::string qr_terminal;  ///< the URI as a QR code in terminal block characters
};

/// The sign-in material of one user, read by Sessions (never leaves `app`).
struct Credentials {
    UserInfo user;
    std::string password_hash;
    Bytes totp_sealed;
    std::int64_t totp_last_step{0};
};

/// The users of a node (table `people_users`): add, list, disable, reset password or second
/// factor. Passwords are Argon2id hashes; TOTP secrets are sealed (XChaCha20-Poly1305) under a
/// key derived from the node's signing seed, bound to the login. Each change commits with its
/// audit leaf (`user.added`, `user.disabled`, `user.enabled`, `user.password_reset`,
/// `user.totp_reset`) naming
/// the actor. Every method checks `Action::kUserManage` through Decide (kPermissionDenied).
///
/// Lifetime: borrows `store`, which must outlive it. Thread-safe (state is in the store).
class Users {
public:
    /// `node_seed` is the node's 32-byte Ed25519 seed. kInvalidArgument if it is not 32 bytes.
    static Result<std::unique_ptr<Users>> Create(
        store::Store& store,
        const crypto::SecretBytes& node_seed,
        AuditAppender audit,
        PeopleOptions options
    );

    /// Adds a user with a random one-time password and a new TOTP secret.
    /// kInvalidArgument for a bad field; kAlreadyExists if the login is taken.
    Result<Enrolment> Add(const Actor& actor, const NewUser& user);
    /// Every user, by login.
    Result<std::vector<UserInfo>> List(const Actor& actor);
    /// One user; kNotFound if absent.
    Result<UserInfo> Get(const Actor& actor, std::string_view login);
    /// Disables a user, ends their sessions and revokes their active personal tokens (a later
    /// Enable brings none of them back). kNotFound if absent.
    Result<void> Disable(const Actor& actor, std::string_view login);
    /// Lets a disabled user sign in again with their password and second factor, with failures
    /// and lockout cleared; their revoked tokens stay revoked. Audit leaf `user.enabled`.
    /// kNotFound if absent; kInvalidArgument if the user is not disabled.
    Result<void> Enable(const Actor& actor, std::string_view login);
    /// Sets a new random one-time password, clears failures and lockout, ends the sessions.
    Result<Enrolment> ResetPassword(const Actor& actor, std::string_view login);
    /// Sets a new TOTP secret (a new enrolment) and ends the sessions.
    Result<Enrolment> ResetTotp(const Actor& actor, std::string_view login);

    /// The sign-in material of `login` read in `tx`; nullopt if there is no such user.
    Result<std::optional<Credentials>> LoadCredentials(
        store::Transaction& tx, std::string_view login
    );
    /// Opens a sealed TOTP secret of `login`. kUnauthenticated if it was not sealed for it.
    Result<crypto::SecretBytes> OpenTotpSecret(std::string_view login, ByteSpan sealed) const;

    [[nodiscard]] store::Store& Store() { return store_; }
    [[nodiscard]] const PeopleOptions& Options() const { return options_; }
    [[nodiscard]] std::int64_t Now() const { return options_.now_ms(); }
    /// Appends `leaf` (with the actor named) in `tx`.
    Result<void> Audit(store::Transaction& tx, boost::json::object leaf, const Actor& actor);

    /// The actor a user acts as, holding `roles`.
    static Actor UserActor(const UserInfo& user, std::vector<Role> roles);

private:
    Users(
        store::Store& store,
        crypto::SecretBytes totp_key,
        AuditAppender audit,
        PeopleOptions options
    );

    Result<Enrolment> NewTotp(std::string_view login, Bytes& sealed);
    Result<void> RequireUser(store::Transaction& tx, std::string_view login);

    store::Store& store_;
    crypto::SecretBytes totp_key_;
    AuditAppender audit_;
    PeopleOptions options_;
};

/// Checks a login or unit name: 1–64 of [a-z0-9._-], starting with a letter or digit.
Result<void> CheckName(std::string_view what, std::string_view name);

/// Roles as stored: names joined by ','. ParseRoleList refuses unknown names and repeats.
std::string JoinRoles(const std::vector<Role>& roles);
Result<std::vector<Role>> ParseRoleList(std::string_view text);

}  // namespace concord::app
