#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "concord/app/actor.hpp"
#include "concord/app/users.hpp"
#include "concord/core/result.hpp"

namespace concord::app {

/// A personal API token as its owner sees it (never the token itself after creation).
struct TokenInfo {
    std::string id;  ///< UUIDv7
    std::string login;
    std::string name;
    std::vector<Role> roles;  ///< the scope: a subset of the owner's roles
    std::int64_t created_ms{0};
    std::int64_t expires_ms{0};
    std::optional<std::int64_t> revoked_ms;
    std::optional<std::int64_t> last_used_ms;
};

/// A token to create.
struct NewToken {
    std::string name;         ///< 1–100 bytes of UTF-8 without control characters
    std::vector<Role> roles;  ///< at least one; each held by the creator
    std::chrono::milliseconds lifetime{std::chrono::hours(24 * 90)};
};

/// A token just created: `token` is shown once and stored only as its SHA-256.
struct CreatedToken {
    TokenInfo info;
    std::string token;  ///< "cpt_" and 64 hex characters
};

/// Personal API tokens for national case-management systems (table `people_tokens`): scoped to
/// roles of their owner, expiring, revocable, last use recorded. Audit leaves `token.created`,
/// `token.revoked` and `token.used` (one per authenticated request) name the owner and the token
/// id, never the token.
///
/// Lifetime: borrows `users`, which must outlive it. Thread-safe.
class ApiTokens {
public:
    explicit ApiTokens(Users& users) : users_(users) {}

    /// Creates a token for the actor (a user). The roles must be held by the actor (a token
    /// cannot widen the scope it was created with). kPermissionDenied for the node or a role the
    /// actor lacks; kInvalidArgument for a bad name, no roles or a lifetime outside
    /// (0, token_max_lifetime].
    Result<CreatedToken> Create(const Actor& actor, const NewToken& token);
    /// The actor's own tokens, newest first (revoked and expired ones included).
    Result<std::vector<TokenInfo>> List(const Actor& actor);
    /// Every user's tokens, newest first, at most `limit` (an administrator's view:
    /// Action::kUserManage, kPermissionDenied otherwise). Never the token itself.
    Result<std::vector<TokenInfo>> ListAll(const Actor& actor, std::size_t limit);
    /// Revokes one of the actor's tokens (an administrator may revoke anyone's).
    /// kNotFound if there is no such token of the actor; revoking twice is kNotFound too.
    Result<void> Revoke(const Actor& actor, std::string_view id);

    /// The user actor of a presented token, holding the token's roles that its owner still has;
    /// records the use (`last_used_ms` and a `token.used` leaf naming `request`).
    /// kUnauthenticated if unknown, revoked, expired or its owner is disabled.
    Result<Actor> Authenticate(std::string_view token, std::string_view request);

    /// Whether `token` has the shape of a personal token (so a caller can tell it from others).
    static bool LooksLikeToken(std::string_view token);

private:
    Users& users_;
};

}  // namespace concord::app
