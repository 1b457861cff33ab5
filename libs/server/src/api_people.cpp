// /api/v1/session, /api/v1/users, /api/v1/tokens: sign-in, users and personal API tokens
// (docs/operations.md "Users and sign-in"). The handlers translate; app::Users, app::Sessions and
// app::ApiTokens decide.

#include "api_people.hpp"

#include <variant>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "concord/app/sessions.hpp"
#include "concord/app/tokens.hpp"
#include "concord/app/users.hpp"
#include "concord/core/time.hpp"

#include "api_auth.hpp"
#include "api_util.hpp"

namespace concord::server {
namespace {

using net::Json;
using net::Request;
using net::Response;

// Bounds on what a sign-in or a user may carry, checked before any work.
constexpr std::size_t kMaxPasswordBytes = 1024;
constexpr std::size_t kMaxCodeBytes = 16;
constexpr std::size_t kMaxFieldBytes = 256;
// An administrator's list of every user's tokens holds at most this many, newest first.
constexpr std::size_t kMaxTokensListed = 1000;

Result<boost::json::object> ParseBody(const Request& r) {
    boost::system::error_code ec;
    boost::json::value v = ParseJson(r.body, ec);
    if (ec || !v.is_object()) {
        return MakeError(ErrorCode::kInvalidArgument, "body: expected a JSON object");
    }
    return std::move(v.as_object());
}

Result<std::string> StringField(
    const boost::json::object& o, std::string_view key, std::size_t max_bytes
) {
    const auto* v = o.if_contains(key);
    if (v == nullptr || !v->is_string()) {
        return MakeError(
            ErrorCode::kInvalidArgument, "field '" + std::string(key) + "': expected a string"
        );
    }
    if (v->as_string().size() > max_bytes) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "field '" + std::string(key) + "': at most " + std::to_string(max_bytes) + " bytes"
        );
    }
    return std::string(v->as_string());
}

Result<std::vector<app::Role>> RolesField(const boost::json::object& o) {
    const auto* v = o.if_contains("roles");
    if (v == nullptr || !v->is_array() || v->as_array().size() > app::kAllRoles.size()) {
        return MakeError(
            ErrorCode::kInvalidArgument, "field 'roles': expected an array of role names"
        );
    }
    std::vector<app::Role> roles;
    for (const auto& item : v->as_array()) {
        if (!item.is_string()) {
            return MakeError(
                ErrorCode::kInvalidArgument, "field 'roles': expected an array of role names"
            );
        }
        CONCORD_ASSIGN_OR_RETURN(app::Role role, app::ParseRole(item.as_string()));
        roles.push_back(role);
    }
    return roles;
}

boost::json::array RoleNames(const std::vector<app::Role>& roles) {
    boost::json::array out;
    for (app::Role role : roles) {
        out.emplace_back(app::RoleName(role));
    }
    return out;
}

boost::json::object ActorJson(const app::Actor& actor) {
    boost::json::object o;
    o["actor"] = actor.Label();
    o["kind"] = actor.kind == app::Actor::Kind::kNode ? "node" : "user";
    if (actor.kind == app::Actor::Kind::kUser) {
        o["login"] = actor.user_id;
        o["display_name"] = actor.display_name;
        o["unit"] = actor.unit;
    }
    o["roles"] = RoleNames(actor.roles);
    return o;
}

boost::json::object EnrolmentJson(const app::Enrolment& e) {
    boost::json::object o;
    o["login"] = e.login;
    if (!e.password.empty()) {
        o["password"] = e.password;
    }
    if (!e.otpauth_uri.empty()) {
        o["totp_secret"] = e.totp_secret;
        o["otpauth_uri"] = e.otpauth_uri;
        o["qr_svg"] = e.qr_svg;
    }
    return o;
}

boost::json::object UserJson(const app::UserInfo& u) {
    boost::json::object o;
    o["login"] = u.login;
    o["display_name"] = u.display_name;
    o["unit"] = u.unit;
    o["roles"] = RoleNames(u.roles);
    o["disabled"] = u.disabled;
    o["created"] = FormatTimestamp(u.created_ms);
    if (u.locked_until_ms > NowMillis()) {
        o["locked_until"] = FormatTimestamp(u.locked_until_ms);
    }
    o["failed_attempts"] = u.failed_attempts;
    return o;
}

boost::json::object TokenJson(const app::TokenInfo& t) {
    boost::json::object o;
    o["id"] = t.id;
    o["owner"] = t.login;
    o["name"] = t.name;
    o["roles"] = RoleNames(t.roles);
    o["created"] = FormatTimestamp(t.created_ms);
    o["expires"] = FormatTimestamp(t.expires_ms);
    if (t.revoked_ms) {
        o["revoked"] = FormatTimestamp(*t.revoked_ms);
    }
    if (t.last_used_ms) {
        o["last_used"] = FormatTimestamp(*t.last_used_ms);
    }
    return o;
}

Response JsonObject(unsigned status, const boost::json::object& o) {
    return Json(status, boost::json::serialize(o));
}

std::string SessionCookie(std::string_view token, std::int64_t max_age_seconds) {
    return std::string(kSessionCookie) + "=" + std::string(token) +
           "; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=" +
           std::to_string(max_age_seconds);
}

// POST /api/v1/session: {login, password, code} → the session cookie and who signed in.
Response Login(NodeService::Impl& s, Request& r) {
    auto session = [&]() -> Result<app::NewSession> {
        CONCORD_ASSIGN_OR_RETURN(auto body, ParseBody(r));
        CONCORD_ASSIGN_OR_RETURN(std::string login, StringField(body, "login", kMaxFieldBytes));
        CONCORD_ASSIGN_OR_RETURN(
            std::string password, StringField(body, "password", kMaxPasswordBytes)
        );
        CONCORD_ASSIGN_OR_RETURN(std::string code, StringField(body, "code", kMaxCodeBytes));
        return s.sessions->Login(login, password, code);
    }();
    if (!session) {
        return FromError(session.error());
    }
    boost::json::object o = ActorJson(session->actor);
    o["auth"] = "session";
    o["csrf_token"] = session->csrf_token;
    o["expires"] = FormatTimestamp(session->expires_ms);
    o["idle_expires"] = FormatTimestamp(session->idle_expires_ms);
    Response response = JsonObject(201, o);
    response.headers.emplace_back(
        "Set-Cookie",
        SessionCookie(session->token, (session->expires_ms - NowMillis() + 999) / 1000)
    );
    return response;
}

// GET /api/v1/session: who the caller is; for a session also its CSRF token and limits.
Response Me(NodeService::Impl& s, Request& r, const app::Actor& actor) {
    boost::json::object o = ActorJson(actor);
    const AuthKind kind = HowAuthenticated(r);
    o["auth"] = kind == AuthKind::kNodeToken       ? "node_token"
                : kind == AuthKind::kPersonalToken ? "personal_token"
                                                   : "session";
    if (kind == AuthKind::kSession) {
        auto info = s.sessions->Authenticate(SessionCookieValue(r));
        if (!info) {
            return FromError(info.error());
        }
        o["csrf_token"] = info->csrf_token;
        o["expires"] = FormatTimestamp(info->expires_ms);
        o["idle_expires"] = FormatTimestamp(info->idle_expires_ms);
    }
    return JsonObject(200, o);
}

// DELETE /api/v1/session: ends the cookie's session and clears the cookie.
Response Logout(NodeService::Impl& s, Request& r, const app::Actor&) {
    if (HowAuthenticated(r) != AuthKind::kSession) {
        return FromError(Error{ErrorCode::kInvalidArgument, "no session cookie to end"});
    }
    if (auto ended = s.sessions->Logout(SessionCookieValue(r)); !ended) {
        return FromError(ended.error());
    }
    Response response;
    response.status = 204;
    response.headers.emplace_back("Set-Cookie", SessionCookie("", 0));
    return response;
}

// POST /api/v1/session/password: {current_password, code, new_password}; every session of the
// user ends, so the cookie is cleared.
Response ChangePassword(NodeService::Impl& s, Request& r, const app::Actor&) {
    if (HowAuthenticated(r) != AuthKind::kSession) {
        return FromError(Error{
            ErrorCode::kInvalidArgument, "a password is changed in a signed-in session"});
    }
    auto changed = [&]() -> Result<void> {
        CONCORD_ASSIGN_OR_RETURN(auto body, ParseBody(r));
        CONCORD_ASSIGN_OR_RETURN(
            std::string current, StringField(body, "current_password", kMaxPasswordBytes)
        );
        CONCORD_ASSIGN_OR_RETURN(std::string code, StringField(body, "code", kMaxCodeBytes));
        CONCORD_ASSIGN_OR_RETURN(
            std::string next, StringField(body, "new_password", kMaxPasswordBytes)
        );
        return s.sessions->ChangePassword(SessionCookieValue(r), current, code, next);
    }();
    if (!changed) {
        return FromError(changed.error());
    }
    Response response;
    response.status = 204;
    response.headers.emplace_back("Set-Cookie", SessionCookie("", 0));
    return response;
}

Response ListUsers(NodeService::Impl& s, Request&, const app::Actor& actor) {
    auto users = s.users->List(actor);
    if (!users) {
        return FromError(users.error());
    }
    boost::json::array out;
    for (const auto& u : *users) {
        out.push_back(UserJson(u));
    }
    return Json(200, boost::json::serialize(out));
}

Response AddUser(NodeService::Impl& s, Request& r, const app::Actor& actor) {
    auto enrolment = [&]() -> Result<app::Enrolment> {
        CONCORD_ASSIGN_OR_RETURN(auto body, ParseBody(r));
        app::NewUser u;
        CONCORD_ASSIGN_OR_RETURN(u.login, StringField(body, "login", kMaxFieldBytes));
        CONCORD_ASSIGN_OR_RETURN(u.display_name, StringField(body, "display_name", kMaxFieldBytes));
        CONCORD_ASSIGN_OR_RETURN(u.unit, StringField(body, "unit", kMaxFieldBytes));
        CONCORD_ASSIGN_OR_RETURN(u.roles, RolesField(body));
        return s.users->Add(actor, u);
    }();
    if (!enrolment) {
        return FromError(enrolment.error());
    }
    return JsonObject(201, EnrolmentJson(*enrolment));
}

Response DisableUser(NodeService::Impl& s, Request& r, const app::Actor& actor) {
    if (auto done = s.users->Disable(actor, r.Param("login")); !done) {
        return FromError(done.error());
    }
    boost::json::object o;
    o["login"] = r.Param("login");
    o["disabled"] = true;
    return JsonObject(200, o);
}

Response EnableUser(NodeService::Impl& s, Request& r, const app::Actor& actor) {
    if (auto done = s.users->Enable(actor, r.Param("login")); !done) {
        return FromError(done.error());
    }
    boost::json::object o;
    o["login"] = r.Param("login");
    o["disabled"] = false;
    return JsonObject(200, o);
}

Response ResetPassword(NodeService::Impl& s, Request& r, const app::Actor& actor) {
    auto e = s.users->ResetPassword(actor, r.Param("login"));
    return e ? JsonObject(200, EnrolmentJson(*e)) : FromError(e.error());
}

Response ResetTotp(NodeService::Impl& s, Request& r, const app::Actor& actor) {
    auto e = s.users->ResetTotp(actor, r.Param("login"));
    return e ? JsonObject(200, EnrolmentJson(*e)) : FromError(e.error());
}

// GET /api/v1/tokens: the caller's own tokens; ?owner=all: every user's (administrators).
Response ListTokens(NodeService::Impl& s, Request& r, const app::Actor& actor) {
    auto owner = ChoiceParam(r, "owner", {"self", "all"}, "self");
    if (auto* refused = std::get_if<Response>(&owner)) {
        return std::move(*refused);
    }
    auto tokens = std::get<std::string>(owner) == "all" ? s.tokens->ListAll(actor, kMaxTokensListed)
                                                        : s.tokens->List(actor);
    if (!tokens) {
        return FromError(tokens.error());
    }
    boost::json::array out;
    for (const auto& t : *tokens) {
        out.push_back(TokenJson(t));
    }
    return Json(200, boost::json::serialize(out));
}

Response CreateToken(NodeService::Impl& s, Request& r, const app::Actor& actor) {
    auto created = [&]() -> Result<app::CreatedToken> {
        CONCORD_ASSIGN_OR_RETURN(auto body, ParseBody(r));
        app::NewToken t;
        CONCORD_ASSIGN_OR_RETURN(t.name, StringField(body, "name", kMaxFieldBytes));
        CONCORD_ASSIGN_OR_RETURN(t.roles, RolesField(body));
        if (body.contains("lifetime")) {
            CONCORD_ASSIGN_OR_RETURN(std::string text, StringField(body, "lifetime", 32));
            auto lifetime = ParseDuration(text);
            if (!lifetime) {
                return MakeError(
                    ErrorCode::kInvalidArgument, "field 'lifetime': " + lifetime.error().message
                );
            }
            t.lifetime = *lifetime;
        }
        return s.tokens->Create(actor, t);
    }();
    if (!created) {
        return FromError(created.error());
    }
    boost::json::object o = TokenJson(created->info);
    o["token"] = created->token;
    return JsonObject(201, o);
}

Response RevokeToken(NodeService::Impl& s, Request& r, const app::Actor& actor) {
    if (auto done = s.tokens->Revoke(actor, r.Param("id")); !done) {
        return FromError(done.error());
    }
    Response response;
    response.status = 204;
    return response;
}

}  // namespace

void AddPeopleRoutes(RouteTable& t, NodeService::Impl& service) {
    NodeService::Impl* s = &service;
    // Signing in is the one open /api/v1 route: the caller has no credential yet.
    t.Open("POST", "/api/v1/session", [s](Request& r) { return Login(*s, r); });
    // Every role may ask who it is and end its own session.
    t.Authed(
        "GET",
        "/api/v1/session",
        app::Action::kNodeRead,
        [s](Request& r, const app::Actor& a) { return Me(*s, r, a); }
    );
    t.Authed(
        "DELETE",
        "/api/v1/session",
        app::Action::kNodeRead,
        [s](Request& r, const app::Actor& a) { return Logout(*s, r, a); }
    );
    // Every user may change their own password (in a session, proving it again).
    t.Authed(
        "POST",
        "/api/v1/session/password",
        app::Action::kNodeRead,
        [s](Request& r, const app::Actor& a) { return ChangePassword(*s, r, a); }
    );
    t.Authed(
        "GET",
        "/api/v1/users",
        app::Action::kUserManage,
        [s](Request& r, const app::Actor& a) { return ListUsers(*s, r, a); }
    );
    t.Authed(
        "POST",
        "/api/v1/users",
        app::Action::kUserManage,
        [s](Request& r, const app::Actor& a) { return AddUser(*s, r, a); }
    );
    t.Authed(
        "POST",
        "/api/v1/users/{login}/disable",
        app::Action::kUserManage,
        [s](Request& r, const app::Actor& a) { return DisableUser(*s, r, a); }
    );
    t.Authed(
        "POST",
        "/api/v1/users/{login}/enable",
        app::Action::kUserManage,
        [s](Request& r, const app::Actor& a) { return EnableUser(*s, r, a); }
    );
    t.Authed(
        "POST",
        "/api/v1/users/{login}/reset-password",
        app::Action::kUserManage,
        [s](Request& r, const app::Actor& a) { return ResetPassword(*s, r, a); }
    );
    t.Authed(
        "POST",
        "/api/v1/users/{login}/reset-2fa",
        app::Action::kUserManage,
        [s](Request& r, const app::Actor& a) { return ResetTotp(*s, r, a); }
    );
    t.Authed(
        "GET",
        "/api/v1/tokens",
        app::Action::kTokenManage,
        [s](Request& r, const app::Actor& a) { return ListTokens(*s, r, a); }
    );
    t.Authed(
        "POST",
        "/api/v1/tokens",
        app::Action::kTokenManage,
        [s](Request& r, const app::Actor& a) { return CreateToken(*s, r, a); }
    );
    t.Authed(
        "DELETE",
        "/api/v1/tokens/{id}",
        app::Action::kTokenManage,
        [s](Request& r, const app::Actor& a) { return RevokeToken(*s, r, a); }
    );
}

}  // namespace concord::server
