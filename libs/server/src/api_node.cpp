// The node itself on the local API: health, metrics, identity, live events and alerts.

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "concord/federation/directory.hpp"

#include "api_routes.hpp"
#include "api_util.hpp"

namespace concord::server {
namespace {

using net::Json;
using net::Request;
using net::Response;

Response Health(NodeService::Impl& s, Request&) {
    boost::json::object o;
    o["status"] = "ok";
    o["node"] = s.config.node_id;
    o["directory_serial"] = ToJson(s.node->Directory()->serial);
    auto size = s.node->LedgerSize();
    if (!size) {
        return FromError(Error{ErrorCode::kUnavailable, "health: " + size.error().ToString()});
    }
    o["ledger_size"] = ToJson(*size);
    return Json(200, boost::json::serialize(o));
}

Response Metrics(NodeService::Impl& s, Request&) {
    Response r;
    r.content_type = net::Metrics::kContentType;
    r.body = s.metrics.Render();
    return r;
}

Response NodeInfo(NodeService::Impl& s, Request&) {
    const auto dir = s.node->Directory();
    boost::json::object o;
    o["node"] = s.config.node_id;
    if (const auto* self = dir->FindNode(s.config.node_id)) {
        o["entry"] = federation::NodeEntryToJson(*self);
    }
    o["directory_serial"] = ToJson(dir->serial);
    boost::json::array peers;
    for (const auto& n : dir->nodes) {
        if (n.id != s.config.node_id) {
            peers.push_back(federation::NodeEntryToJson(n));
        }
    }
    o["peers"] = std::move(peers);
    auto size = s.node->LedgerSize();
    o["ledger_size"] = size ? ToJson(*size) : -1;
    return Json(200, boost::json::serialize(o));
}

Response Events(NodeService::Impl& s, Request&) {
    Response r;
    r.event_stream = s.events;
    return r;
}

Response Alerts(NodeService::Impl& s, Request&) {
    auto alerts = s.node->Alerts(100);
    if (!alerts) {
        return FromError(alerts.error());
    }
    boost::json::array items;
    for (const auto& a : *alerts) {
        boost::json::object o;
        o["seq"] = a.seq;
        o["kind"] = federation::AlertKindName(a.kind);
        o["peer"] = a.peer;
        o["message"] = a.message;
        o["evidence"] = a.evidence;
        o["created_ms"] = a.created_ms;
        items.push_back(std::move(o));
    }
    boost::json::object o;
    o["alerts"] = std::move(items);
    return Json(200, boost::json::serialize(o));
}
}  // namespace

void AddHealthRoute(RouteTable& t, NodeService::Impl& s) {
    t.Open("GET", "/healthz", [&s](Request& r) { return Health(s, r); });
}

void AddNodeRoutes(RouteTable& t, NodeService::Impl& s) {
    AddHealthRoute(t, s);
    if (s.config.metrics) {
        t.Open("GET", "/metrics", [&s](Request& r) { return Metrics(s, r); });
    }
    t.Authed("GET", "/api/v1/node", app::Action::kNodeRead, [&s](Request& r, const app::Actor&) {
        return NodeInfo(s, r);
    });
    t.Authed(
        "GET",
        "/api/v1/events",
        app::Action::kEventStream,
        [&s](Request& r, const app::Actor&) { return Events(s, r); }
    );
    t.Authed("GET", "/api/v1/alerts", app::Action::kAlertRead, [&s](Request& r, const app::Actor&) {
        return Alerts(s, r);
    });
}

}  // namespace concord::server
