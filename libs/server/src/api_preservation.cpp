// GET /api/v1/preservation/queue: the provider's preservation orders, by default those the hook
// could not finish (the responders' queue; docs/operations.md "Preservation hook");
// POST /api/v1/preservation/queue/{id}/handled: a responder closes one answered by hand.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "concord/app/preservation_service.hpp"
#include "concord/core/time.hpp"

#include "api_routes.hpp"
#include "api_util.hpp"
#include "service_impl.hpp"

namespace concord::server {
namespace {

constexpr std::uint64_t kMaxQueueLimit = 1000;

boost::json::object OrderJson(const app::PreservationOrder& o) {
    boost::json::object j;
    j["message_id"] = o.message_id;
    j["sender"] = o.sender;
    j["priority"] = o.priority;
    j["request_type"] = o.request_type;
    j["received"] = FormatTimestamp(o.received_ms);
    j["state"] = app::OrderStateName(o.state);
    j["attempts"] = o.attempts;
    if (!o.error_code.empty()) {
        j["error_code"] = o.error_code;
        j["error"] = o.error;
        j["hook_stderr"] = o.hook_diagnostics;
    }
    if (!o.reference.empty()) {
        j["reference"] = o.reference;
        j["sha256"] = o.sha256;
    }
    if (!o.confirmation_id.empty()) {
        j["confirmation_id"] = o.confirmation_id;
    }
    if (o.finished_ms != 0) {
        j["finished"] = FormatTimestamp(o.finished_ms);
    }
    if (o.state == app::OrderState::kHandled) {
        j["handled_by"] = o.handled_by;
        j["handled_note"] = o.handled_note;
    }
    return j;
}

net::Response Queue(NodeService::Impl& s, net::Request& request) {
    if (!s.preservation) {
        return ErrorBody(503, "unavailable", "the preservation service is not running");
    }
    auto state = ChoiceParam(
        request,
        "state",
        {"queued_for_responder", "recorded", "confirmed", "handled", "all"},
        "queued_for_responder"
    );
    if (auto* refused = std::get_if<net::Response>(&state)) {
        return std::move(*refused);
    }
    auto limit = UnsignedParam(request, "limit", 1, kMaxQueueLimit, 100);
    if (auto* refused = std::get_if<net::Response>(&limit)) {
        return std::move(*refused);
    }
    std::optional<app::OrderState> filter;
    const std::string& name = std::get<std::string>(state);
    for (app::OrderState candidate :
         {app::OrderState::kQueuedForResponder,
          app::OrderState::kRecorded,
          app::OrderState::kConfirmed,
          app::OrderState::kHandled}) {
        if (app::OrderStateName(candidate) == name) {
            filter = candidate;
        }
    }
    auto orders = s.preservation->List(std::get<std::uint64_t>(limit), filter);
    if (!orders) {
        return FromError(orders.error());
    }
    boost::json::array items;
    for (const auto& o : *orders) {
        items.push_back(OrderJson(o));
    }
    boost::json::object root;
    root["orders"] = std::move(items);
    return net::Json(200, boost::json::serialize(root));
}

net::Response Handled(NodeService::Impl& s, net::Request& request, const app::Actor& actor) {
    if (!s.preservation) {
        return ErrorBody(503, "unavailable", "the preservation service is not running");
    }
    net::Response refusal;
    auto body = BodyObject(request, refusal);
    if (!body) {
        return refusal;
    }
    for (const auto& member : *body) {
        const std::string_view key = member.key();
        if ((key != "note" && key != "reference") || !member.value().is_string()) {
            return ErrorBody(
                400,
                "invalid_argument",
                "the body takes 'note' and 'reference', both strings; '" + ValidUtf8(key) +
                    "' is not one of them or not a string"
            );
        }
    }
    auto order = s.preservation->MarkHandled(
        request.Param("id"), actor, Text(*body, "note"), Text(*body, "reference")
    );
    if (!order) {
        return FromError(order.error());
    }
    return net::Json(200, boost::json::serialize(OrderJson(*order)));
}

}  // namespace

void AddPreservationRoutes(RouteTable& t, NodeService::Impl& service) {
    // The queue shows order metadata (sender, type, errors) of incoming messages: whoever may
    // read incoming messages may read it (responders, officers, the duty desk).
    t.Authed(
        "GET",
        "/api/v1/preservation/queue",
        app::Action::kMessageRead,
        [&service](net::Request& request, const app::Actor&) { return Queue(service, request); }
    );
    // Closing an order answered by hand: whoever may open incoming messages (responders,
    // officers, the duty desk), since answering one by hand means opening it.
    t.Authed(
        "POST",
        "/api/v1/preservation/queue/{id}/handled",
        app::Action::kMessageOpen,
        [&service](net::Request& request, const app::Actor& actor) {
            return Handled(service, request, actor);
        }
    );
}

}  // namespace concord::server
