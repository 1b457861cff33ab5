#pragma once

#include <string>
#include <string_view>

#include "concord/app/actor.hpp"
#include "concord/core/result.hpp"
#include "concord/net/http.hpp"

#include "service_impl.hpp"

namespace concord::server {

/// The token of an "Authorization: Bearer TOKEN" field. The scheme is case-insensitive
/// (RFC 9110 §11.1) and followed by one or more spaces; "" when the field is not a bearer token.
std::string BearerToken(std::string_view field);

/// Who sent a local API request. Today: the node-wide API token of config.toml, which acts as
/// the node itself (`app::Actor::Node()`). kUnauthenticated when no valid credential is
/// presented (the answer does not say which part was wrong).
Result<app::Actor> Authenticate(const net::Request& request, NodeService::Impl& service);

}  // namespace concord::server
