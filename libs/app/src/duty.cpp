#include "concord/app/duty.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "concord/app/policy.hpp"
#include "concord/core/time.hpp"

namespace concord::app {
namespace {

constexpr std::string_view kDutyAlertKind = "duty.emergency";

Result<void> AppendLeaf(
    const DutyOptions& options, store::Transaction& tx, boost::json::object leaf, const Actor& actor
) {
    if (!options.append_leaf) {
        return {};
    }
    NameActor(leaf, actor);
    CONCORD_ASSIGN_OR_RETURN(auto index, options.append_leaf(tx, leaf));
    (void)index;
    return {};
}

std::string AlertJson(const AppAlert& alert) {
    boost::json::object o;
    o["id"] = alert.id;
    o["kind"] = alert.kind;
    o["message"] = alert.message_id;
    o["sender"] = alert.sender;
    boost::json::array recipients;
    for (const auto& r : alert.recipients) {
        recipients.emplace_back(r);
    }
    o["recipients"] = std::move(recipients);
    boost::json::object facts;
    for (const auto& [name, value] : alert.facts) {
        facts[name] = value;
    }
    o["facts"] = std::move(facts);
    o["created"] = FormatTimestamp(alert.created_ms);
    if (alert.acknowledged_ms != 0) {
        o["acknowledged_by"] = alert.acknowledged_by;
        o["acknowledged"] = FormatTimestamp(alert.acknowledged_ms);
    }
    return boost::json::serialize(o);
}

}  // namespace

Result<federation::Submitted> NodeSender::SubmitIn(
    store::Transaction& tx, const federation::OutgoingMessage& message
) {
    return node_.SubmitIn(tx, message);
}

void NodeSender::SubmitCommitted(
    const federation::OutgoingMessage& message, const federation::Submitted& submitted
) {
    node_.SubmitCommitted(message, submitted);
}

std::vector<store::Migration> DutyDesk::Migrations() {
    constexpr std::string_view kSqlite =
        "CREATE TABLE app_roster (seq INTEGER PRIMARY KEY, login TEXT NOT NULL, from_ms INTEGER "
        "NOT NULL, to_ms INTEGER NOT NULL, role TEXT NOT NULL);"
        "CREATE INDEX app_roster_time ON app_roster (from_ms, to_ms)";
    constexpr std::string_view kPostgres =
        "CREATE TABLE app_roster (seq BIGINT PRIMARY KEY, login TEXT NOT NULL, from_ms BIGINT "
        "NOT NULL, to_ms BIGINT NOT NULL, role TEXT NOT NULL);"
        "CREATE INDEX app_roster_time ON app_roster (from_ms, to_ms)";
    // Version 2: the roster's revision (Roster::ReplaceIn), one row, starting at 0.
    constexpr std::string_view kRevisionSqlite =
        "CREATE TABLE app_roster_revision (id INTEGER PRIMARY KEY, revision INTEGER NOT NULL);"
        "INSERT INTO app_roster_revision (id, revision) VALUES (1, 0)";
    constexpr std::string_view kRevisionPostgres =
        "CREATE TABLE app_roster_revision (id BIGINT PRIMARY KEY, revision BIGINT NOT NULL);"
        "INSERT INTO app_roster_revision (id, revision) VALUES (1, 0)";
    return {
        store::Migration{"app_duty", 1, std::string(kSqlite), std::string(kPostgres)},
        store::Migration{
            "app_duty", 2, std::string(kRevisionSqlite), std::string(kRevisionPostgres)}};
}

Result<std::vector<std::string>> DutyDesk::EscalationRecipientsIn(
    store::Transaction& tx, const Deadline& deadline, std::int64_t now_ms
) {
    if (deadline.kind != kDutyAcknowledgeKind) {
        if (deadline.backup.empty()) {
            return std::vector<std::string>{};
        }
        return std::vector<std::string>{deadline.backup};
    }
    CONCORD_ASSIGN_OR_RETURN(auto on_duty, Roster::OnDutyIn(tx, now_ms));
    return on_duty.backup.empty() ? on_duty.primary : on_duty.backup;
}

DutyDesk::DutyDesk(
    store::Store& store, DeadlineEngine& engine, MessageSender& sender, DutyOptions options
)
    : store_(store), engine_(engine), sender_(sender), options_(std::move(options)) {}

std::int64_t DutyDesk::Now() const {
    return options_.now ? options_.now() : NowMillis();
}

Result<std::optional<AppAlert>> DutyDesk::OnReceivedIn(
    store::Transaction& tx, const federation::ReceivedMessage& message
) {
    if (message.priority != federation::Priority::kEmergency || !message.in_reply_to.empty()) {
        return std::optional<AppAlert>{};
    }
    CONCORD_ASSIGN_OR_RETURN(auto on_duty, Roster::OnDutyIn(tx, message.received_ms));
    DeadlineSpec spec;
    spec.case_id = message.id;
    spec.kind = std::string(kDutyAcknowledgeKind);
    spec.starts_ms = message.received_ms;
    spec.duration_ms = options_.escalation_ms;
    CONCORD_ASSIGN_OR_RETURN(auto deadline, engine_.StartIn(tx, Actor::Node(), spec));

    AppAlert alert;
    alert.kind = std::string(kDutyAlertKind);
    alert.case_id = message.id;
    alert.deadline_id = deadline.id;
    alert.message_id = message.id;
    alert.sender = message.from;
    alert.recipients = on_duty.primary.empty() ? on_duty.backup : on_duty.primary;
    alert.text = "emergency " + message.type + " from " + message.from;
    alert.facts = {{"message_type", message.type}};
    alert.created_ms = message.received_ms;
    CONCORD_ASSIGN_OR_RETURN(alert, DeadlineEngine::RaiseAlertIn(tx, std::move(alert)));

    boost::json::object leaf;
    leaf["type"] = "duty.alerted";
    leaf["alert"] = alert.id;
    leaf["message"] = message.id;
    leaf["sender"] = message.from;
    CONCORD_RETURN_IF_ERROR(AppendLeaf(options_, tx, std::move(leaf), Actor::Node()));
    if (options_.on_live) {
        tx.OnCommit([live = options_.on_live, json = AlertJson(alert)] { live("duty.alert", json); }
        );
    }
    return std::optional<AppAlert>(alert);
}

Result<AppAlert> DutyDesk::RaiseAlert(
    std::string kind,
    std::string case_id,
    std::string text,
    std::map<std::string, std::string> facts,
    const std::string& about
) {
    const std::int64_t now = Now();
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(auto on_duty, Roster::OnDutyIn(*tx, now));
    AppAlert alert;
    alert.kind = std::move(kind);
    alert.case_id = std::move(case_id);
    alert.recipients = on_duty.primary.empty() ? on_duty.backup : on_duty.primary;
    alert.text = std::move(text);
    alert.facts = std::move(facts);
    alert.created_ms = now;
    CONCORD_ASSIGN_OR_RETURN(alert, DeadlineEngine::RaiseAlertIn(*tx, std::move(alert)));
    boost::json::object leaf;
    leaf["type"] = "duty.alerted";
    leaf["alert"] = alert.id;
    leaf["kind"] = alert.kind;
    leaf["about"] = about;
    CONCORD_RETURN_IF_ERROR(AppendLeaf(options_, *tx, std::move(leaf), Actor::Node()));
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    if (options_.on_live) {
        options_.on_live("duty.alert", AlertJson(alert));
    }
    return alert;
}

Result<AppAlert> DutyDesk::Acknowledge(const Actor& actor, std::string_view alert_id) {
    CONCORD_RETURN_IF_ERROR(Decide(actor, Action::kDutyAcknowledge));
    const std::int64_t now = Now();
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(auto existing, DeadlineEngine::GetAlertIn(*tx, alert_id));
    if (existing.kind != kDutyAlertKind) {
        return MakeError(
            ErrorCode::kInvalidArgument, "alert " + std::string(alert_id) + " is not a duty alert"
        );
    }
    CONCORD_ASSIGN_OR_RETURN(
        auto alert, DeadlineEngine::AcknowledgeAlertIn(*tx, alert_id, actor, now)
    );
    if (!alert.deadline_id.empty()) {
        CONCORD_ASSIGN_OR_RETURN(auto deadline, DeadlineEngine::GetIn(*tx, alert.deadline_id));
        if (deadline.state == DeadlineState::kOpen || deadline.state == DeadlineState::kWarned) {
            CONCORD_ASSIGN_OR_RETURN(auto met, engine_.MetIn(*tx, actor, alert.deadline_id));
            (void)met;
        }
    }
    boost::json::object leaf;
    leaf["type"] = "duty.acknowledged";
    leaf["alert"] = alert.id;
    leaf["message"] = alert.message_id;
    leaf["sender"] = alert.sender;
    CONCORD_RETURN_IF_ERROR(AppendLeaf(options_, *tx, std::move(leaf), actor));

    boost::json::object body;
    body["kind"] = "acknowledgement";
    body["acknowledged_by"] = actor.display_name.empty() ? actor.Label() : actor.display_name;
    body["role"] = "duty officer";
    body["authority"] = options_.authority;
    body["at"] = FormatTimestamp(now);
    federation::OutgoingMessage reply;
    reply.to = alert.sender;
    reply.type = options_.acknowledgement_type;
    reply.priority = federation::Priority::kEmergency;
    reply.in_reply_to = alert.message_id;
    reply.body_json = boost::json::serialize(body);
    CONCORD_ASSIGN_OR_RETURN(auto submitted, sender_.SubmitIn(*tx, reply));
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    sender_.SubmitCommitted(reply, submitted);
    if (options_.on_live) {
        options_.on_live("duty.acknowledged", AlertJson(alert));
    }
    return alert;
}

Result<std::int64_t> DutyDesk::SetRoster(
    const Actor& actor,
    const std::vector<RosterEntry>& entries,
    std::optional<std::int64_t> expected_revision
) {
    CONCORD_RETURN_IF_ERROR(Decide(actor, Action::kRosterManage));
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(auto revision, Roster::ReplaceIn(*tx, entries, expected_revision));
    boost::json::object leaf;
    leaf["type"] = "duty.roster_changed";
    leaf["shifts"] = static_cast<std::int64_t>(entries.size());
    leaf["revision"] = revision;
    CONCORD_RETURN_IF_ERROR(AppendLeaf(options_, *tx, std::move(leaf), actor));
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    return revision;
}

Result<RosterSnapshot> DutyDesk::GetRoster(const Actor& actor) {
    CONCORD_RETURN_IF_ERROR(Decide(actor, Action::kDutyRead));
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(auto out, Roster::ListIn(*tx));
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    return out;
}

Result<OnDuty> DutyDesk::OnDutyNow(const Actor& actor) {
    CONCORD_RETURN_IF_ERROR(Decide(actor, Action::kDutyRead));
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(auto out, Roster::OnDutyIn(*tx, Now()));
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    return out;
}

Result<std::vector<AppAlert>> DutyDesk::Alerts(
    const Actor& actor, std::size_t limit, bool open_only
) {
    CONCORD_RETURN_IF_ERROR(Decide(actor, Action::kDutyRead));
    return engine_.Alerts(limit, open_only);
}

}  // namespace concord::app
