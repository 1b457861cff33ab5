#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "concord/app/actor.hpp"
#include "concord/app/users.hpp"
#include "concord/core/concurrency_limit.hpp"
#include "concord/core/mutex.hpp"
#include "concord/core/result.hpp"
#include "concord/store/store.hpp"

namespace concord::app {

/// A session just opened: the token is returned once (the cookie value) and stored only as its
/// SHA-256.
struct NewSession {
    std::string token;       ///< 64 hex characters (32 random bytes)
    std::string csrf_token;  ///< to send back in X-CSRF-Token on state-changing requests
    Actor actor;
    std::int64_t expires_ms{0};       ///< absolute limit
    std::int64_t idle_expires_ms{0};  ///< ends earlier when unused until then
};

/// A session presented with a request.
struct SessionInfo {
    Actor actor;
    std::string csrf_token;
    std::int64_t created_ms{0};
    std::int64_t expires_ms{0};
    std::int64_t idle_expires_ms{0};  ///< after this request
};

/// Sign-in with password and TOTP, sessions with idle and absolute limits, logout
/// (table `people_sessions`).
///
/// Login answers every failure with the same kUnauthenticated "invalid credentials": unknown
/// user, wrong password, wrong or reused code, locked or disabled account. An unknown login costs
/// the same Argon2id work as a known one. `PeopleOptions::max_failed_logins` consecutive failures
/// lock the account for `lockout`. Audit leaves: `session.login`, `session.login_failed` (with
/// the reason, for auditors only; no login when the user is unknown), `user.locked`,
/// `session.logout`.
///
/// The CSRF token of a session is derived from its token (SHA-256 over a label and the token),
/// so it is stored nowhere and a client that lost it can ask for it again with the cookie.
///
/// Lifetime: borrows `users`, which must outlive it. Thread-safe.
class Sessions {
public:
    /// The decoy hash that unknown logins are checked against is made at the first Login (one
    /// Argon2id hash), so that starting a node costs no hashing.
    static Result<std::unique_ptr<Sessions>> Create(Users& users);

    /// Signs in. kUnauthenticated "invalid credentials" on any failure (see above); kUnavailable
    /// when `PeopleOptions::max_concurrent_password_checks` sign-ins are already being checked
    /// (nothing is read, written or counted as a failure then: the client tries again later).
    Result<NewSession> Login(
        std::string_view login, std::string_view password, std::string_view code
    );
    /// Changes the password of the user of session `token`, who proves it again with the
    /// current password and a fresh code (a failure counts towards the lockout like a failed
    /// sign-in, audit leaf `user.password_change_failed`). The new password has 12 to 1024 bytes
    /// of UTF-8 with at least 12 characters, no control characters, and is neither the login nor
    /// the current password (kInvalidArgument, nothing changed). On success every session of the
    /// user ends, this one too (leaf `user.password_changed`). kUnauthenticated without a valid
    /// session or with wrong credentials; kUnavailable as for Login.
    Result<void> ChangePassword(
        std::string_view token,
        std::string_view current_password,
        std::string_view code,
        std::string_view new_password
    );
    /// The session of `token`, refreshing its idle limit. kUnauthenticated if unknown, expired
    /// (idle or absolute; an expired session is deleted) or its user is disabled.
    Result<SessionInfo> Authenticate(std::string_view token);
    /// Ends the session of `token`. kUnauthenticated if there is none.
    Result<void> Logout(std::string_view token);

    /// The CSRF token of the session `token`.
    static std::string CsrfToken(std::string_view token);
    /// Whether `presented` is the CSRF token of the session `token` (constant time).
    static bool CheckCsrf(std::string_view token, std::string_view presented);

    /// The sign-ins being checked now, out of the limit (for metrics and tests).
    ConcurrencyLimit& PasswordChecks() { return password_checks_; }

private:
    // Credentials checked, the code's step consumed in `tx`, which the caller commits with its
    // own writes.
    struct Checked {
        std::unique_ptr<store::Transaction> tx;
        Actor actor;
    };

    explicit Sessions(Users& users);
    // Password and code of `login`: Checked, or kUnauthenticated "invalid credentials" after the
    // failure was recorded (leaf `failure_event`, failed attempts, lockout) and committed.
    Result<Checked> CheckCredentials(
        std::string_view login,
        std::string_view password,
        std::string_view code,
        std::string_view failure_event
    );
    Result<std::string> DecoyHash() CONCORD_EXCLUDES(decoy_mu_);

    Users& users_;
    ConcurrencyLimit password_checks_;
    Mutex decoy_mu_;
    std::string decoy_hash_ CONCORD_GUARDED_BY(decoy_mu_);
};

/// SHA-256 of a presented secret (session or personal token), as the tables store it.
Bytes SecretTokenHash(std::string_view token);

}  // namespace concord::app
