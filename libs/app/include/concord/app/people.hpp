#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "concord/core/result.hpp"
#include "concord/crypto/password.hpp"
#include "concord/store/store.hpp"

namespace concord::app {

/// Appends one audit leaf inside the caller's transaction. In a node this is
/// `federation::Node::AppendEvent(tx, leaf)`; tests record the leaves. Leaves carry metadata
/// only, never a password, code, token or secret.
using AuditAppender =
    std::function<Result<void>(store::Transaction& tx, const boost::json::object& leaf)>;

/// Settings of a node's people: password hashing, lockout, session and token limits
/// (docs/operations.md "Users and sign-in"; the server reads them from the [people] section).
struct PeopleOptions {
    crypto::Argon2Params argon2;  ///< cost of password hashes
    int max_failed_logins{5};     ///< consecutive failures that lock an account
    /// Sign-ins whose password is checked at the same time; more are refused (kUnavailable).
    int max_concurrent_password_checks{2};
    std::chrono::milliseconds lockout{std::chrono::minutes(15)};
    std::chrono::milliseconds session_idle{std::chrono::minutes(15)};
    std::chrono::milliseconds session_absolute{std::chrono::hours(12)};
    /// Longest lifetime a personal API token may be given.
    std::chrono::milliseconds token_max_lifetime{std::chrono::hours(24 * 366)};
    /// Issuer named in otpauth:// URIs (the node id).
    std::string totp_issuer{"Concord"};
    /// The clock, in Unix milliseconds (tests replace it).
    std::function<std::int64_t()> now_ms;
};

/// The tables of users, sessions and personal API tokens (component "people";
/// docs/formats/store.md).
std::vector<store::Migration> PeopleMigrations();

}  // namespace concord::app
