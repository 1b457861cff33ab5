// The routes of a node's two listeners: federation (/fed/v1) and local API (/api/v1), each
// resource in its own api_<resource>.cpp. docs/api/openapi.json documents every route;
// service_test keeps the two in step, and the permission matrix test walks every route.

#include <algorithm>

#include "concord/server/service.hpp"

#include "api_people.hpp"
#include "api_routes.hpp"
#include "service_impl.hpp"

namespace concord::server {
namespace {

std::vector<RoutePolicy> RegisterApiRoutes(net::Router& router, NodeService::Impl& service) {
    RouteTable t(router, service);
    AddNodeRoutes(t, service);
    AddMessageRoutes(t, service);
    AddLedgerRoutes(t, service);
    AddLegalRoutes(t, service);
    AddPeopleRoutes(t, service);
    AddCaseRoutes(t, service);
    AddDutyRoutes(t, service);
    AddPreservationRoutes(t, service);
    AddEvidenceRoutes(t, service);
    AddAccessRoutes(t, service);
    AddStatisticsRoutes(t, service);
    AddAssetRoutes(t, service);
    AddWebRoutes(t, service);
    AddAssistanceRoutes(t, service);
    return t.Policies();
}

}  // namespace

void AddApiRoutes(net::Router& router, NodeService::Impl& service) {
    RegisterApiRoutes(router, service);
}

std::vector<std::pair<std::string, std::string>> NodeService::Routes() {
    NodeService::Impl unused;
    unused.config.metrics = true;
    unused.config.web_root = "web";
    net::Router federation;
    AddFederationRoutes(federation, unused);
    net::Router api;
    AddApiRoutes(api, unused);
    std::vector<std::pair<std::string, std::string>> all = federation.Routes();
    for (auto& route : api.Routes()) {
        if (std::find(all.begin(), all.end(), route) == all.end()) {
            all.push_back(std::move(route));
        }
    }
    return all;
}

std::vector<NodeService::RouteAction> NodeService::ApiRouteActions() {
    NodeService::Impl unused;
    unused.config.metrics = true;
    unused.config.web_root = "web";
    net::Router api;
    std::vector<RouteAction> out;
    for (auto& p : RegisterApiRoutes(api, unused)) {
        out.push_back(RouteAction{std::move(p.method), std::move(p.pattern), std::move(p.action)});
    }
    return out;
}

}  // namespace concord::server
