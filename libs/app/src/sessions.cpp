#include "concord/app/sessions.hpp"

#include <algorithm>

#include "concord/app/totp.hpp"
#include "concord/core/log.hpp"
#include "concord/core/utf8.hpp"
#include "concord/crypto/compare.hpp"
#include "concord/crypto/password.hpp"
#include "concord/crypto/random.hpp"
#include "concord/crypto/sha256.hpp"

namespace concord::app {
namespace {

constexpr std::string_view kInvalidCredentials = "invalid credentials";
constexpr std::size_t kTokenBytes = 32;
constexpr std::size_t kMinPasswordCharacters = 12;
constexpr std::size_t kMaxPasswordBytes = 1024;
constexpr std::string_view kCsrfLabel = "concord-csrf-v1\n";

Error InvalidCredentials() {
    return MakeError(ErrorCode::kUnauthenticated, std::string(kInvalidCredentials));
}

Error Busy() {
    return MakeError(
        ErrorCode::kUnavailable, "too many sign-ins are being checked; try again in a moment"
    );
}

Error NoSession() {
    return MakeError(ErrorCode::kUnauthenticated, "no valid session");
}

// A password a user chooses: 12 to 1024 bytes of UTF-8 with at least 12 characters, no
// control characters, and not the login itself.
Result<void> CheckNewPassword(std::string_view login, std::string_view password) {
    auto refuse = [](std::string why) {
        return MakeError(ErrorCode::kInvalidArgument, "new password: " + std::move(why));
    };
    if (password.size() > kMaxPasswordBytes) {
        return refuse("at most " + std::to_string(kMaxPasswordBytes) + " bytes");
    }
    if (!IsValidUtf8(password)) {
        return refuse("not valid UTF-8");
    }
    std::size_t characters = 0;
    for (std::size_t pos = 0; pos < password.size();) {
        const std::size_t len = Utf8SequenceLength(password, pos);
        const char32_t c = DecodeUtf8(password, pos, len);
        if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
            return refuse("control characters are not allowed");
        }
        ++characters;
        pos += len;
    }
    if (characters < kMinPasswordCharacters) {
        return refuse("at least " + std::to_string(kMinPasswordCharacters) + " characters");
    }
    if (password == login) {
        return refuse("must not be the login");
    }
    return {};
}

bool IsHexToken(std::string_view token) {
    return token.size() == 2 * kTokenBytes &&
           token.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

}  // namespace

Bytes SecretTokenHash(std::string_view token) {
    const crypto::Hash256 digest = crypto::Sha256(AsBytes(token));
    return Bytes(digest.begin(), digest.end());
}

std::string Sessions::CsrfToken(std::string_view token) {
    crypto::Sha256Hasher hasher;
    hasher.Update(AsBytes(kCsrfLabel)).Update(AsBytes(token));
    const crypto::Hash256 digest = hasher.Finish();
    return HexEncode(digest);
}

bool Sessions::CheckCsrf(std::string_view token, std::string_view presented) {
    const std::string expected = CsrfToken(token);
    return crypto::ConstantTimeEqual(AsBytes(expected), AsBytes(presented));
}

Sessions::Sessions(Users& users)
    : users_(users), password_checks_(users.Options().max_concurrent_password_checks) {}

Result<std::unique_ptr<Sessions>> Sessions::Create(Users& users) {
    return std::unique_ptr<Sessions>(new Sessions(users));
}

Result<std::string> Sessions::DecoyHash() {
    MutexLock lock(decoy_mu_);
    if (decoy_hash_.empty()) {
        const Bytes random = crypto::RandomBytes(kTokenBytes);
        CONCORD_ASSIGN_OR_RETURN(
            decoy_hash_, crypto::HashPassword(HexEncode(random), users_.Options().argon2)
        );
    }
    return decoy_hash_;
}

Result<NewSession> Sessions::Login(
    std::string_view login, std::string_view password, std::string_view code
) {
    // Refused before anything is read: a flood of sign-ins must not queue up Argon2id work.
    const auto slot = password_checks_.TryEnter();
    if (!slot) {
        return Busy();
    }
    CONCORD_ASSIGN_OR_RETURN(
        Checked checked, CheckCredentials(login, password, code, "session.login_failed")
    );
    const std::int64_t now = users_.Now();
    const Bytes random = crypto::RandomBytes(kTokenBytes);
    NewSession session;
    session.token = HexEncode(random);
    session.csrf_token = CsrfToken(session.token);
    session.actor = checked.actor;
    session.expires_ms = now + users_.Options().session_absolute.count();
    session.idle_expires_ms =
        std::min(session.expires_ms, now + users_.Options().session_idle.count());
    CONCORD_RETURN_IF_ERROR(checked.tx->Execute(
        "INSERT INTO people_sessions (token_sha256, login, created_ms, last_seen_ms, "
        "expires_ms) VALUES ($1, $2, $3, $3, $4)",
        {SecretTokenHash(session.token), std::string(login), now, session.expires_ms}
    ));
    boost::json::object leaf;
    leaf["event"] = "session.login";
    CONCORD_RETURN_IF_ERROR(users_.Audit(*checked.tx, std::move(leaf), checked.actor));
    CONCORD_RETURN_IF_ERROR(checked.tx->Commit());
    return session;
}

Result<void> Sessions::ChangePassword(
    std::string_view token,
    std::string_view current_password,
    std::string_view code,
    std::string_view new_password
) {
    CONCORD_ASSIGN_OR_RETURN(const SessionInfo info, Authenticate(token));
    const std::string login = info.actor.user_id;
    CONCORD_RETURN_IF_ERROR(CheckNewPassword(login, new_password));
    if (new_password == current_password) {
        return MakeError(
            ErrorCode::kInvalidArgument, "the new password must differ from the current one"
        );
    }
    const auto slot = password_checks_.TryEnter();
    if (!slot) {
        return Busy();
    }
    // Hashed before the check's transaction: Argon2id takes long and SQLite has one writer.
    CONCORD_ASSIGN_OR_RETURN(
        const std::string hash, crypto::HashPassword(new_password, users_.Options().argon2)
    );
    CONCORD_ASSIGN_OR_RETURN(
        Checked checked,
        CheckCredentials(login, current_password, code, "user.password_change_failed")
    );
    CONCORD_RETURN_IF_ERROR(checked.tx->Execute(
        "UPDATE people_users SET password_hash = $1 WHERE login = $2", {hash, login}
    ));
    // Every session of the user ends, this one too: whoever held the old password is out.
    CONCORD_RETURN_IF_ERROR(
        checked.tx->Execute("DELETE FROM people_sessions WHERE login = $1", {login})
    );
    boost::json::object leaf;
    leaf["event"] = "user.password_changed";
    leaf["login"] = login;
    CONCORD_RETURN_IF_ERROR(users_.Audit(*checked.tx, std::move(leaf), checked.actor));
    return checked.tx->Commit();
}

Result<Sessions::Checked> Sessions::CheckCredentials(
    std::string_view login,
    std::string_view password,
    std::string_view code,
    std::string_view failure_event
) {
    const std::int64_t now = users_.Now();
    std::optional<Credentials> credentials;
    {
        CONCORD_ASSIGN_OR_RETURN(auto tx, users_.Store().Begin());
        CONCORD_ASSIGN_OR_RETURN(credentials, users_.LoadCredentials(*tx, login));
    }
    // The slow checks run outside any transaction. Both run for every attempt, known user or
    // not, so the time taken does not tell them apart.
    CONCORD_ASSIGN_OR_RETURN(const std::string decoy, DecoyHash());
    const bool password_ok =
        crypto::VerifyPassword(password, credentials ? credentials->password_hash : decoy)
            .has_value();
    std::optional<std::int64_t> step;
    std::string reason;
    if (credentials) {
        auto secret = users_.OpenTotpSecret(login, credentials->totp_sealed);
        if (secret) {
            auto matched =
                VerifyTotp(secret->Span(), code, now / 1000, credentials->totp_last_step);
            if (matched) {
                step = *matched;
            }
        } else {
            log::Error(
                "people: a TOTP secret does not open under the node key", {{"login", login}}
            );
            reason = "secret_unreadable";
        }
    } else {
        const Bytes decoy_secret = crypto::RandomBytes(kTotpSecretBytes);
        (void)VerifyTotp(decoy_secret, code, now / 1000, 0);
    }

    CONCORD_ASSIGN_OR_RETURN(auto tx, users_.Store().Begin());
    if (!credentials) {
        boost::json::object leaf;
        leaf["event"] = failure_event;
        leaf["reason"] = "unknown_user";
        CONCORD_RETURN_IF_ERROR(users_.Audit(*tx, std::move(leaf), Actor::Node()));
        CONCORD_RETURN_IF_ERROR(tx->Commit());
        return InvalidCredentials();
    }
    const UserInfo& user = credentials->user;
    const Actor actor = Users::UserActor(user, user.roles);
    if (user.disabled) {
        reason = "disabled";
    } else if (user.locked_until_ms > now) {
        reason = "locked";
    } else if (!password_ok) {
        reason = "password";
    } else if (!step && reason.empty()) {
        reason = "code";
    }
    if (reason.empty()) {
        // Conditional on the step so that one code is accepted once even by two concurrent
        // sign-ins, and on the state read above.
        CONCORD_ASSIGN_OR_RETURN(
            std::int64_t updated,
            tx->Execute(
                "UPDATE people_users SET failed_attempts = 0, totp_last_step = $1 "
                "WHERE login = $2 AND totp_last_step < $1 AND disabled = 0 "
                "AND locked_until_ms <= $3",
                {*step, std::string(login), now}
            )
        );
        if (updated == 1) {
            return Checked{std::move(tx), actor};
        }
        reason = "code";
    }
    boost::json::object leaf;
    leaf["event"] = failure_event;
    leaf["login"] = login;
    leaf["reason"] = reason;
    CONCORD_RETURN_IF_ERROR(users_.Audit(*tx, std::move(leaf), Actor::Node()));
    if (reason != "disabled" && reason != "locked") {
        CONCORD_ASSIGN_OR_RETURN(
            auto rows,
            tx->Query(
                "UPDATE people_users SET failed_attempts = failed_attempts + 1 WHERE login = $1 "
                "RETURNING failed_attempts",
                {std::string(login)}
            )
        );
        if (!rows.empty() && rows[0].Int(0) >= users_.Options().max_failed_logins) {
            const std::int64_t until = now + users_.Options().lockout.count();
            CONCORD_RETURN_IF_ERROR(tx->Execute(
                "UPDATE people_users SET failed_attempts = 0, locked_until_ms = $1 "
                "WHERE login = $2",
                {until, std::string(login)}
            ));
            boost::json::object locked;
            locked["event"] = "user.locked";
            locked["login"] = login;
            locked["until_ms"] = until;
            CONCORD_RETURN_IF_ERROR(users_.Audit(*tx, std::move(locked), Actor::Node()));
        }
    }
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    return InvalidCredentials();
}

Result<SessionInfo> Sessions::Authenticate(std::string_view token) {
    if (!IsHexToken(token)) {
        return NoSession();
    }
    const std::int64_t now = users_.Now();
    const Bytes hash = SecretTokenHash(token);
    CONCORD_ASSIGN_OR_RETURN(auto tx, users_.Store().Begin());
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx->Query(
            "SELECT login, created_ms, last_seen_ms, expires_ms FROM people_sessions "
            "WHERE token_sha256 = $1",
            {hash}
        )
    );
    if (rows.empty()) {
        return NoSession();
    }
    const std::string login = rows[0].Text(0);
    SessionInfo info;
    info.created_ms = rows[0].Int(1);
    const std::int64_t last_seen = rows[0].Int(2);
    info.expires_ms = rows[0].Int(3);
    CONCORD_ASSIGN_OR_RETURN(auto credentials, users_.LoadCredentials(*tx, login));
    const auto idle = users_.Options().session_idle.count();
    if (!credentials || credentials->user.disabled || now >= info.expires_ms ||
        now >= last_seen + idle) {
        CONCORD_RETURN_IF_ERROR(
            tx->Execute("DELETE FROM people_sessions WHERE token_sha256 = $1", {hash})
        );
        CONCORD_RETURN_IF_ERROR(tx->Commit());
        return NoSession();
    }
    CONCORD_RETURN_IF_ERROR(tx->Execute(
        "UPDATE people_sessions SET last_seen_ms = $1 WHERE token_sha256 = $2", {now, hash}
    ));
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    info.actor = Users::UserActor(credentials->user, credentials->user.roles);
    info.csrf_token = CsrfToken(token);
    info.idle_expires_ms = std::min(info.expires_ms, now + idle);
    return info;
}

Result<void> Sessions::Logout(std::string_view token) {
    if (!IsHexToken(token)) {
        return NoSession();
    }
    const Bytes hash = SecretTokenHash(token);
    CONCORD_ASSIGN_OR_RETURN(auto tx, users_.Store().Begin());
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx->Query("DELETE FROM people_sessions WHERE token_sha256 = $1 RETURNING login", {hash})
    );
    if (rows.empty()) {
        return NoSession();
    }
    CONCORD_ASSIGN_OR_RETURN(auto credentials, users_.LoadCredentials(*tx, rows[0].Text(0)));
    Actor actor;
    actor.kind = Actor::Kind::kUser;
    actor.user_id = rows[0].Text(0);
    if (credentials) {
        actor = Users::UserActor(credentials->user, credentials->user.roles);
    }
    boost::json::object leaf;
    leaf["event"] = "session.logout";
    CONCORD_RETURN_IF_ERROR(users_.Audit(*tx, std::move(leaf), actor));
    return tx->Commit();
}

}  // namespace concord::app
