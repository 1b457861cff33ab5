// HTTP routes of a node: federation (/fed/v1), local API (/api/v1), health and metrics.
// docs/api/openapi.json documents every route; api_test keeps the two in step.

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "concord/core/canonical_json.hpp"
#include "concord/crypto/compare.hpp"
#include "concord/federation/signed_json.hpp"
#include "concord/legal/check.hpp"
#include "concord/legal/json_view.hpp"
#include "concord/legal/render.hpp"
#include "concord/server/init.hpp"

#include "service_impl.hpp"

namespace concord::server {
namespace {

using federation::GetOptionalString;
using federation::GetString;
using net::ErrorJson;
using net::Json;
using net::Request;
using net::Response;

std::int64_t ToJson(std::uint64_t v) {
    return static_cast<std::int64_t>(v);
}

Response FromError(const Error& error) {
    switch (error.code) {
        case ErrorCode::kInvalidArgument:
            return ErrorJson(400, "invalid_argument", error.message);
        case ErrorCode::kNotFound:
            return ErrorJson(404, "not_found", error.message);
        case ErrorCode::kAlreadyExists:
            return ErrorJson(409, "already_exists", error.message);
        case ErrorCode::kUnauthenticated:
            return ErrorJson(401, "unauthenticated", error.message);
        case ErrorCode::kPermissionDenied:
            return ErrorJson(403, "permission_denied", error.message);
        case ErrorCode::kUnavailable:
            return ErrorJson(503, "unavailable", error.message);
        default:
            return ErrorJson(500, "internal", "internal error");
    }
}

boost::json::object SummaryJson(const federation::MessageSummary& s) {
    boost::json::object o;
    o["box"] = s.direction == "in" ? "inbox" : "outbox";
    o["id"] = s.id;
    o["peer"] = s.peer;
    o["type"] = s.type;
    o["priority"] = s.priority;
    if (!s.in_reply_to.empty()) {
        o["in_reply_to"] = s.in_reply_to;
    }
    o["time"] = s.time;
    o["status"] = s.status;
    o["attempts"] = s.attempts;
    if (!s.last_error.empty()) {
        o["last_error"] = s.last_error;
    }
    o["ledger_index"] = ToJson(s.ledger_index);
    return o;
}

Result<std::string> Box(const Request& request) {
    const std::string box = request.QueryParam("box").value_or("inbox");
    if (box == "inbox") {
        return std::string("in");
    }
    if (box == "outbox") {
        return std::string("out");
    }
    return MakeError(ErrorCode::kInvalidArgument, "box must be 'inbox' or 'outbox'");
}

// The reader's language: ?lang=, else Accept-Language, else `fallback`.
std::string Language(const Request& request, std::string fallback = "en") {
    if (auto lang = request.QueryParam("lang")) {
        return *lang;
    }
    if (auto header = request.Header("Accept-Language"); header && header->size() >= 2) {
        return header->substr(0, 2);
    }
    return fallback;
}

class Routes {
public:
    explicit Routes(NodeService::Impl& s) : s_(s) {}

    // Wraps a local API handler with bearer-token authentication.
    net::Handler Authenticated(std::function<Response(Request&)> handler) {
        return [this, handler = std::move(handler)](Request& request) {
            const auto header = request.Header("Authorization").value_or("");
            const std::string prefix = "Bearer ";
            const std::string presented =
                header.rfind(prefix, 0) == 0 ? HashApiToken(header.substr(prefix.size())) : "";
            if (presented.empty() || !crypto::ConstantTimeEqual(
                                         AsBytes(presented), AsBytes(s_.config.api_token_sha256)
                                     )) {
                Response r =
                    ErrorJson(401, "unauthenticated", "a valid API bearer token is required");
                r.headers.emplace_back("WWW-Authenticate", "Bearer");
                return r;
            }
            return handler(request);
        };
    }

    Response Health(Request&) {
        boost::json::object o;
        o["status"] = "ok";
        o["node"] = s_.config.node_id;
        o["directory_serial"] = ToJson(s_.node->directory()->serial);
        auto size = s_.node->LedgerSize();
        if (!size) {
            return ErrorJson(503, "unavailable", "store: " + size.error().message);
        }
        o["ledger_size"] = ToJson(*size);
        return Json(200, boost::json::serialize(o));
    }

    Response Metrics(Request&) {
        Response r;
        r.content_type = net::Metrics::kContentType;
        r.body = s_.metrics.Render();
        return r;
    }

    Response FedMessages(Request& request) {
        const bool proof = request.QueryParam("proof").value_or("") == "1";
        federation::IntakeReply reply = s_.node->Receive(request.body, proof);
        Response r = Json(reply.status, std::move(reply.body));
        if (reply.duplicate) {
            r.headers.emplace_back("Concord-Duplicate", "true");
        }
        return r;
    }

    Response FedCheckpoint(Request& request) {
        std::uint64_t old_size = 0;
        const std::string text = request.QueryParam("old_size").value_or("0");
        try {
            std::size_t used = 0;
            old_size = std::stoull(text, &used);
            if (used != text.size()) {
                throw std::invalid_argument(text);
            }
        } catch (const std::exception&) {
            return ErrorJson(400, "invalid_argument", "old_size must be a non-negative integer");
        }
        auto reply = s_.node->CheckpointReply(old_size);
        return reply ? Json(200, std::move(*reply)) : FromError(reply.error());
    }

    Response FedOtherVersion(Request& request) {
        return ErrorJson(
            400,
            "unsupported_version",
            "this node speaks /fed/v1 only, not /fed/" + request.Param("version")
        );
    }

    Response NodeInfo(Request&) {
        const auto dir = s_.node->directory();
        boost::json::object o;
        o["node"] = s_.config.node_id;
        if (const auto* self = dir->FindNode(s_.config.node_id)) {
            o["entry"] = federation::NodeEntryToJson(*self);
        }
        o["directory_serial"] = ToJson(dir->serial);
        boost::json::array peers;
        for (const auto& n : dir->nodes) {
            if (n.id != s_.config.node_id) {
                peers.push_back(federation::NodeEntryToJson(n));
            }
        }
        o["peers"] = std::move(peers);
        auto size = s_.node->LedgerSize();
        o["ledger_size"] = size ? ToJson(*size) : -1;
        return Json(200, boost::json::serialize(o));
    }

    Response Submit(Request& request) {
        auto object = federation::ParseObject(request.body);
        if (!object) {
            return ErrorJson(400, "invalid_argument", object.error().message);
        }
        federation::OutgoingMessage m;
        auto fields = [&]() -> Result<void> {
            CONCORD_ASSIGN_OR_RETURN(m.to, GetString(*object, "to"));
            CONCORD_ASSIGN_OR_RETURN(m.type, GetString(*object, "type"));
            CONCORD_ASSIGN_OR_RETURN(m.priority, GetOptionalString(*object, "priority"));
            CONCORD_ASSIGN_OR_RETURN(m.in_reply_to, GetOptionalString(*object, "in_reply_to"));
            return {};
        }();
        if (!fields) {
            return ErrorJson(400, "invalid_argument", fields.error().message);
        }
        if (m.priority.empty()) {
            m.priority = "normal";
        }
        const auto* body = object->if_contains("body");
        if (body == nullptr) {
            return ErrorJson(400, "invalid_argument", "field 'body': missing");
        }
        m.body_json = federation::CanonicalText(*body);
        if (m.type == "request") {
            // A request is a legal request form: it leaves only if it validates.
            auto findings = legal::CheckRequest(*s_.catalog, m.body_json, Language(request));
            if (legal::HasErrors(findings)) {
                boost::json::object error;
                error["code"] = "validation_failed";
                error["message"] = "the request has validation errors; see findings";
                boost::json::object o;
                o["error"] = std::move(error);
                o["findings"] = boost::json::parse(legal::FindingsToJson(findings));
                return Json(422, boost::json::serialize(o));
            }
        }
        auto submitted = s_.node->Submit(m);
        if (!submitted) {
            return FromError(submitted.error());
        }
        boost::json::object o;
        o["id"] = submitted->id;
        o["status"] = "queued";
        o["ledger_index"] = ToJson(submitted->ledger_index);
        Response r = Json(201, boost::json::serialize(o));
        r.headers.emplace_back("Location", "/api/v1/messages/" + submitted->id + "?box=outbox");
        return r;
    }

    Response List(Request& request) {
        auto box = Box(request);
        if (!box) {
            return FromError(box.error());
        }
        std::size_t limit = 100;
        if (auto text = request.QueryParam("limit")) {
            try {
                limit = std::stoul(*text);
            } catch (const std::exception&) {
                return ErrorJson(400, "invalid_argument", "limit must be a positive integer");
            }
        }
        auto list = s_.node->List(*box, limit, request.QueryParam("before").value_or(""));
        if (!list) {
            return FromError(list.error());
        }
        boost::json::array items;
        for (const auto& s : *list) {
            items.push_back(SummaryJson(s));
        }
        boost::json::object o;
        o["messages"] = std::move(items);
        return Json(200, boost::json::serialize(o));
    }

    Response Read(Request& request) {
        auto box = Box(request);
        if (!box) {
            return FromError(box.error());
        }
        auto detail = s_.node->Read(*box, request.Param("id"), /*by_person=*/true);
        if (!detail) {
            return FromError(detail.error());
        }
        boost::json::object o = SummaryJson(detail->summary);
        boost::system::error_code ec;
        o["body"] = boost::json::parse(detail->body, ec);
        o["envelope"] = detail->envelope;
        o["envelope_sha256"] = detail->envelope_sha256;
        boost::json::array evidence;
        for (const auto& e : detail->evidence) {
            evidence.emplace_back(e);
        }
        o["evidence"] = std::move(evidence);
        if (!detail->receiver_proof.empty()) {
            o["receiver_proof"] = detail->receiver_proof;
            o["receiver_leaf"] = detail->receiver_leaf;
        }
        o["own_proof"] = detail->own_proof;
        if (detail->summary.type == "request") {
            // Rendered in the reader's language; by default the node's first listed language.
            std::string fallback = "en";
            if (const auto* self = s_.node->directory()->FindNode(s_.config.node_id);
                self != nullptr && !self->languages.empty()) {
                fallback = self->languages.front();
            }
            auto rendered =
                legal::RenderRequest(*s_.catalog, detail->body, Language(request, fallback));
            if (rendered) {
                o["rendered"] = *rendered;
            }
        }
        return Json(200, boost::json::serialize(o));
    }

    Response Events(Request&) {
        Response r;
        r.event_stream = s_.events;
        return r;
    }

    Response Alerts(Request&) {
        auto alerts = s_.node->Alerts(100);
        if (!alerts) {
            return FromError(alerts.error());
        }
        boost::json::array items;
        for (const auto& a : *alerts) {
            boost::json::object o;
            o["seq"] = a.seq;
            o["kind"] = a.kind;
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

    Response LedgerProof(Request& request) {
        std::uint64_t index = 0;
        try {
            index = std::stoull(request.QueryParam("index").value_or(""));
        } catch (const std::exception&) {
            return ErrorJson(400, "invalid_argument", "index must be a non-negative integer");
        }
        auto proof = s_.node->LedgerProof(index);
        if (!proof) {
            return FromError(proof.error());
        }
        Response r;
        r.content_type = "text/plain; charset=utf-8";
        r.body = std::move(*proof);
        return r;
    }

    Response LegalInstruments(Request& request) {
        return Json(200, legal::InstrumentsJson(*s_.catalog, Language(request)));
    }

    Response LegalOffences(Request& request) {
        auto json = legal::OffencesJson(
            *s_.catalog, request.QueryParam("instrument").value_or(""), Language(request)
        );
        return json ? Json(200, std::move(*json)) : FromError(json.error());
    }

    Response LegalMap(Request& request) {
        auto json = legal::MappingJson(
            *s_.catalog, request.QueryParam("article").value_or(""), Language(request)
        );
        return json ? Json(200, std::move(*json)) : FromError(json.error());
    }

    Response LegalCheck(Request& request) {
        auto findings = legal::CheckRequest(*s_.catalog, request.body, Language(request));
        boost::json::object o;
        o["valid"] = !legal::HasErrors(findings);
        o["findings"] = boost::json::parse(legal::FindingsToJson(findings));
        return Json(200, boost::json::serialize(o));
    }

private:
    NodeService::Impl& s_;
};

}  // namespace

void AddRoutes(net::Router& router, NodeService::Impl& service) {
    auto routes = std::make_shared<Routes>(service);
    // Every route counts its requests in concord_http_requests_total{route}.
    auto add = [&](const std::string& method, const std::string& pattern, net::Handler handler) {
        net::Counter& requests = service.metrics.AddCounter(
            "concord_http_requests_total",
            "HTTP requests handled, by route",
            {{"route", method + " " + pattern}}
        );
        net::PoolChooser pool;  // null: the default pool (local API, health, metrics)
        if (pattern.rfind("/fed/", 0) == 0) {
            pool = [](const Request& r) -> std::string {
                return r.Header("Concord-Priority") == "emergency" ? kEmergencyPool
                                                                   : kFederationPool;
            };
        }
        auto counted = [&requests, handler = std::move(handler)](Request& r) {
            requests.Increment();
            return handler(r);
        };
        router.Add(method, pattern, std::move(counted), std::move(pool));
    };
    auto bind = [routes](Response (Routes::*method)(Request&)) -> net::Handler {
        return [routes, method](Request& r) { return ((*routes).*method)(r); };
    };
    auto api = [routes, bind](Response (Routes::*method)(Request&)) {
        return routes->Authenticated(bind(method));
    };
    add("GET", "/healthz", bind(&Routes::Health));
    add("GET", "/metrics", bind(&Routes::Metrics));
    add("POST", "/fed/v1/messages", bind(&Routes::FedMessages));
    add("GET", "/fed/v1/checkpoint", bind(&Routes::FedCheckpoint));
    add("POST", "/fed/{version}/messages", bind(&Routes::FedOtherVersion));
    add("GET", "/api/v1/node", api(&Routes::NodeInfo));
    add("POST", "/api/v1/messages", api(&Routes::Submit));
    add("GET", "/api/v1/messages", api(&Routes::List));
    add("GET", "/api/v1/messages/{id}", api(&Routes::Read));
    add("GET", "/api/v1/events", api(&Routes::Events));
    add("GET", "/api/v1/alerts", api(&Routes::Alerts));
    add("GET", "/api/v1/ledger/proof", api(&Routes::LedgerProof));
    add("POST", "/api/v1/legal/check", api(&Routes::LegalCheck));
    add("GET", "/api/v1/legal/instruments", api(&Routes::LegalInstruments));
    add("GET", "/api/v1/legal/offences", api(&Routes::LegalOffences));
    add("GET", "/api/v1/legal/map", api(&Routes::LegalMap));
}

std::vector<std::pair<std::string, std::string>> NodeService::Routes() {
    NodeService::Impl unused;
    net::Router router;
    AddRoutes(router, unused);
    return router.Routes();
}

}  // namespace concord::server
