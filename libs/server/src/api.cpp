// HTTP routes of a node: federation (/fed/v1), local API (/api/v1), health and metrics.
// docs/api/openapi.json documents every route; api_test keeps the two in step.

#include <atomic>
#include <charconv>
#include <optional>
#include <variant>

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "concord/core/canonical_json.hpp"
#include "concord/core/log.hpp"
#include "concord/core/utf8.hpp"
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
using net::Json;

// The largest ledger index or tree size a query may name (the store's int64 range).
constexpr std::uint64_t kMaxIndex = (std::uint64_t{1} << 63) - 1;
// The most messages one GET /api/v1/messages returns.
constexpr std::uint64_t kMaxListLimit = 1000;
using net::Request;
using net::Response;

std::int64_t ToJson(std::uint64_t v) {
    return static_cast<std::int64_t>(v);
}

// `text` with every ill-formed UTF-8 sequence replaced by U+FFFD, so that an echoed path, id or
// parameter never makes an error body invalid JSON text.
std::string ValidUtf8(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t pos = 0; pos < text.size();) {
        const std::size_t len = Utf8SequenceLength(text, pos);
        if (len == 0) {
            out += "\xEF\xBF\xBD";
            ++pos;
        } else {
            out.append(text.substr(pos, len));
            pos += len;
        }
    }
    return out;
}

// {"error":{"code":CODE,"message":MESSAGE, ...extra}} with `status`.
Response ErrorBody(
    unsigned status, std::string_view code, std::string_view message, boost::json::object extra = {}
) {
    boost::json::object error = std::move(extra);
    error["code"] = code;
    error["message"] = ValidUtf8(message);
    boost::json::object root;
    root["error"] = std::move(error);
    return Json(status, boost::json::serialize(root));
}

// True for an error that comes from a storage backend: its text (SQL, constraint names, file
// paths) is for the operator's log, never for a client.
bool IsStoreError(const Error& error) {
    const std::string_view m = error.message;
    return m.starts_with("sqlite") || m.starts_with("postgres") || m.starts_with("store");
}

// The one mapping from Error to an HTTP answer. Errors a client can act on keep their message;
// store errors and broken invariants are logged with an incident number and answered with a
// generic message.
Response FromError(const Error& error) {
    static std::atomic<std::uint64_t> incidents{0};
    const bool internal = IsStoreError(error) || error.code == ErrorCode::kCorruption ||
                          error.code == ErrorCode::kInternal;
    if (internal || error.code == ErrorCode::kUnavailable) {
        const std::uint64_t incident = incidents.fetch_add(1) + 1;
        log::Error(
            internal ? "internal error answering a request" : "request refused: unavailable",
            {{"incident", static_cast<long long>(incident)}, {"error", error.ToString()}}
        );
        boost::json::object extra;
        extra["incident"] = static_cast<std::int64_t>(incident);
        if (error.code == ErrorCode::kUnavailable) {
            return ErrorBody(
                503, "unavailable", "the node cannot serve this now; retry later", std::move(extra)
            );
        }
        return ErrorBody(
            500, "internal", "internal error; the node's log has the details", std::move(extra)
        );
    }
    switch (error.code) {
        case ErrorCode::kInvalidArgument:
            return ErrorBody(400, "invalid_argument", error.message);
        case ErrorCode::kNotFound:
            return ErrorBody(404, "not_found", error.message);
        case ErrorCode::kAlreadyExists:
            return ErrorBody(409, "already_exists", error.message);
        case ErrorCode::kUnauthenticated:
            return ErrorBody(401, "unauthenticated", error.message);
        case ErrorCode::kPermissionDenied:
            return ErrorBody(403, "permission_denied", error.message);
        default:
            return ErrorBody(500, "internal", "internal error");
    }
}

// A refused query parameter: 400 invalid_parameter naming it.
Response ParameterError(std::string_view name, std::string_view reason) {
    boost::json::object extra;
    extra["parameter"] = ValidUtf8(name);
    return ErrorBody(
        400,
        "invalid_parameter",
        "query parameter '" + std::string(name) + "': " + std::string(reason),
        std::move(extra)
    );
}

// Query parameter `name` as an unsigned decimal integer from `min` to `max`: digits only (no
// sign, exponent, fraction, space or trailing text), or `fallback` when absent. An absent
// parameter without a fallback, or an empty one, is refused.
std::variant<std::uint64_t, Response> UnsignedParam(
    const Request& request,
    std::string_view name,
    std::uint64_t min,
    std::uint64_t max,
    std::optional<std::uint64_t> fallback = std::nullopt
) {
    const auto text = request.QueryParam(name);
    if (!text) {
        if (fallback) {
            return *fallback;
        }
        return ParameterError(name, "is required");
    }
    const std::string range = "must be an integer from " + std::to_string(min) + " to " +
                              std::to_string(max);
    std::uint64_t value = 0;
    const char* end = text->data() + text->size();
    const auto [ptr, ec] = std::from_chars(text->data(), end, value);
    const bool digits_only =
        !text->empty() && text->find_first_not_of("0123456789") == std::string::npos;
    if (!digits_only || ec != std::errc{} || ptr != end || value < min || value > max) {
        return ParameterError(name, range + ", not '" + *text + "'");
    }
    return value;
}

// Query parameter `name` as one of `allowed`, or `fallback` when absent.
std::variant<std::string, Response> ChoiceParam(
    const Request& request,
    std::string_view name,
    std::initializer_list<std::string_view> allowed,
    std::string_view fallback
) {
    const auto text = request.QueryParam(name);
    if (!text) {
        return std::string(fallback);
    }
    std::string list;
    for (std::string_view a : allowed) {
        if (*text == a) {
            return *text;
        }
        list += (list.empty() ? "'" : ", '") + std::string(a) + "'";
    }
    return ParameterError(name, "must be one of " + list + ", not '" + *text + "'");
}

// Parses JSON text from a client or the store with the documented nesting limit
// (docs/formats/canonical-json.md), not Boost's default of 32.
boost::json::value ParseJson(std::string_view text, boost::system::error_code& ec) {
    boost::json::parse_options options;
    options.max_depth = json::kMaxNestingDepth;
    return boost::json::parse(text, ec, {}, options);
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

// ?box= as the store's direction: "in" (inbox, the default) or "out".
std::variant<std::string, Response> Box(const Request& request) {
    auto box = ChoiceParam(request, "box", {"inbox", "outbox"}, "inbox");
    if (auto* text = std::get_if<std::string>(&box)) {
        return std::string(*text == "inbox" ? "in" : "out");
    }
    return box;
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

// The token of an "Authorization: Bearer TOKEN" field. The scheme is case-insensitive
// (RFC 9110 §11.1) and followed by one or more spaces; "" when the field is not a bearer token.
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

class Routes {
public:
    explicit Routes(NodeService::Impl& s) : s_(s) {}

    // Wraps a local API handler with bearer-token authentication.
    net::Handler Authenticated(std::function<Response(Request&)> handler) {
        return [this, handler = std::move(handler)](Request& request) {
            const std::string token = BearerToken(request.Header("Authorization").value_or(""));
            const std::string presented = token.empty() ? "" : HashApiToken(token);
            if (presented.empty() || !crypto::ConstantTimeEqual(
                                         AsBytes(presented), AsBytes(s_.config.api_token_sha256)
                                     )) {
                Response r =
                    ErrorBody(401, "unauthenticated", "a valid API bearer token is required");
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
            return FromError(Error{ErrorCode::kUnavailable, "health: " + size.error().ToString()});
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
        auto old_size = UnsignedParam(request, "old_size", 0, kMaxIndex, 0);
        if (auto* refused = std::get_if<Response>(&old_size)) {
            return std::move(*refused);
        }
        auto reply = s_.node->CheckpointReply(std::get<std::uint64_t>(old_size));
        return reply ? Json(200, std::move(*reply)) : FromError(reply.error());
    }

    Response FedOtherVersion(Request& request) {
        return ErrorBody(
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
            return ErrorBody(400, "invalid_argument", object.error().message);
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
            return ErrorBody(400, "invalid_argument", fields.error().message);
        }
        if (m.priority.empty()) {
            m.priority = "normal";
        }
        const auto* body = object->if_contains("body");
        if (body == nullptr) {
            return ErrorBody(400, "invalid_argument", "field 'body': missing");
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
        if (auto* refused = std::get_if<Response>(&box)) {
            return std::move(*refused);
        }
        auto limit = UnsignedParam(request, "limit", 1, kMaxListLimit, 100);
        if (auto* refused = std::get_if<Response>(&limit)) {
            return std::move(*refused);
        }
        auto list = s_.node->List(
            std::get<std::string>(box),
            std::get<std::uint64_t>(limit),
            request.QueryParam("before").value_or("")
        );
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
        if (auto* refused = std::get_if<Response>(&box)) {
            return std::move(*refused);
        }
        auto detail =
            s_.node->Read(std::get<std::string>(box), request.Param("id"), /*by_person=*/true);
        if (!detail) {
            return FromError(detail.error());
        }
        boost::json::object o = SummaryJson(detail->summary);
        boost::system::error_code ec;
        o["body"] = ParseJson(detail->body, ec);
        if (ec) {
            return FromError(Error{ErrorCode::kCorruption, "stored body: " + ec.message()});
        }
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
        auto index = UnsignedParam(request, "index", 0, kMaxIndex);
        if (auto* refused = std::get_if<Response>(&index)) {
            return std::move(*refused);
        }
        auto proof = s_.node->LedgerProof(std::get<std::uint64_t>(index));
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

namespace {

// Registers routes of one listener; every route counts its requests in
// concord_http_requests_total{route}.
class RouteTable {
public:
    RouteTable(net::Router& router, NodeService::Impl& service)
        : router_(router), service_(service), routes_(std::make_shared<Routes>(service)) {}

    using Method = Response (Routes::*)(Request&);

    /// A route open to any client of the listener.
    void Open(const std::string& method, const std::string& pattern, Method handler) {
        Add(method, pattern, Bind(handler));
    }

    /// A route that needs the local API bearer token.
    void Token(const std::string& method, const std::string& pattern, Method handler) {
        Add(method, pattern, routes_->Authenticated(Bind(handler)));
    }

private:
    net::Handler Bind(Method method) const {
        return [routes = routes_, method](Request& r) { return ((*routes).*method)(r); };
    }

    void Add(const std::string& method, const std::string& pattern, net::Handler handler) {
        net::Counter& requests = service_.metrics.AddCounter(
            "concord_http_requests_total",
            "HTTP requests handled, by route",
            {{"route", method + " " + pattern}}
        );
        router_.Add(method, pattern, [&requests, handler = std::move(handler)](Request& r) {
            requests.Increment();
            return handler(r);
        });
    }

    net::Router& router_;
    NodeService::Impl& service_;
    std::shared_ptr<Routes> routes_;
};

}  // namespace

void AddFederationRoutes(net::Router& router, NodeService::Impl& service) {
    RouteTable t(router, service);
    t.Open("GET", "/healthz", &Routes::Health);
    t.Open("POST", "/fed/v1/messages", &Routes::FedMessages);
    t.Open("GET", "/fed/v1/checkpoint", &Routes::FedCheckpoint);
    t.Open("POST", "/fed/{version}/messages", &Routes::FedOtherVersion);
}

void AddApiRoutes(net::Router& router, NodeService::Impl& service) {
    RouteTable t(router, service);
    t.Open("GET", "/healthz", &Routes::Health);
    if (service.config.metrics) {
        t.Open("GET", "/metrics", &Routes::Metrics);
    }
    t.Token("GET", "/api/v1/node", &Routes::NodeInfo);
    t.Token("POST", "/api/v1/messages", &Routes::Submit);
    t.Token("GET", "/api/v1/messages", &Routes::List);
    t.Token("GET", "/api/v1/messages/{id}", &Routes::Read);
    t.Token("GET", "/api/v1/events", &Routes::Events);
    t.Token("GET", "/api/v1/alerts", &Routes::Alerts);
    t.Token("GET", "/api/v1/ledger/proof", &Routes::LedgerProof);
    t.Token("POST", "/api/v1/legal/check", &Routes::LegalCheck);
    t.Token("GET", "/api/v1/legal/instruments", &Routes::LegalInstruments);
    t.Token("GET", "/api/v1/legal/offences", &Routes::LegalOffences);
    t.Token("GET", "/api/v1/legal/map", &Routes::LegalMap);
}

std::vector<std::pair<std::string, std::string>> NodeService::Routes() {
    NodeService::Impl unused;
    unused.config.metrics = true;
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

}  // namespace concord::server
