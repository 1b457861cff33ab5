#include "api_routes.hpp"

#include "concord/core/log.hpp"

#include "api_auth.hpp"
#include "api_util.hpp"

namespace concord::server {

using net::Request;
using net::Response;

RouteTable::RouteTable(net::Router& router, NodeService::Impl& service)
    : router_(router), service_(service) {}

void RouteTable::Open(const std::string& method, const std::string& pattern, Handler handler) {
    policies_.push_back(RoutePolicy{method, pattern, ""});
    Add(method, pattern, std::move(handler));
}

void RouteTable::Authed(
    const std::string& method, const std::string& pattern, app::Action action, AuthedHandler handler
) {
    policies_.push_back(RoutePolicy{method, pattern, std::string(app::ActionName(action))});
    NodeService::Impl* service = &service_;
    Add(method,
        pattern,
        [service, action, handler = std::move(handler)](Request& request) -> Response {
            auto actor = Authenticate(request, *service);
            if (!actor) {
                Response r = ErrorBody(401, "unauthenticated", actor.error().message);
                r.headers.emplace_back("WWW-Authenticate", "Bearer");
                return r;
            }
            if (auto allowed = app::Decide(*actor, action); !allowed) {
                return FromError(allowed.error());
            }
            return handler(request, *actor);
        });
}

void RouteTable::Add(const std::string& method, const std::string& pattern, net::Handler handler) {
    net::Counter& requests = service_.metrics.AddCounter(
        "concord_http_requests_total",
        "HTTP requests handled, by route",
        {{"route", method + " " + pattern}}
    );
    net::PoolChooser pool;  // null: the listener's default pool
    if (pattern.rfind("/fed/", 0) == 0) {
        pool = [](const Request& r) -> std::string {
            return r.Header("Concord-Priority") == "emergency" ? kEmergencyPool : kFederationPool;
        };
    }
    NodeService::Impl* service = &service_;
    router_.Add(
        method,
        pattern,
        [service, &requests, handler = std::move(handler)](Request& r) {
            requests.Increment();
            if (!service->EnterRequest()) {
                Response refused =
                    ErrorBody(503, "shutting_down", "the node is stopping; retry shortly");
                refused.headers.emplace_back("Retry-After", "5");
                return refused;
            }
            struct Leave {
                NodeService::Impl* service;
                ~Leave() { service->LeaveRequest(); }
            } leave{service};
            return handler(r);
        },
        std::move(pool)
    );
}

}  // namespace concord::server
