// HTTP routes of a node: federation (/fed/v1), local API (/api/v1), health and metrics.
// docs/api/openapi.json documents every route; service_test keeps the two in step.

#include <algorithm>
#include <atomic>
#include <charconv>
#include <optional>
#include <variant>

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "concord/core/canonical_json.hpp"
#include "concord/core/id.hpp"
#include "concord/core/log.hpp"
#include "concord/core/time.hpp"
#include "concord/core/utf8.hpp"
#include "concord/crypto/compare.hpp"
#include "concord/crypto/sha256.hpp"
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
using net::Request;
using net::Response;

// The largest ledger index or tree size a query may name (the store's int64 range).
constexpr std::uint64_t kMaxIndex = (std::uint64_t{1} << 63) - 1;
// The most messages one GET /api/v1/messages returns.
constexpr std::uint64_t kMaxListLimit = 1000;

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
    const std::string range =
        "must be an integer from " + std::to_string(min) + " to " + std::to_string(max);
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

// An Idempotency-Key value: 1 to 255 visible ASCII characters.
bool IsIdempotencyKey(std::string_view key) {
    return !key.empty() && key.size() <= 255 &&
           std::all_of(key.begin(), key.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

// The members of POST /api/v1/messages, checked for form and sense: only known members, a
// node id as recipient, a type name, priority "normal" (default) or "emergency", a UUIDv7 as
// in_reply_to, and a JSON object as body.
Result<void> ReadSubmission(const boost::json::object& object, federation::OutgoingMessage& m) {
    for (const auto& [name, unused] : object) {
        if (name != "to" && name != "type" && name != "priority" && name != "in_reply_to" &&
            name != "body") {
            return MakeError(
                ErrorCode::kInvalidArgument, "field '" + std::string(name) + "': unknown"
            );
        }
    }
    CONCORD_ASSIGN_OR_RETURN(m.to, GetString(object, "to"));
    CONCORD_RETURN_IF_ERROR(federation::CheckNodeId(m.to).map_error([](Error e) {
        e.message = "field 'to': " + e.message;
        return e;
    }));
    CONCORD_ASSIGN_OR_RETURN(m.type, GetString(object, "type"));
    if (m.type.empty() || m.type.size() > 64 ||
        m.type.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789._-") != std::string::npos) {
        return MakeError(ErrorCode::kInvalidArgument, "field 'type': expected [a-z0-9._-]{1,64}");
    }
    CONCORD_ASSIGN_OR_RETURN(m.priority, GetOptionalString(object, "priority"));
    if (m.priority.empty()) {
        m.priority = "normal";
    }
    if (m.priority != "normal" && m.priority != "emergency") {
        return MakeError(
            ErrorCode::kInvalidArgument, "field 'priority': expected 'normal' or 'emergency'"
        );
    }
    CONCORD_ASSIGN_OR_RETURN(m.in_reply_to, GetOptionalString(object, "in_reply_to"));
    if (object.contains("in_reply_to") && !IsUuidV7(m.in_reply_to)) {
        return MakeError(ErrorCode::kInvalidArgument, "field 'in_reply_to': expected a UUIDv7");
    }
    const auto* body = object.if_contains("body");
    if (body == nullptr) {
        return MakeError(ErrorCode::kInvalidArgument, "field 'body': missing");
    }
    if (!body->is_object()) {
        return MakeError(ErrorCode::kInvalidArgument, "field 'body': expected a JSON object");
    }
    m.body_json = federation::CanonicalText(*body);
    return {};
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

    Response FedCosignature(Request& request) {
        auto kept = s_.node->AcceptCosignature(request.body);
        return kept ? Json(200, "{\"kept\":" + std::to_string(*kept) + "}")
                    : FromError(kept.error());
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
        std::optional<std::string> key = request.Header("Idempotency-Key");
        if (key && !IsIdempotencyKey(*key)) {
            return ErrorBody(
                400,
                "invalid_idempotency_key",
                "header 'Idempotency-Key': expected 1 to 255 visible ASCII characters"
            );
        }
        auto object = federation::ParseObject(request.body);
        if (!object) {
            return ErrorBody(400, "invalid_argument", object.error().message);
        }
        // The same request has the same canonical form, whatever its spacing or member order.
        const std::string request_sha256 =
            federation::HashHex(crypto::Sha256(AsBytes(federation::CanonicalText(*object))));
        if (key) {
            auto earlier = FindIdempotent(*key);
            if (!earlier) {
                return FromError(earlier.error());
            }
            if (*earlier) {
                return IdempotentAnswer(**earlier, request_sha256);
            }
        }
        federation::OutgoingMessage m;
        if (auto fields = ReadSubmission(*object, m); !fields) {
            return ErrorBody(400, "invalid_argument", fields.error().message);
        }
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
        std::function<Result<void>(store::Transaction&, const federation::Submitted&)> record;
        if (key) {
            // Stored with the message, in its transaction: a client cut off after the commit
            // finds the answer under its key.
            record = [&](store::Transaction& tx,
                         const federation::Submitted& done) -> Result<void> {
                CONCORD_RETURN_IF_ERROR(tx.Execute(
                    "INSERT INTO api_idempotency (idem_key, request_sha256, message_id, "
                    "ledger_index, created_ms) VALUES ($1, $2, $3, $4, $5)",
                    {*key,
                     request_sha256,
                     done.id,
                     static_cast<std::int64_t>(done.ledger_index),
                     NowMillis()}
                ));
                return {};
            };
        }
        auto submitted = s_.node->Submit(m, record);
        if (!submitted && key && submitted.error().code == ErrorCode::kAlreadyExists) {
            // A concurrent request with the same key committed first: answer as it did.
            auto earlier = FindIdempotent(*key);
            if (earlier && *earlier) {
                return IdempotentAnswer(**earlier, request_sha256);
            }
        }
        if (!submitted) {
            return FromError(submitted.error());
        }
        return SubmittedAnswer(submitted->id, submitted->ledger_index, false);
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
        const std::string before = request.QueryParam("before").value_or("");
        if (request.QueryParam("before") && !IsUuidV7(before)) {
            return ParameterError("before", "must be a message id (UUIDv7), not '" + before + "'");
        }
        auto list =
            s_.node->List(std::get<std::string>(box), std::get<std::uint64_t>(limit), before);
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
    struct IdempotencyRecord {
        std::string request_sha256;
        std::string message_id;
        std::uint64_t ledger_index{0};
    };

    // The submission stored under an Idempotency-Key, if any.
    Result<std::optional<IdempotencyRecord>> FindIdempotent(const std::string& key) {
        CONCORD_ASSIGN_OR_RETURN(auto tx, s_.store->Begin());
        CONCORD_ASSIGN_OR_RETURN(
            auto rows,
            tx->Query(
                "SELECT request_sha256, message_id, ledger_index FROM api_idempotency "
                "WHERE idem_key = $1",
                {key}
            )
        );
        if (rows.empty()) {
            return std::optional<IdempotencyRecord>();
        }
        return std::optional<IdempotencyRecord>(IdempotencyRecord{
            rows[0].Text(0), rows[0].Text(1), static_cast<std::uint64_t>(rows[0].Int(2))});
    }

    // The answer to a repeated key: the first answer for the same request, else 422.
    static Response IdempotentAnswer(
        const IdempotencyRecord& earlier, const std::string& request_sha256
    ) {
        if (earlier.request_sha256 != request_sha256) {
            boost::json::object extra;
            extra["message_id"] = earlier.message_id;
            return ErrorBody(
                422,
                "idempotency_key_reused",
                "this Idempotency-Key was used for a different request",
                std::move(extra)
            );
        }
        return SubmittedAnswer(earlier.message_id, earlier.ledger_index, true);
    }

    static Response SubmittedAnswer(
        const std::string& id, std::uint64_t ledger_index, bool replay
    ) {
        boost::json::object o;
        o["id"] = id;
        o["status"] = "queued";
        o["ledger_index"] = ToJson(ledger_index);
        Response r = Json(201, boost::json::serialize(o));
        r.headers.emplace_back("Location", "/api/v1/messages/" + id + "?box=outbox");
        if (replay) {
            r.headers.emplace_back("Idempotent-Replayed", "true");
        }
        return r;
    }

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
        net::PoolChooser pool;  // null: the listener's default pool
        if (pattern.rfind("/fed/", 0) == 0) {
            pool = [](const Request& r) -> std::string {
                return r.Header("Concord-Priority") == "emergency" ? kEmergencyPool
                                                                   : kFederationPool;
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

    net::Router& router_;
    NodeService::Impl& service_;
    std::shared_ptr<Routes> routes_;
};

}  // namespace

std::vector<store::Migration> ApiMigrations() {
    constexpr std::string_view kTable =
        "CREATE TABLE api_idempotency (idem_key TEXT PRIMARY KEY, request_sha256 TEXT NOT NULL, "
        "message_id TEXT NOT NULL, ledger_index {INT} NOT NULL, created_ms {INT} NOT NULL)";
    auto sql = [&](std::string_view integer) {
        std::string text(kTable);
        for (auto at = text.find("{INT}"); at != std::string::npos; at = text.find("{INT}")) {
            text.replace(at, 5, integer);
        }
        return text;
    };
    return {store::Migration{"api", 1, sql("INTEGER"), sql("BIGINT")}};
}

void AddFederationRoutes(net::Router& router, NodeService::Impl& service) {
    RouteTable t(router, service);
    t.Open("GET", "/healthz", &Routes::Health);
    t.Open("POST", "/fed/v1/messages", &Routes::FedMessages);
    t.Open("GET", "/fed/v1/checkpoint", &Routes::FedCheckpoint);
    t.Open("POST", "/fed/v1/cosignature", &Routes::FedCosignature);
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
