#include "api_routes.hpp"

#include <variant>

#include <boost/json/object.hpp>

#include "concord/core/log.hpp"

#include "api_auth.hpp"
#include "api_util.hpp"

namespace concord::server {

using net::Request;
using net::Response;

namespace {

// Records a refusal of an authenticated caller (docs/permissions.md "Every deny is logged"): an
// audit leaf `access.denied` naming the actor, the action and the route pattern (never the
// path, which may carry ids, nor anything of the request), and a log line with the same. `stage`
// is "policy" when the route's action was refused, "use_case" when the use case refused (a
// case of another unit, a token the node cannot hold). A failed append is logged; the answer
// stays 403.
void RecordDenial(
    NodeService::Impl& service,
    const app::Actor& actor,
    app::Action action,
    const std::string& route,
    std::string_view stage
) {
    log::Info(
        "access denied",
        {{"actor", actor.Label()},
         {"action", std::string(app::ActionName(action))},
         {"route", route},
         {"stage", std::string(stage)}}
    );
    if (service.node == nullptr) {
        return;
    }
    boost::json::object leaf;
    leaf["event"] = "access.denied";
    leaf["action"] = app::ActionName(action);
    leaf["route"] = route;
    leaf["stage"] = stage;
    app::NameActor(leaf, actor);
    if (auto appended = service.node->AppendEvent(leaf, actor.Label()); !appended) {
        log::Error(
            "cannot audit a denied request",
            {{"route", route}, {"error", appended.error().ToString()}}
        );
    }
}

}  // namespace

RouteTable::RouteTable(net::Router& router, NodeService::Impl& service)
    : router_(router), service_(service) {}

void RouteTable::Open(const std::string& method, const std::string& pattern, Handler handler) {
    policies_.push_back(RoutePolicy{method, pattern, ""});
    Add(method, pattern, std::move(handler));
}

namespace {

// Authenticates the caller of `route` and asks the policy whether they may do `action`: the
// caller, or the answer that refuses them (401, 403 with its audit leaf, a store failure).
std::variant<app::Actor, Response> Admit(
    NodeService::Impl& service, Request& request, app::Action action, const std::string& route
) {
    auto actor = Authenticate(request, service);
    if (!actor && actor.error().code != ErrorCode::kUnauthenticated) {
        return FromError(actor.error());  // a refused CSRF token, a store failure
    }
    if (!actor) {
        Response r = ErrorBody(401, "unauthenticated", actor.error().message);
        r.headers.emplace_back("WWW-Authenticate", "Bearer");
        return r;
    }
    if (auto allowed = app::Decide(*actor, action); !allowed) {
        RecordDenial(service, *actor, action, route, "policy");
        return FromError(allowed.error());
    }
    return std::move(*actor);
}

// The handler's answer, with the audit leaf of a refusal by the use case.
Response Answered(
    NodeService::Impl& service,
    const app::Actor& actor,
    app::Action action,
    const std::string& route,
    Response response
) {
    if (response.status == 403) {
        RecordDenial(service, actor, action, route, "use_case");
    }
    return response;
}

}  // namespace

void RouteTable::Authed(
    const std::string& method, const std::string& pattern, app::Action action, AuthedHandler handler
) {
    policies_.push_back(RoutePolicy{method, pattern, std::string(app::ActionName(action))});
    NodeService::Impl* service = &service_;
    Add(method,
        pattern,
        [service, action, route = method + " " + pattern, handler = std::move(handler)](
            Request& request
        ) -> Response {
            auto admitted = Admit(*service, request, action, route);
            if (auto* refused = std::get_if<Response>(&admitted)) {
                return std::move(*refused);
            }
            const auto& actor = std::get<app::Actor>(admitted);
            return Answered(*service, actor, action, route, handler(request, actor));
        });
}

void RouteTable::OpenStreaming(
    const std::string& method,
    const std::string& pattern,
    StreamHandler handler,
    net::StreamOptions options
) {
    policies_.push_back(RoutePolicy{method, pattern, ""});
    NodeService::Impl* service = &service_;
    net::Counter& requests = Count(method, pattern);
    router_.AddStreaming(
        method,
        pattern,
        [service,
         &requests,
         handler = std::move(handler)](Request& request, net::BodySource& body) -> Response {
            return Counted(*service, requests, [&]() { return handler(request, body); });
        },
        options
    );
}

void RouteTable::AuthedStreaming(
    const std::string& method,
    const std::string& pattern,
    app::Action action,
    AuthedStreamHandler handler,
    net::StreamOptions options
) {
    policies_.push_back(RoutePolicy{method, pattern, std::string(app::ActionName(action))});
    NodeService::Impl* service = &service_;
    net::Counter& requests = Count(method, pattern);
    router_.AddStreaming(
        method,
        pattern,
        [service, &requests, action, route = method + " " + pattern, handler = std::move(handler)](
            Request& request, net::BodySource& body
        ) -> Response {
            return Counted(*service, requests, [&]() -> Response {
                auto admitted = Admit(*service, request, action, route);
                if (auto* refused = std::get_if<Response>(&admitted)) {
                    return std::move(*refused);
                }
                const auto& actor = std::get<app::Actor>(admitted);
                return Answered(*service, actor, action, route, handler(request, body, actor));
            });
        },
        options
    );
}

net::Counter& RouteTable::Count(const std::string& method, const std::string& pattern) {
    return service_.metrics.AddCounter(
        "concord_http_requests_total",
        "HTTP requests handled, by route",
        {{"route", method + " " + pattern}}
    );
}

Response RouteTable::Counted(
    NodeService::Impl& service, net::Counter& requests, const std::function<Response()>& run
) {
    requests.Increment();
    if (!service.EnterRequest()) {
        Response refused = ErrorBody(503, "shutting_down", "the node is stopping; retry shortly");
        refused.headers.emplace_back("Retry-After", "5");
        return refused;
    }
    struct Leave {
        NodeService::Impl* service;
        ~Leave() { service->LeaveRequest(); }
    } leave{&service};
    return run();
}

void RouteTable::Add(const std::string& method, const std::string& pattern, net::Handler handler) {
    net::Counter& requests = Count(method, pattern);
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
            return Counted(*service, requests, [&] { return handler(r); });
        },
        std::move(pool)
    );
}

}  // namespace concord::server
