// Raw federation messages on the local API: submit (with Idempotency-Key), list, read (no side
// effects) and open (records and sends retrieval evidence).

#include <algorithm>
#include <optional>
#include <variant>

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "concord/core/id.hpp"
#include "concord/core/time.hpp"
#include "concord/crypto/sha256.hpp"
#include "concord/federation/signed_json.hpp"
#include "concord/legal/check.hpp"
#include "concord/legal/render.hpp"

#include "api_routes.hpp"
#include "api_util.hpp"

namespace concord::server {
namespace {

using net::Json;
using net::Request;
using net::Response;

using federation::GetOptionalString;
using federation::GetString;

// The most messages one GET /api/v1/messages returns.
constexpr std::uint64_t kMaxListLimit = 1000;

boost::json::object SummaryJson(const federation::MessageSummary& s) {
    boost::json::object o;
    o["box"] = s.direction == federation::Direction::kIn ? "inbox" : "outbox";
    o["id"] = s.id;
    o["peer"] = s.peer;
    o["type"] = s.type;
    o["priority"] = federation::PriorityName(s.priority);
    if (!s.in_reply_to.empty()) {
        o["in_reply_to"] = s.in_reply_to;
    }
    o["time"] = s.time;
    o["status"] = federation::MessageStatusName(s.status);
    o["attempts"] = s.attempts;
    if (!s.last_error.empty()) {
        o["last_error"] = s.last_error;
    }
    o["ledger_index"] = ToJson(s.ledger_index);
    return o;
}

// ?box= as the store's direction: kIn (inbox, the default) or kOut.
std::variant<federation::Direction, Response> Box(const Request& request) {
    auto box = ChoiceParam(request, "box", {"inbox", "outbox"}, "inbox");
    if (auto* text = std::get_if<std::string>(&box)) {
        return *text == "inbox" ? federation::Direction::kIn : federation::Direction::kOut;
    }
    return std::get<Response>(std::move(box));
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
    CONCORD_ASSIGN_OR_RETURN(std::string priority, GetOptionalString(object, "priority"));
    if (priority.empty()) {
        priority = federation::PriorityName(federation::Priority::kNormal);
    }
    auto parsed = federation::ParsePriority(priority);
    if (!parsed) {
        return MakeError(
            ErrorCode::kInvalidArgument, "field 'priority': expected 'normal' or 'emergency'"
        );
    }
    m.priority = *parsed;
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

struct IdempotencyRecord {
    std::string request_sha256;
    std::string message_id;
    std::uint64_t ledger_index{0};
};

// The submission stored under an Idempotency-Key, if any.
Result<std::optional<IdempotencyRecord>> FindIdempotent(
    NodeService::Impl& s, const std::string& key
) {
    CONCORD_ASSIGN_OR_RETURN(auto tx, s.store->Begin());
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

Response SubmittedAnswer(const std::string& id, std::uint64_t ledger_index, bool replay) {
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

// The answer to a repeated key: the first answer for the same request, else 422.
Response IdempotentAnswer(const IdempotencyRecord& earlier, const std::string& request_sha256) {
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

Response Submit(NodeService::Impl& s, Request& request, const app::Actor& actor) {
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
        auto earlier = FindIdempotent(s, *key);
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
        auto findings = legal::CheckRequest(*s.catalog, m.body_json, Language(request));
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
        record = [&](store::Transaction& tx, const federation::Submitted& done) -> Result<void> {
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
    auto submitted = s.node->Submit(m, record, actor.Label());
    if (!submitted && key && submitted.error().code == ErrorCode::kAlreadyExists) {
        // A concurrent request with the same key committed first: answer as it did.
        auto earlier = FindIdempotent(s, *key);
        if (earlier && *earlier) {
            return IdempotentAnswer(**earlier, request_sha256);
        }
    }
    if (!submitted) {
        return FromError(submitted.error());
    }
    return SubmittedAnswer(submitted->id, submitted->ledger_index, false);
}

Response List(NodeService::Impl& s, Request& request) {
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
        s.node->List(std::get<federation::Direction>(box), std::get<std::uint64_t>(limit), before);
    if (!list) {
        return FromError(list.error());
    }
    boost::json::array items;
    for (const auto& summary : *list) {
        items.push_back(SummaryJson(summary));
    }
    boost::json::object o;
    o["messages"] = std::move(items);
    return Json(200, boost::json::serialize(o));
}

// A message with its body, envelope, evidence, proofs and (for a request) its rendering.
Response DetailAnswer(
    NodeService::Impl& s, const Request& request, const Result<federation::MessageDetail>& detail
) {
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
        if (const auto* self = s.node->Directory()->FindNode(s.config.node_id);
            self != nullptr && !self->languages.empty()) {
            fallback = self->languages.front();
        }
        auto rendered = legal::RenderRequest(*s.catalog, detail->body, Language(request, fallback));
        if (rendered) {
            o["rendered"] = *rendered;
        }
    }
    return Json(200, boost::json::serialize(o));
}

// GET /api/v1/messages/{id}: reads only; an incoming message stays unopened.
Response Read(NodeService::Impl& s, Request& request) {
    auto box = Box(request);
    if (auto* refused = std::get_if<Response>(&box)) {
        return std::move(*refused);
    }
    return DetailAnswer(
        s, request, s.node->Read(std::get<federation::Direction>(box), request.Param("id"))
    );
}

// POST /api/v1/messages/{id}/open: the caller opens an incoming message; the first opening
// records the retrieval (naming the caller) and sends the signed evidence to the sender.
Response Open(NodeService::Impl& s, Request& request, const app::Actor& actor) {
    return DetailAnswer(s, request, s.node->Open(request.Param("id"), actor.Label()));
}
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

void AddMessageRoutes(RouteTable& t, NodeService::Impl& s) {
    t.Authed(
        "POST",
        "/api/v1/messages",
        app::Action::kMessageSubmit,
        [&s](Request& r, const app::Actor& actor) { return Submit(s, r, actor); }
    );
    t.Authed(
        "GET",
        "/api/v1/messages",
        app::Action::kMessageRead,
        [&s](Request& r, const app::Actor&) { return List(s, r); }
    );
    t.Authed(
        "GET",
        "/api/v1/messages/{id}",
        app::Action::kMessageRead,
        [&s](Request& r, const app::Actor&) { return Read(s, r); }
    );
    t.Authed(
        "POST",
        "/api/v1/messages/{id}/open",
        app::Action::kMessageOpen,
        [&s](Request& r, const app::Actor& actor) { return Open(s, r, actor); }
    );
}

}  // namespace concord::server
