#include "api_auth.hpp"

#include "concord/crypto/compare.hpp"
#include "concord/server/init.hpp"

namespace concord::server {

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

Result<app::Actor> Authenticate(const net::Request& request, NodeService::Impl& service) {
    const std::string token = BearerToken(request.Header("Authorization").value_or(""));
    const std::string presented = token.empty() ? "" : HashApiToken(token);
    if (presented.empty() ||
        !crypto::ConstantTimeEqual(AsBytes(presented), AsBytes(service.config.api_token_sha256))) {
        return MakeError(ErrorCode::kUnauthenticated, "a valid API bearer token is required");
    }
    return app::Actor::Node();
}

}  // namespace concord::server
