#pragma once

#include "api_routes.hpp"
#include "service_impl.hpp"

namespace concord::server {

/// POST/GET/DELETE /api/v1/session, /api/v1/users (administrators) and /api/v1/tokens (one's
/// own personal tokens).
void AddPeopleRoutes(RouteTable& table, NodeService::Impl& service);

}  // namespace concord::server
