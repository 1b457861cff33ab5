#include "concord/app/users.hpp"

#include <algorithm>

#include "concord/app/policy.hpp"
#include "concord/app/qr.hpp"
#include "concord/app/totp.hpp"
#include "concord/core/time.hpp"
#include "concord/core/utf8.hpp"
#include "concord/crypto/password.hpp"
#include "concord/crypto/random.hpp"
#include "concord/crypto/secret_box.hpp"

namespace concord::app {
namespace {

// Purpose of the key derived from the node seed to seal TOTP secrets (crypto_kdf context).
constexpr std::string_view kTotpKeyContext = "totpseal";
constexpr std::uint64_t kTotpKeyId = 1;
constexpr std::size_t kMaxDisplayName = 200;

std::string SealContext(std::string_view login) {
    return "concord-totp-v1:" + std::string(login);
}

// 20 characters of a 32-letter alphabet without look-alikes (100 bits), in groups of four.
std::string RandomPassword() {
    static constexpr std::string_view kAlphabet = "abcdefghjkmnpqrstuvwxyz23456789A";
    std::string out;
    for (int i = 0; i < 20; ++i) {
        if (i > 0 && i % 4 == 0) {
            out += '-';
        }
        out += kAlphabet[crypto::RandomUniform(32)];
    }
    return out;
}

constexpr std::string_view kUserColumns =
    "login, display_name, unit, roles, disabled, created_ms, locked_until_ms, failed_attempts";

UserInfo ReadUser(const store::Row& r) {
    UserInfo u;
    u.login = r.Text(0);
    u.display_name = r.Text(1);
    u.unit = r.Text(2);
    // Stored roles were checked when written; an unknown name (a role removed since) is dropped.
    std::string_view text = r.Text(3);
    while (!text.empty()) {
        const auto comma = text.find(',');
        auto role = ParseRole(text.substr(0, comma));
        if (role) {
            u.roles.push_back(*role);
        }
        text = comma == std::string_view::npos ? "" : text.substr(comma + 1);
    }
    u.disabled = r.Int(4) != 0;
    u.created_ms = r.Int(5);
    u.locked_until_ms = r.Int(6);
    u.failed_attempts = static_cast<int>(r.Int(7));
    return u;
}

Result<void> CheckDisplayName(std::string_view name) {
    if (name.empty() || name.size() > kMaxDisplayName || !IsValidUtf8(name)) {
        return MakeError(ErrorCode::kInvalidArgument, "display name must be 1-200 bytes of UTF-8");
    }
    for (char c : name) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) {
            return MakeError(
                ErrorCode::kInvalidArgument, "display name must not contain control characters"
            );
        }
    }
    return {};
}

std::string TableSql(std::string_view integer, std::string_view blob) {
    std::string sql =
        "CREATE TABLE people_users (login TEXT PRIMARY KEY, display_name TEXT NOT NULL, "
        "unit TEXT NOT NULL, roles TEXT NOT NULL, password_hash TEXT NOT NULL, "
        "totp_sealed {BLOB} NOT NULL, totp_last_step {INT} NOT NULL, "
        "failed_attempts {INT} NOT NULL, locked_until_ms {INT} NOT NULL, "
        "disabled {INT} NOT NULL, created_ms {INT} NOT NULL);"
        "CREATE TABLE people_sessions (token_sha256 {BLOB} PRIMARY KEY, login TEXT NOT NULL, "
        "created_ms {INT} NOT NULL, last_seen_ms {INT} NOT NULL, expires_ms {INT} NOT NULL);"
        "CREATE INDEX people_sessions_login ON people_sessions (login);"
        "CREATE TABLE people_tokens (id TEXT PRIMARY KEY, token_sha256 {BLOB} NOT NULL UNIQUE, "
        "login TEXT NOT NULL, name TEXT NOT NULL, roles TEXT NOT NULL, "
        "created_ms {INT} NOT NULL, expires_ms {INT} NOT NULL, revoked_ms {INT}, "
        "last_used_ms {INT});"
        "CREATE INDEX people_tokens_login ON people_tokens (login)";
    for (auto at = sql.find("{INT}"); at != std::string::npos; at = sql.find("{INT}")) {
        sql.replace(at, 5, integer);
    }
    for (auto at = sql.find("{BLOB}"); at != std::string::npos; at = sql.find("{BLOB}")) {
        sql.replace(at, 6, blob);
    }
    return sql;
}

}  // namespace

std::vector<store::Migration> PeopleMigrations() {
    return {
        store::Migration{"people", 1, TableSql("INTEGER", "BLOB"), TableSql("BIGINT", "BYTEA")}};
}

Result<void> CheckName(std::string_view what, std::string_view name) {
    bool ok = !name.empty() && name.size() <= 64;
    for (std::size_t i = 0; ok && i < name.size(); ++i) {
        const char c = name[i];
        const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        ok = alnum || (i > 0 && (c == '.' || c == '_' || c == '-'));
    }
    if (!ok) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            std::string(what) + " must be 1-64 of [a-z0-9._-], starting with a letter or digit"
        );
    }
    return {};
}

std::string JoinRoles(const std::vector<Role>& roles) {
    std::string out;
    for (Role role : roles) {
        out += (out.empty() ? "" : ",") + std::string(RoleName(role));
    }
    return out;
}

Result<std::vector<Role>> ParseRoleList(std::string_view text) {
    std::vector<Role> roles;
    while (!text.empty()) {
        const auto comma = text.find(',');
        CONCORD_ASSIGN_OR_RETURN(Role role, ParseRole(text.substr(0, comma)));
        if (std::find(roles.begin(), roles.end(), role) != roles.end()) {
            return MakeError(
                ErrorCode::kInvalidArgument, "role '" + std::string(RoleName(role)) + "' repeated"
            );
        }
        roles.push_back(role);
        text = comma == std::string_view::npos ? "" : text.substr(comma + 1);
    }
    return roles;
}

Users::Users(
    store::Store& store, crypto::SecretBytes totp_key, AuditAppender audit, PeopleOptions options
)
    : store_(store),
      totp_key_(std::move(totp_key)),
      audit_(std::move(audit)),
      options_(std::move(options)) {
    if (!options_.now_ms) {
        options_.now_ms = [] { return NowMillis(); };
    }
}

Result<std::unique_ptr<Users>> Users::Create(
    store::Store& store,
    const crypto::SecretBytes& node_seed,
    AuditAppender audit,
    PeopleOptions options
) {
    CONCORD_ASSIGN_OR_RETURN(
        crypto::SecretBytes key, crypto::DeriveSubkey(node_seed, kTotpKeyContext, kTotpKeyId)
    );
    return std::unique_ptr<Users>(
        new Users(store, std::move(key), std::move(audit), std::move(options))
    );
}

Actor Users::UserActor(const UserInfo& user, std::vector<Role> roles) {
    Actor actor;
    actor.kind = Actor::Kind::kUser;
    actor.user_id = user.login;
    actor.display_name = user.display_name;
    actor.unit = user.unit;
    actor.roles = std::move(roles);
    return actor;
}

Result<void> Users::Audit(store::Transaction& tx, boost::json::object leaf, const Actor& actor) {
    NameActor(leaf, actor);
    leaf["time"] = FormatTimestamp(Now());
    return audit_(tx, leaf);
}

Result<Enrolment> Users::NewTotp(std::string_view login, Bytes& sealed) {
    const Bytes secret = crypto::RandomBytes(kTotpSecretBytes);
    CONCORD_ASSIGN_OR_RETURN(
        sealed, crypto::SecretSeal(secret, AsBytes(SealContext(login)), totp_key_)
    );
    Enrolment e;
    e.login = login;
    e.totp_secret = Base32Encode(secret);
    e.otpauth_uri = OtpauthUri(options_.totp_issuer, login, secret);
    CONCORD_ASSIGN_OR_RETURN(QrCode qr, EncodeQr(e.otpauth_uri));
    e.qr_svg = QrSvg(qr);
    e.qr_terminal = QrTerminal(qr);
    return e;
}

Result<crypto::SecretBytes> Users::OpenTotpSecret(std::string_view login, ByteSpan sealed) const {
    return crypto::SecretOpen(sealed, AsBytes(SealContext(login)), totp_key_);
}

Result<Enrolment> Users::Add(const Actor& actor, const NewUser& user) {
    CONCORD_RETURN_IF_ERROR(Decide(actor, Action::kUserManage));
    CONCORD_RETURN_IF_ERROR(CheckName("login", user.login));
    CONCORD_RETURN_IF_ERROR(CheckName("unit", user.unit));
    CONCORD_RETURN_IF_ERROR(CheckDisplayName(user.display_name));
    if (user.roles.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "a user needs at least one role");
    }
    const std::string roles = JoinRoles(user.roles);
    CONCORD_RETURN_IF_ERROR(ParseRoleList(roles));  // refuses repeats
    Bytes sealed;
    CONCORD_ASSIGN_OR_RETURN(Enrolment enrolment, NewTotp(user.login, sealed));
    enrolment.password = RandomPassword();
    // Hashed before the transaction: Argon2id takes long and SQLite has one writer.
    CONCORD_ASSIGN_OR_RETURN(
        std::string hash, crypto::HashPassword(enrolment.password, options_.argon2)
    );
    const std::int64_t now = Now();
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    auto inserted = tx->Execute(
        "INSERT INTO people_users (login, display_name, unit, roles, password_hash, totp_sealed, "
        "totp_last_step, failed_attempts, locked_until_ms, disabled, created_ms) "
        "VALUES ($1, $2, $3, $4, $5, $6, 0, 0, 0, 0, $7)",
        {user.login, user.display_name, user.unit, roles, hash, sealed, now}
    );
    if (!inserted) {
        if (inserted.error().code == ErrorCode::kAlreadyExists) {
            return MakeError(ErrorCode::kAlreadyExists, "user '" + user.login + "' exists");
        }
        return inserted.error();
    }
    boost::json::object leaf;
    leaf["event"] = "user.added";
    leaf["login"] = user.login;
    leaf["unit"] = user.unit;
    leaf["roles"] = roles;
    CONCORD_RETURN_IF_ERROR(Audit(*tx, std::move(leaf), actor));
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    return enrolment;
}

Result<std::vector<UserInfo>> Users::List(const Actor& actor) {
    CONCORD_RETURN_IF_ERROR(Decide(actor, Action::kUserManage));
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx->Query("SELECT " + std::string(kUserColumns) + " FROM people_users ORDER BY login")
    );
    std::vector<UserInfo> users;
    users.reserve(rows.size());
    for (const auto& r : rows) {
        users.push_back(ReadUser(r));
    }
    return users;
}

Result<UserInfo> Users::Get(const Actor& actor, std::string_view login) {
    CONCORD_RETURN_IF_ERROR(Decide(actor, Action::kUserManage));
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(auto credentials, LoadCredentials(*tx, login));
    if (!credentials) {
        return MakeError(ErrorCode::kNotFound, "no user '" + std::string(login) + "'");
    }
    return credentials->user;
}

Result<std::optional<Credentials>> Users::LoadCredentials(
    store::Transaction& tx, std::string_view login
) {
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query(
            "SELECT " + std::string(kUserColumns) +
                ", password_hash, totp_sealed, totp_last_step FROM people_users WHERE login = $1",
            {std::string(login)}
        )
    );
    if (rows.empty()) {
        return std::optional<Credentials>();
    }
    Credentials c;
    c.user = ReadUser(rows[0]);
    c.password_hash = rows[0].Text(8);
    c.totp_sealed = rows[0].Blob(9);
    c.totp_last_step = rows[0].Int(10);
    return std::optional<Credentials>(std::move(c));
}

Result<void> Users::RequireUser(store::Transaction& tx, std::string_view login) {
    CONCORD_ASSIGN_OR_RETURN(
        auto rows, tx.Query("SELECT 1 FROM people_users WHERE login = $1", {std::string(login)})
    );
    if (rows.empty()) {
        return MakeError(ErrorCode::kNotFound, "no user '" + std::string(login) + "'");
    }
    return {};
}

Result<void> Users::Disable(const Actor& actor, std::string_view login) {
    CONCORD_RETURN_IF_ERROR(Decide(actor, Action::kUserManage));
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_RETURN_IF_ERROR(RequireUser(*tx, login));
    CONCORD_RETURN_IF_ERROR(
        tx->Execute("UPDATE people_users SET disabled = 1 WHERE login = $1", {std::string(login)})
    );
    CONCORD_RETURN_IF_ERROR(
        tx->Execute("DELETE FROM people_sessions WHERE login = $1", {std::string(login)})
    );
    // Revoked, not only refused while the owner is disabled: enabling the user later must not
    // bring back a token that somebody may have taken while it was refused.
    CONCORD_ASSIGN_OR_RETURN(
        auto revoked,
        tx->Query(
            "UPDATE people_tokens SET revoked_ms = $1 WHERE login = $2 AND revoked_ms IS NULL "
            "RETURNING id",
            {Now(), std::string(login)}
        )
    );
    boost::json::object leaf;
    leaf["event"] = "user.disabled";
    leaf["login"] = login;
    leaf["tokens_revoked"] = static_cast<std::int64_t>(revoked.size());
    CONCORD_RETURN_IF_ERROR(Audit(*tx, std::move(leaf), actor));
    return tx->Commit();
}

Result<void> Users::Enable(const Actor& actor, std::string_view login) {
    CONCORD_RETURN_IF_ERROR(Decide(actor, Action::kUserManage));
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_RETURN_IF_ERROR(RequireUser(*tx, login));
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx->Query(
            "UPDATE people_users SET disabled = 0, failed_attempts = 0, locked_until_ms = 0 "
            "WHERE login = $1 AND disabled = 1 RETURNING login",
            {std::string(login)}
        )
    );
    if (rows.empty()) {
        return MakeError(
            ErrorCode::kInvalidArgument, "user '" + std::string(login) + "' is not disabled"
        );
    }
    boost::json::object leaf;
    leaf["event"] = "user.enabled";
    leaf["login"] = login;
    CONCORD_RETURN_IF_ERROR(Audit(*tx, std::move(leaf), actor));
    return tx->Commit();
}

Result<Enrolment> Users::ResetPassword(const Actor& actor, std::string_view login) {
    CONCORD_RETURN_IF_ERROR(Decide(actor, Action::kUserManage));
    Enrolment enrolment;
    enrolment.login = login;
    enrolment.password = RandomPassword();
    CONCORD_ASSIGN_OR_RETURN(
        std::string hash, crypto::HashPassword(enrolment.password, options_.argon2)
    );
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_RETURN_IF_ERROR(RequireUser(*tx, login));
    CONCORD_RETURN_IF_ERROR(tx->Execute(
        "UPDATE people_users SET password_hash = $1, failed_attempts = 0, locked_until_ms = 0 "
        "WHERE login = $2",
        {hash, std::string(login)}
    ));
    CONCORD_RETURN_IF_ERROR(
        tx->Execute("DELETE FROM people_sessions WHERE login = $1", {std::string(login)})
    );
    boost::json::object leaf;
    leaf["event"] = "user.password_reset";
    leaf["login"] = login;
    CONCORD_RETURN_IF_ERROR(Audit(*tx, std::move(leaf), actor));
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    return enrolment;
}

Result<Enrolment> Users::ResetTotp(const Actor& actor, std::string_view login) {
    CONCORD_RETURN_IF_ERROR(Decide(actor, Action::kUserManage));
    Bytes sealed;
    CONCORD_ASSIGN_OR_RETURN(Enrolment enrolment, NewTotp(login, sealed));
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_RETURN_IF_ERROR(RequireUser(*tx, login));
    CONCORD_RETURN_IF_ERROR(tx->Execute(
        "UPDATE people_users SET totp_sealed = $1, totp_last_step = 0 WHERE login = $2",
        {sealed, std::string(login)}
    ));
    CONCORD_RETURN_IF_ERROR(
        tx->Execute("DELETE FROM people_sessions WHERE login = $1", {std::string(login)})
    );
    boost::json::object leaf;
    leaf["event"] = "user.totp_reset";
    leaf["login"] = login;
    CONCORD_RETURN_IF_ERROR(Audit(*tx, std::move(leaf), actor));
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    return enrolment;
}

}  // namespace concord::app
