#pragma once

#include <string>
#include <string_view>

#include "concord/app/actor.hpp"
#include "concord/core/result.hpp"
#include "concord/net/http.hpp"

#include "service_impl.hpp"

namespace concord::server {

/// The session cookie of the local API (docs/operations.md "Users and sign-in").
inline constexpr std::string_view kSessionCookie = "concord_session";
/// The header carrying a session's CSRF token on state-changing requests.
inline constexpr std::string_view kCsrfHeader = "X-CSRF-Token";

/// The token of an "Authorization: Bearer TOKEN" field. The scheme is case-insensitive
/// (RFC 9110 §11.1) and followed by one or more spaces; "" when the field is not a bearer token.
std::string BearerToken(std::string_view field);

/// The value of cookie `name` in a Cookie header ("a=1; b=2", RFC 6265 §4.2.1), or "".
std::string CookieValue(std::string_view header, std::string_view name);

/// Which credential a request presents: an Authorization header wins over a cookie.
enum class AuthKind { kNone, kNodeToken, kPersonalToken, kSession };
AuthKind HowAuthenticated(const net::Request& request);
/// The request's session cookie value, or "".
std::string SessionCookieValue(const net::Request& request);

/// Who sent a local API request:
/// - `Authorization: Bearer` with the node-wide API token of config.toml: the node itself
///   (`app::Actor::Node()`);
/// - `Authorization: Bearer cpt_...`, a personal API token: its user with the token's roles (the
///   use is recorded);
/// - the `concord_session` cookie: the session's user with their roles. A POST, PUT, PATCH or
///   DELETE with the cookie must carry the session's CSRF token in X-CSRF-Token, else
///   kPermissionDenied "csrf_required: ..." (checked before the session is looked up).
/// kUnauthenticated when no valid credential is presented (the answer does not say which part
/// was wrong); store failures keep their code.
Result<app::Actor> Authenticate(const net::Request& request, NodeService::Impl& service);

}  // namespace concord::server
