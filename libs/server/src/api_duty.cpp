// The duty desk and legal deadlines on the local API (docs/api/openapi.json), and the
// escalation webhook over HTTP (docs/operations.md "Duty desk"). Handlers only translate: the
// decisions are in app::DutyDesk and app::DeadlineEngine.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "concord/core/time.hpp"
#include "concord/net/client.hpp"

#include "api_routes.hpp"
#include "api_util.hpp"
#include "service_impl.hpp"

namespace concord::server {
namespace {

using net::Request;
using net::Response;

constexpr std::uint64_t kMaxAlerts = 1000;
constexpr std::size_t kMaxCaseIdBytes = 200;

boost::json::array Strings(const std::vector<std::string>& list) {
    boost::json::array out;
    for (const auto& s : list) {
        out.emplace_back(s);
    }
    return out;
}

boost::json::object AlertJson(const app::AppAlert& a) {
    boost::json::object o;
    o["id"] = a.id;
    o["kind"] = a.kind;
    o["case"] = a.case_id;
    o["deadline"] = a.deadline_id;
    o["message"] = a.message_id;
    o["sender"] = a.sender;
    o["recipients"] = Strings(a.recipients);
    o["text"] = a.text;
    boost::json::object facts;
    for (const auto& [name, value] : a.facts) {
        facts[name] = value;
    }
    o["facts"] = std::move(facts);
    o["created"] = FormatTimestamp(a.created_ms);
    if (a.acknowledged_ms != 0) {
        o["acknowledged_by"] = a.acknowledged_by;
        o["acknowledged"] = FormatTimestamp(a.acknowledged_ms);
    }
    return o;
}

boost::json::object DeadlineJson(const app::Deadline& d) {
    boost::json::object o;
    o["id"] = d.id;
    o["case"] = d.case_id;
    o["kind"] = d.kind;
    o["state"] = app::DeadlineStateName(d.state);
    o["starts"] = FormatTimestamp(d.starts_ms);
    o["due"] = FormatTimestamp(d.due_ms);
    o["warn"] = FormatTimestamp(d.warn_ms);
    if (d.suspended_at_ms != 0) {
        o["suspended_at"] = FormatTimestamp(d.suspended_at_ms);
    }
    if (d.closed_ms != 0) {
        o["closed"] = FormatTimestamp(d.closed_ms);
    }
    if (!d.backup.empty()) {
        o["backup"] = d.backup;
    }
    boost::json::array extensions;
    for (const auto& e : d.extensions) {
        boost::json::object x;
        x["at"] = FormatTimestamp(e.at_ms);
        x["by_ms"] = e.by_ms;
        x["reason"] = e.reason;
        x["actor"] = e.actor;
        extensions.push_back(std::move(x));
    }
    o["extensions"] = std::move(extensions);
    return o;
}

Response RosterJson(
    std::int64_t revision, const std::vector<app::RosterEntry>& shifts, const app::OnDuty& on_duty
) {
    boost::json::array list;
    for (const auto& e : shifts) {
        boost::json::object o;
        o["login"] = e.login;
        o["from"] = FormatTimestamp(e.from_ms);
        o["to"] = FormatTimestamp(e.to_ms);
        o["role"] = app::DutyRoleName(e.role);
        list.push_back(std::move(o));
    }
    boost::json::object body;
    body["revision"] = revision;
    body["shifts"] = std::move(list);
    boost::json::object now;
    now["primary"] = Strings(on_duty.primary);
    now["backup"] = Strings(on_duty.backup);
    body["on_duty"] = std::move(now);
    return net::Json(200, boost::json::serialize(body));
}

Response Alerts(NodeService::Impl& s, Request& request, const app::Actor& actor) {
    auto limit = UnsignedParam(request, "limit", 1, kMaxAlerts, 100);
    if (auto* refused = std::get_if<Response>(&limit)) {
        return std::move(*refused);
    }
    auto open = ChoiceParam(request, "open", {"true", "false"}, "false");
    if (auto* refused = std::get_if<Response>(&open)) {
        return std::move(*refused);
    }
    auto alerts = s.duty->Alerts(
        actor,
        static_cast<std::size_t>(std::get<std::uint64_t>(limit)),
        std::get<std::string>(open) == "true"
    );
    if (!alerts) {
        return FromError(alerts.error());
    }
    boost::json::array list;
    for (const auto& a : *alerts) {
        list.push_back(AlertJson(a));
    }
    boost::json::object body;
    body["alerts"] = std::move(list);
    return net::Json(200, boost::json::serialize(body));
}

Response Acknowledge(NodeService::Impl& s, Request& request, const app::Actor& actor) {
    auto alert = s.duty->Acknowledge(actor, request.Param("id"));
    if (!alert) {
        return FromError(alert.error());
    }
    return net::Json(200, boost::json::serialize(AlertJson(*alert)));
}

Response GetRoster(NodeService::Impl& s, const app::Actor& actor) {
    auto roster = s.duty->GetRoster(actor);
    if (!roster) {
        return FromError(roster.error());
    }
    auto on_duty = s.duty->OnDutyNow(actor);
    if (!on_duty) {
        return FromError(on_duty.error());
    }
    return RosterJson(roster->revision, roster->shifts, *on_duty);
}

// A PUT's body: the shifts, and the revision they were edited from (absent: replace whatever
// the roster is now).
struct RosterEdit {
    std::vector<app::RosterEntry> shifts;
    std::optional<std::int64_t> revision;
};

// {"revision": N, "shifts": [{"login", "from", "to", "role"}]} with RFC 3339 times.
Result<RosterEdit> ParseRoster(std::string_view text) {
    boost::system::error_code ec;
    auto value = ParseJson(text, ec);
    if (ec || !value.is_object()) {
        return MakeError(ErrorCode::kInvalidArgument, "body must be a JSON object");
    }
    const auto* shifts = value.as_object().if_contains("shifts");
    if (shifts == nullptr || !shifts->is_array()) {
        return MakeError(ErrorCode::kInvalidArgument, "'shifts' must be an array");
    }
    if (shifts->as_array().size() > app::Roster::kMaxEntries) {
        return MakeError(ErrorCode::kInvalidArgument, "a roster holds at most 10000 shifts");
    }
    RosterEdit edit;
    if (const auto* revision = value.as_object().if_contains("revision"); revision != nullptr) {
        if (!revision->is_int64() || revision->as_int64() < 0) {
            return MakeError(
                ErrorCode::kInvalidArgument, "'revision' must be a non-negative integer"
            );
        }
        edit.revision = revision->as_int64();
    }
    std::vector<app::RosterEntry>& out = edit.shifts;
    for (std::size_t i = 0; i < shifts->as_array().size(); ++i) {
        const auto& item = shifts->as_array()[i];
        const std::string where = "shifts[" + std::to_string(i) + "]";
        if (!item.is_object()) {
            return MakeError(ErrorCode::kInvalidArgument, where + " must be an object");
        }
        const auto& o = item.as_object();
        auto text_of = [&](std::string_view key) -> Result<std::string> {
            const auto* v = o.if_contains(key);
            if (v == nullptr || !v->is_string()) {
                return MakeError(
                    ErrorCode::kInvalidArgument,
                    where + ": '" + std::string(key) + "' must be a string"
                );
            }
            return std::string(v->as_string());
        };
        app::RosterEntry e;
        CONCORD_ASSIGN_OR_RETURN(e.login, text_of("login"));
        CONCORD_ASSIGN_OR_RETURN(auto from, text_of("from"));
        CONCORD_ASSIGN_OR_RETURN(auto to, text_of("to"));
        CONCORD_ASSIGN_OR_RETURN(auto role, text_of("role"));
        auto from_ms = ParseTimestamp(from);
        auto to_ms = ParseTimestamp(to);
        if (!from_ms || !to_ms) {
            return MakeError(
                ErrorCode::kInvalidArgument, where + ": 'from' and 'to' must be RFC 3339 times"
            );
        }
        e.from_ms = *from_ms;
        e.to_ms = *to_ms;
        auto parsed_role = app::ParseDutyRole(role);
        if (!parsed_role) {
            return MakeError(
                ErrorCode::kInvalidArgument, where + ": " + parsed_role.error().message
            );
        }
        e.role = *parsed_role;
        out.push_back(std::move(e));
    }
    return edit;
}

Response PutRoster(NodeService::Impl& s, Request& request, const app::Actor& actor) {
    auto edit = ParseRoster(request.body);
    if (!edit) {
        return FromError(edit.error());
    }
    auto revision = s.duty->SetRoster(actor, edit->shifts, edit->revision);
    if (!revision) {
        if (revision.error().code == ErrorCode::kAlreadyExists) {
            return ErrorBody(409, "stale_revision", revision.error().message);
        }
        return FromError(revision.error());
    }
    auto on_duty = s.duty->OnDutyNow(actor);
    if (!on_duty) {
        // A roster manager need not be allowed to read the desk: answer without who is on duty.
        return RosterJson(*revision, edit->shifts, app::OnDuty{});
    }
    return RosterJson(*revision, edit->shifts, *on_duty);
}

Response Deadlines(NodeService::Impl& s, Request& request) {
    auto case_id = request.QueryParam("case");
    if (!case_id || case_id->empty() || case_id->size() > kMaxCaseIdBytes) {
        return ParameterError("case", "a case id of 1 to 200 bytes is required");
    }
    auto deadlines = s.deadlines->ForCase(*case_id);
    if (!deadlines) {
        return FromError(deadlines.error());
    }
    boost::json::array list;
    for (const auto& d : *deadlines) {
        list.push_back(DeadlineJson(d));
    }
    boost::json::object body;
    body["deadlines"] = std::move(list);
    return net::Json(200, boost::json::serialize(body));
}

// POSTs the JSON of each breach to the configured URL (https with the certificate pinned, or
// plain http on loopback). Called on the deadline engine's thread after the breach committed.
class HttpWebhook : public app::Webhook {
public:
    HttpWebhook(std::string url, net::ClientOptions options)
        : url_(std::move(url)), client_(std::move(options)) {}

    Result<void> Notify(const std::string& json) override {
        CONCORD_ASSIGN_OR_RETURN(
            auto response, client_.Send("POST", url_, json, {{"Content-Type", "application/json"}})
        );
        if (response.status < 200 || response.status >= 300) {
            return MakeError(
                ErrorCode::kUnavailable, "webhook answered HTTP " + std::to_string(response.status)
            );
        }
        return {};
    }

private:
    std::string url_;
    net::HttpClient client_;
};

}  // namespace

void AddDutyRoutes(RouteTable& t, NodeService::Impl& s) {
    t.Authed(
        "GET",
        "/api/v1/duty/alerts",
        app::Action::kDutyRead,
        [&s](Request& r, const app::Actor& actor) { return Alerts(s, r, actor); }
    );
    t.Authed(
        "POST",
        "/api/v1/duty/alerts/{id}/acknowledge",
        app::Action::kDutyAcknowledge,
        [&s](Request& r, const app::Actor& actor) { return Acknowledge(s, r, actor); }
    );
    t.Authed(
        "GET",
        "/api/v1/duty/roster",
        app::Action::kDutyRead,
        [&s](Request&, const app::Actor& actor) { return GetRoster(s, actor); }
    );
    t.Authed(
        "PUT",
        "/api/v1/duty/roster",
        app::Action::kRosterManage,
        [&s](Request& r, const app::Actor& actor) { return PutRoster(s, r, actor); }
    );
    t.Authed(
        "GET",
        "/api/v1/deadlines",
        app::Action::kCaseRead,
        [&s](Request& r, const app::Actor&) { return Deadlines(s, r); }
    );
}

std::unique_ptr<app::Webhook> MakeDutyWebhook(const Config& config) {
    if (config.duty_webhook_url.empty()) {
        return nullptr;
    }
    net::ClientOptions options;
    options.timeout = std::chrono::seconds(5);
    options.pinned_cert_sha256 = config.duty_webhook_tls_sha256;
    options.allow_plain_http = true;  // LoadConfig allows plain http on loopback only
    options.max_response_body_bytes = 64 << 10;
    return std::make_unique<HttpWebhook>(config.duty_webhook_url, std::move(options));
}

}  // namespace concord::server
