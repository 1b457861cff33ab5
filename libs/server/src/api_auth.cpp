#include "api_auth.hpp"

#include "concord/app/sessions.hpp"
#include "concord/app/tokens.hpp"
#include "concord/crypto/compare.hpp"
#include "concord/server/init.hpp"

namespace concord::server {
namespace {

bool IsSafeMethod(std::string_view method) {
    return method == "GET" || method == "HEAD" || method == "OPTIONS";
}

Error Unauthenticated() {
    return MakeError(
        ErrorCode::kUnauthenticated,
        "a valid API bearer token, personal token or session cookie is required"
    );
}

}  // namespace

std::string BearerToken(std::string_view field) {
    constexpr std::string_view kScheme = "bearer";
    if (field.size() <= kScheme.size() || !net::EqualsIgnoreCase(field.substr(0, 6), kScheme) ||
        field[kScheme.size()] != ' ') {
        return "";
    }
    field.remove_prefix(kScheme.size());
    while (!field.empty() && field.front() == ' ') {
        field.remove_prefix(1);
    }
    while (!field.empty() && (field.back() == ' ' || field.back() == '\t')) {
        field.remove_suffix(1);
    }
    return std::string(field);
}

std::string CookieValue(std::string_view header, std::string_view name) {
    while (!header.empty()) {
        const auto end = header.find(';');
        std::string_view pair = header.substr(0, end);
        header = end == std::string_view::npos ? std::string_view() : header.substr(end + 1);
        while (!pair.empty() && (pair.front() == ' ' || pair.front() == '\t')) {
            pair.remove_prefix(1);
        }
        const auto eq = pair.find('=');
        if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
            return std::string(pair.substr(eq + 1));
        }
    }
    return "";
}

std::string SessionCookieValue(const net::Request& request) {
    return CookieValue(request.Header("Cookie").value_or(""), kSessionCookie);
}

AuthKind HowAuthenticated(const net::Request& request) {
    if (request.Header("Authorization")) {
        const std::string token = BearerToken(request.Header("Authorization").value_or(""));
        if (token.empty()) {
            return AuthKind::kNone;
        }
        return app::ApiTokens::LooksLikeToken(token) ? AuthKind::kPersonalToken
                                                     : AuthKind::kNodeToken;
    }
    return SessionCookieValue(request).empty() ? AuthKind::kNone : AuthKind::kSession;
}

Result<app::Actor> Authenticate(const net::Request& request, NodeService::Impl& service) {
    switch (HowAuthenticated(request)) {
        case AuthKind::kNone:
            return Unauthenticated();
        case AuthKind::kNodeToken: {
            const std::string token = BearerToken(request.Header("Authorization").value_or(""));
            const std::string presented = HashApiToken(token);
            if (!crypto::ConstantTimeEqual(
                    AsBytes(presented), AsBytes(service.config.api_token_sha256)
                )) {
                return Unauthenticated();
            }
            return app::Actor::Node();
        }
        case AuthKind::kPersonalToken: {
            const std::string token = BearerToken(request.Header("Authorization").value_or(""));
            auto actor = service.tokens->Authenticate(token, request.method + " " + request.path);
            if (!actor && actor.error().code == ErrorCode::kUnauthenticated) {
                return Unauthenticated();
            }
            return actor;
        }
        case AuthKind::kSession: {
            const std::string cookie = SessionCookieValue(request);
            // A request another site makes the browser send carries the cookie but cannot know
            // the token derived from it.
            if (!IsSafeMethod(request.method) &&
                !app::Sessions::CheckCsrf(cookie, request.Header(kCsrfHeader).value_or(""))) {
                return MakeError(
                    ErrorCode::kPermissionDenied,
                    "csrf_required: a state-changing request with the session cookie needs the "
                    "session's CSRF token in X-CSRF-Token"
                );
            }
            auto session = service.sessions->Authenticate(cookie);
            if (!session) {
                return session.error().code == ErrorCode::kUnauthenticated
                           ? Result<app::Actor>(Unauthenticated())
                           : Result<app::Actor>(session.error());
            }
            return session->actor;
        }
    }
    return Unauthenticated();
}

}  // namespace concord::server
