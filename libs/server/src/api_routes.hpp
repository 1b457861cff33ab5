#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "concord/app/actor.hpp"
#include "concord/app/policy.hpp"
#include "concord/net/http.hpp"
#include "concord/net/metrics.hpp"
#include "concord/net/stream.hpp"

#include "service_impl.hpp"

namespace concord::server {

/// One route and what it asks of its caller, for the permission matrix and the docs.
struct RoutePolicy {
    std::string method;
    std::string pattern;
    /// The action a caller must be allowed (app/policy.hpp); empty for an open route.
    std::string action;
};

/// Registers the routes of one listener. Every route counts its requests in
/// concord_http_requests_total{route} and is refused with 503 once the node drains. An
/// authenticated route names the `app::Action` it performs: the caller is authenticated
/// (401 otherwise), the policy table decides (403 otherwise), and only then does the handler
/// run, with the caller as an `app::Actor`. Every 403 an authenticated caller gets, from the
/// route's decision or from the use case's, appends an `access.denied` audit leaf naming the
/// actor, the action and the route pattern.
class RouteTable {
public:
    using Handler = std::function<net::Response(net::Request&)>;
    using AuthedHandler = std::function<net::Response(net::Request&, const app::Actor&)>;
    using StreamHandler = std::function<net::Response(net::Request&, net::BodySource&)>;
    using AuthedStreamHandler =
        std::function<net::Response(net::Request&, net::BodySource&, const app::Actor&)>;

    RouteTable(net::Router& router, NodeService::Impl& service);

    /// A route open to any client of the listener.
    void Open(const std::string& method, const std::string& pattern, Handler handler);

    /// A streaming route (net::Router::AddStreaming) open to any client of the listener: for
    /// bodies that authenticate themselves (the federation's evidence chunks).
    void OpenStreaming(
        const std::string& method,
        const std::string& pattern,
        StreamHandler handler,
        net::StreamOptions options
    );

    /// A route for authenticated callers allowed `action`.
    void Authed(
        const std::string& method,
        const std::string& pattern,
        app::Action action,
        AuthedHandler handler
    );

    /// A streaming route (net::Router::AddStreaming: a body of any size read piece by piece,
    /// on the listener's streaming pool) for authenticated callers allowed `action`. The caller
    /// is checked before a byte of the body is read.
    void AuthedStreaming(
        const std::string& method,
        const std::string& pattern,
        app::Action action,
        AuthedStreamHandler handler,
        net::StreamOptions options
    );

    [[nodiscard]] const std::vector<RoutePolicy>& Policies() const { return policies_; }

private:
    void Add(const std::string& method, const std::string& pattern, net::Handler handler);
    /// The request counter of one route.
    net::Counter& Count(const std::string& method, const std::string& pattern);
    /// Counts the request and runs it, unless the node is draining (503).
    static net::Response Counted(
        NodeService::Impl& service,
        net::Counter& requests,
        const std::function<net::Response()>& run
    );

    net::Router& router_;
    NodeService::Impl& service_;
    std::vector<RoutePolicy> policies_;
};

// Each resource registers its routes (one file each: api_<resource>.cpp).
void AddHealthRoute(RouteTable& table, NodeService::Impl& service);
void AddNodeRoutes(RouteTable& table, NodeService::Impl& service);
void AddMessageRoutes(RouteTable& table, NodeService::Impl& service);
void AddLedgerRoutes(RouteTable& table, NodeService::Impl& service);
void AddLegalRoutes(RouteTable& table, NodeService::Impl& service);
void AddCaseRoutes(RouteTable& table, NodeService::Impl& service);
void AddDutyRoutes(RouteTable& table, NodeService::Impl& service);
void AddPreservationRoutes(RouteTable& table, NodeService::Impl& service);
void AddEvidenceRoutes(RouteTable& table, NodeService::Impl& service);
void AddAccessRoutes(RouteTable& table, NodeService::Impl& service);
void AddStatisticsRoutes(RouteTable& table, NodeService::Impl& service);
/// /api/v1/cases/{id}/assets...: the asset record of a case (api_assets.cpp).
void AddAssetRoutes(RouteTable& table, NodeService::Impl& service);
/// The browser UI (api_web.cpp), when web.root is configured.
void AddWebRoutes(RouteTable& table, NodeService::Impl& service);
/// /api/v1/assistance/...: technical assistance between States (api_assistance.cpp).
void AddAssistanceRoutes(RouteTable& table, NodeService::Impl& service);
/// GET /fed/v1/statistics/publications/{id}: a published report, open to anyone
/// (api_statistics.cpp).
void AddFederationStatisticsRoutes(RouteTable& table, NodeService::Impl& service);
/// The recipient's side of evidence transfers, on the federation listener.
void AddFederationEvidenceRoutes(RouteTable& table, NodeService::Impl& service);

}  // namespace concord::server
