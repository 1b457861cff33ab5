#include "concord/app/tokens.hpp"

#include <algorithm>

#include "concord/app/policy.hpp"
#include "concord/app/sessions.hpp"
#include "concord/core/id.hpp"
#include "concord/core/utf8.hpp"
#include "concord/crypto/random.hpp"

namespace concord::app {
namespace {

constexpr std::string_view kPrefix = "cpt_";
constexpr std::size_t kTokenBytes = 32;
constexpr std::size_t kMaxName = 100;

Result<void> CheckTokenName(std::string_view name) {
    bool ok = !name.empty() && name.size() <= kMaxName && IsValidUtf8(name);
    for (char c : name) {
        const auto u = static_cast<unsigned char>(c);
        ok = ok && u >= 0x20 && u != 0x7f;
    }
    if (!ok) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "token name must be 1-100 bytes of UTF-8 without control characters"
        );
    }
    return {};
}

TokenInfo ReadToken(const store::Row& r) {
    TokenInfo t;
    t.id = r.Text(0);
    t.login = r.Text(1);
    t.name = r.Text(2);
    auto roles = ParseRoleList(r.Text(3));
    if (roles) {
        t.roles = std::move(*roles);
    }
    t.created_ms = r.Int(4);
    t.expires_ms = r.Int(5);
    if (!r.IsNull(6)) {
        t.revoked_ms = r.Int(6);
    }
    if (!r.IsNull(7)) {
        t.last_used_ms = r.Int(7);
    }
    return t;
}

constexpr std::string_view kColumns =
    "id, login, name, roles, created_ms, expires_ms, revoked_ms, last_used_ms";

Error BadToken() {
    return MakeError(ErrorCode::kUnauthenticated, "invalid token");
}

}  // namespace

bool ApiTokens::LooksLikeToken(std::string_view token) {
    return token.starts_with(kPrefix) && token.size() == kPrefix.size() + 2 * kTokenBytes &&
           token.substr(kPrefix.size()).find_first_not_of("0123456789abcdef") ==
               std::string_view::npos;
}

Result<CreatedToken> ApiTokens::Create(const Actor& actor, const NewToken& token) {
    CONCORD_RETURN_IF_ERROR(Decide(actor, Action::kTokenManage));
    if (actor.kind != Actor::Kind::kUser) {
        return MakeError(ErrorCode::kPermissionDenied, "personal tokens belong to users");
    }
    CONCORD_RETURN_IF_ERROR(CheckTokenName(token.name));
    if (token.roles.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "a token needs at least one role");
    }
    for (Role role : token.roles) {
        if (!actor.Has(role)) {
            return MakeError(
                ErrorCode::kPermissionDenied,
                actor.Label() + " does not hold the role '" + std::string(RoleName(role)) + "'"
            );
        }
    }
    const std::string roles = JoinRoles(token.roles);
    CONCORD_RETURN_IF_ERROR(ParseRoleList(roles));  // refuses repeats
    if (token.lifetime.count() <= 0 || token.lifetime > users_.Options().token_max_lifetime) {
        return MakeError(
            ErrorCode::kInvalidArgument, "token lifetime must be positive and within the limit"
        );
    }
    const std::int64_t now = users_.Now();
    CreatedToken created;
    created.token = std::string(kPrefix) + HexEncode(crypto::RandomBytes(kTokenBytes));
    created.info.id = NewUuidV7();
    created.info.login = actor.user_id;
    created.info.name = token.name;
    created.info.roles = token.roles;
    created.info.created_ms = now;
    created.info.expires_ms = now + token.lifetime.count();
    CONCORD_ASSIGN_OR_RETURN(auto tx, users_.Store().Begin());
    CONCORD_RETURN_IF_ERROR(tx->Execute(
        "INSERT INTO people_tokens (id, token_sha256, login, name, roles, created_ms, expires_ms) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7)",
        {created.info.id,
         SecretTokenHash(created.token),
         actor.user_id,
         token.name,
         roles,
         now,
         created.info.expires_ms}
    ));
    boost::json::object leaf;
    leaf["event"] = "token.created";
    leaf["token_id"] = created.info.id;
    leaf["roles"] = roles;
    leaf["expires_ms"] = created.info.expires_ms;
    CONCORD_RETURN_IF_ERROR(users_.Audit(*tx, std::move(leaf), actor));
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    return created;
}

Result<std::vector<TokenInfo>> ApiTokens::List(const Actor& actor) {
    CONCORD_RETURN_IF_ERROR(Decide(actor, Action::kTokenManage));
    CONCORD_ASSIGN_OR_RETURN(auto tx, users_.Store().Begin());
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx->Query(
            "SELECT " + std::string(kColumns) +
                " FROM people_tokens WHERE login = $1 ORDER BY id DESC",
            {actor.user_id}
        )
    );
    std::vector<TokenInfo> tokens;
    for (const auto& r : rows) {
        tokens.push_back(ReadToken(r));
    }
    return tokens;
}

Result<std::vector<TokenInfo>> ApiTokens::ListAll(const Actor& actor, std::size_t limit) {
    CONCORD_RETURN_IF_ERROR(Decide(actor, Action::kUserManage));
    CONCORD_ASSIGN_OR_RETURN(auto tx, users_.Store().Begin());
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx->Query(
            "SELECT " + std::string(kColumns) + " FROM people_tokens ORDER BY id DESC LIMIT $1",
            {static_cast<std::int64_t>(limit)}
        )
    );
    std::vector<TokenInfo> tokens;
    tokens.reserve(rows.size());
    for (const auto& r : rows) {
        tokens.push_back(ReadToken(r));
    }
    return tokens;
}

Result<void> ApiTokens::Revoke(const Actor& actor, std::string_view id) {
    CONCORD_RETURN_IF_ERROR(Decide(actor, Action::kTokenManage));
    // Not Decide: a user who is not an administrator is not being denied anything here.
    bool any_owner = false;
    for (Role role : actor.roles) {
        any_owner = any_owner || RoleMay(role, Action::kUserManage, Relation::kNone);
    }
    const std::int64_t now = users_.Now();
    CONCORD_ASSIGN_OR_RETURN(auto tx, users_.Store().Begin());
    // An administrator may revoke anyone's token; others only their own.
    const std::string sql = std::string(
                                "UPDATE people_tokens SET revoked_ms = $1 WHERE id = $2 AND "
                                "revoked_ms IS NULL"
                            ) +
                            (any_owner ? "" : " AND login = $3") + " RETURNING login";
    auto rows = any_owner ? tx->Query(sql, {now, std::string(id)})
                          : tx->Query(sql, {now, std::string(id), actor.user_id});
    if (!rows) {
        return rows.error();
    }
    if (rows->empty()) {
        return MakeError(ErrorCode::kNotFound, "no active token '" + std::string(id) + "'");
    }
    boost::json::object leaf;
    leaf["event"] = "token.revoked";
    leaf["token_id"] = id;
    leaf["login"] = (*rows)[0].Text(0);
    CONCORD_RETURN_IF_ERROR(users_.Audit(*tx, std::move(leaf), actor));
    return tx->Commit();
}

Result<Actor> ApiTokens::Authenticate(std::string_view token, std::string_view request) {
    if (!LooksLikeToken(token)) {
        return BadToken();
    }
    const std::int64_t now = users_.Now();
    CONCORD_ASSIGN_OR_RETURN(auto tx, users_.Store().Begin());
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx->Query(
            "SELECT " + std::string(kColumns) + " FROM people_tokens WHERE token_sha256 = $1",
            {SecretTokenHash(token)}
        )
    );
    if (rows.empty()) {
        return BadToken();
    }
    const TokenInfo info = ReadToken(rows[0]);
    if (info.revoked_ms || now >= info.expires_ms) {
        return BadToken();
    }
    CONCORD_ASSIGN_OR_RETURN(auto credentials, users_.LoadCredentials(*tx, info.login));
    if (!credentials || credentials->user.disabled) {
        return BadToken();
    }
    // The scope is what the token was given and the owner still holds.
    std::vector<Role> roles;
    for (Role role : info.roles) {
        const auto& held = credentials->user.roles;
        if (std::find(held.begin(), held.end(), role) != held.end()) {
            roles.push_back(role);
        }
    }
    const Actor actor = Users::UserActor(credentials->user, std::move(roles));
    CONCORD_RETURN_IF_ERROR(
        tx->Execute("UPDATE people_tokens SET last_used_ms = $1 WHERE id = $2", {now, info.id})
    );
    boost::json::object leaf;
    leaf["event"] = "token.used";
    leaf["token_id"] = info.id;
    leaf["request"] = request;
    CONCORD_RETURN_IF_ERROR(users_.Audit(*tx, std::move(leaf), actor));
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    return actor;
}

}  // namespace concord::app
