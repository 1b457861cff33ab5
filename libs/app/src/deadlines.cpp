#include "concord/app/deadlines.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "concord/core/id.hpp"
#include "concord/core/log.hpp"
#include "concord/core/time.hpp"

namespace concord::app {
namespace {

constexpr std::size_t kMaxReasonBytes = 2000;
constexpr std::size_t kMaxIdBytes = 200;
// A deadline that failed to fire (store unavailable) is tried again this much later.
constexpr std::int64_t kRetryMs = 1000;

constexpr std::string_view kColumns =
    "id, case_id, kind, starts_ms, due_ms, warn_ms, state, suspended_at_ms, warned_ms, "
    "closed_ms, backup, extensions";

std::string Substitute(std::string_view text, std::string_view integer) {
    std::string out(text);
    for (auto at = out.find("{INT}"); at != std::string::npos; at = out.find("{INT}")) {
        out.replace(at, 5, integer);
    }
    return out;
}

std::string ExtensionsJson(const std::vector<DeadlineExtension>& extensions) {
    boost::json::array list;
    for (const auto& e : extensions) {
        boost::json::object o;
        o["at_ms"] = e.at_ms;
        o["by_ms"] = e.by_ms;
        o["reason"] = e.reason;
        o["actor"] = e.actor;
        list.push_back(std::move(o));
    }
    return boost::json::serialize(list);
}

std::vector<DeadlineExtension> ParseExtensions(const std::string& text) {
    std::vector<DeadlineExtension> out;
    boost::system::error_code ec;
    auto value = boost::json::parse(text, ec);
    if (ec || !value.is_array()) {
        return out;
    }
    for (const auto& item : value.as_array()) {
        if (!item.is_object()) {
            continue;
        }
        const auto& o = item.as_object();
        DeadlineExtension e;
        if (const auto* v = o.if_contains("at_ms"); v && v->is_int64()) {
            e.at_ms = v->as_int64();
        }
        if (const auto* v = o.if_contains("by_ms"); v && v->is_int64()) {
            e.by_ms = v->as_int64();
        }
        if (const auto* v = o.if_contains("reason"); v && v->is_string()) {
            e.reason = std::string(v->as_string());
        }
        if (const auto* v = o.if_contains("actor"); v && v->is_string()) {
            e.actor = std::string(v->as_string());
        }
        out.push_back(std::move(e));
    }
    return out;
}

Result<Deadline> FromRow(const store::Row& row) {
    Deadline d;
    d.id = row.Text(0);
    d.case_id = row.Text(1);
    d.kind = row.Text(2);
    d.starts_ms = row.Int(3);
    d.due_ms = row.Int(4);
    d.warn_ms = row.Int(5);
    CONCORD_ASSIGN_OR_RETURN(d.state, ParseDeadlineState(row.Text(6)));
    d.suspended_at_ms = row.Int(7);
    d.warned_ms = row.Int(8);
    d.closed_ms = row.Int(9);
    d.backup = row.Text(10);
    d.extensions = ParseExtensions(row.Text(11));
    return d;
}

Result<std::vector<Deadline>> FromRows(const std::vector<store::Row>& rows) {
    std::vector<Deadline> out;
    out.reserve(rows.size());
    for (const auto& row : rows) {
        CONCORD_ASSIGN_OR_RETURN(auto d, FromRow(row));
        out.push_back(std::move(d));
    }
    return out;
}

Result<Deadline> ReadDeadline(store::Transaction& tx, std::string_view id) {
    std::string sql = "SELECT " + std::string(kColumns) + " FROM app_deadlines WHERE id = $1";
    CONCORD_ASSIGN_OR_RETURN(auto rows, tx.Query(sql, {std::string(id)}));
    if (rows.empty()) {
        return MakeError(ErrorCode::kNotFound, "no deadline " + std::string(id));
    }
    return FromRow(rows.front());
}

// Writes every mutable column of `d`, but only if the row still has `old_state` and
// `old_due_ms` (a concurrent change wins; the caller sees 0 rows).
Result<std::int64_t> Update(
    store::Transaction& tx, const Deadline& d, DeadlineState old_state, std::int64_t old_due_ms
) {
    return tx.Execute(
        "UPDATE app_deadlines SET due_ms = $2, warn_ms = $3, state = $4, suspended_at_ms = $5, "
        "warned_ms = $6, closed_ms = $7, extensions = $8 "
        "WHERE id = $1 AND state = $9 AND due_ms = $10",
        {d.id,
         d.due_ms,
         d.warn_ms,
         std::string(DeadlineStateName(d.state)),
         d.suspended_at_ms,
         d.warned_ms,
         d.closed_ms,
         ExtensionsJson(d.extensions),
         std::string(DeadlineStateName(old_state)),
         old_due_ms}
    );
}

bool Running(DeadlineState s) {
    return s == DeadlineState::kOpen || s == DeadlineState::kWarned;
}

bool Closed(DeadlineState s) {
    return s == DeadlineState::kBreached || s == DeadlineState::kMet ||
           s == DeadlineState::kCancelled;
}

Result<void> CheckReason(std::string_view reason) {
    if (reason.empty() || reason.size() > kMaxReasonBytes) {
        return MakeError(ErrorCode::kInvalidArgument, "a reason of 1 to 2000 bytes is required");
    }
    return {};
}

std::string EventJson(const DeadlineEvent& e) {
    boost::json::object o;
    o["event"] = DeadlineEventName(e.kind);
    o["deadline"] = e.deadline_id;
    o["case"] = e.case_id;
    o["kind"] = e.deadline_kind;
    o["actor"] = e.actor;
    o["at"] = FormatTimestamp(e.at_ms);
    o["due"] = FormatTimestamp(e.due_ms);
    if (!e.detail.empty()) {
        o["detail"] = e.detail;
    }
    return boost::json::serialize(o);
}

AppAlert AlertFromRow(const store::Row& row) {
    AppAlert a;
    a.id = row.Text(0);
    a.kind = row.Text(1);
    a.case_id = row.Text(2);
    a.deadline_id = row.Text(3);
    a.message_id = row.Text(4);
    a.sender = row.Text(5);
    boost::system::error_code ec;
    auto value = boost::json::parse(row.Text(6), ec);
    if (!ec && value.is_array()) {
        for (const auto& r : value.as_array()) {
            if (r.is_string()) {
                a.recipients.emplace_back(r.as_string());
            }
        }
    }
    a.text = row.Text(7);
    a.created_ms = row.Int(8);
    a.acknowledged_by = row.Text(9);
    a.acknowledged_ms = row.Int(10);
    auto facts = boost::json::parse(row.Text(11), ec);
    if (!ec && facts.is_object()) {
        for (const auto& [name, v] : facts.as_object()) {
            if (v.is_string()) {
                a.facts.emplace(std::string(name), std::string(v.as_string()));
            }
        }
    }
    return a;
}

constexpr std::string_view kAlertColumns =
    "id, kind, case_id, deadline_id, message_id, sender, recipients, body, created_ms, ack_by, "
    "ack_ms, facts";

}  // namespace

std::string_view DeadlineStateName(DeadlineState state) {
    switch (state) {
        case DeadlineState::kOpen:
            return "open";
        case DeadlineState::kWarned:
            return "warned";
        case DeadlineState::kBreached:
            return "breached";
        case DeadlineState::kMet:
            return "met";
        case DeadlineState::kSuspended:
            return "suspended";
        case DeadlineState::kCancelled:
            return "cancelled";
    }
    return "open";
}

Result<DeadlineState> ParseDeadlineState(std::string_view name) {
    for (auto s :
         {DeadlineState::kOpen,
          DeadlineState::kWarned,
          DeadlineState::kBreached,
          DeadlineState::kMet,
          DeadlineState::kSuspended,
          DeadlineState::kCancelled}) {
        if (DeadlineStateName(s) == name) {
            return s;
        }
    }
    return MakeError(
        ErrorCode::kInvalidArgument, "unknown deadline state '" + std::string(name) + "'"
    );
}

std::string_view DeadlineEventName(DeadlineEvent::Kind kind) {
    using K = DeadlineEvent::Kind;
    switch (kind) {
        case K::kStarted:
            return "deadline.started";
        case K::kWarned:
            return "deadline.warned";
        case K::kBreached:
            return "deadline.breached";
        case K::kMet:
            return "deadline.met";
        case K::kCancelled:
            return "deadline.cancelled";
        case K::kSuspended:
            return "deadline.suspended";
        case K::kResumed:
            return "deadline.resumed";
        case K::kExtended:
            return "deadline.extended";
    }
    return "deadline.started";
}

std::optional<std::int64_t> NextInstantOf(const Deadline& d) {
    if (d.state == DeadlineState::kOpen && d.warned_ms == 0 && d.warn_ms < d.due_ms) {
        return d.warn_ms;
    }
    if (Running(d.state)) {
        return d.due_ms;
    }
    return std::nullopt;
}

std::vector<store::Migration> DeadlineEngine::Migrations() {
    constexpr std::string_view kSql =
        "CREATE TABLE app_deadlines (id TEXT PRIMARY KEY, case_id TEXT NOT NULL, kind TEXT NOT "
        "NULL, starts_ms {INT} NOT NULL, due_ms {INT} NOT NULL, warn_ms {INT} NOT NULL, state "
        "TEXT NOT NULL, suspended_at_ms {INT} NOT NULL, warned_ms {INT} NOT NULL, closed_ms {INT} "
        "NOT NULL, backup TEXT NOT NULL, extensions TEXT NOT NULL);"
        "CREATE INDEX app_deadlines_case ON app_deadlines (case_id);"
        "CREATE INDEX app_deadlines_running ON app_deadlines (state, due_ms);"
        "CREATE TABLE app_deadline_events (id TEXT PRIMARY KEY, deadline_id TEXT NOT NULL, "
        "case_id TEXT NOT NULL, deadline_kind TEXT NOT NULL, event TEXT NOT NULL, actor TEXT NOT "
        "NULL, at_ms {INT} NOT NULL, due_ms {INT} NOT NULL, detail TEXT NOT NULL);"
        "CREATE INDEX app_deadline_events_deadline ON app_deadline_events (deadline_id);"
        "CREATE TABLE app_alerts (id TEXT PRIMARY KEY, kind TEXT NOT NULL, case_id TEXT NOT NULL, "
        "deadline_id TEXT NOT NULL, message_id TEXT NOT NULL, sender TEXT NOT NULL, recipients "
        "TEXT NOT NULL, body TEXT NOT NULL, created_ms {INT} NOT NULL, ack_by TEXT NOT NULL, "
        "ack_ms {INT} NOT NULL)";
    // Version 2: the covering index Load() pages through (keyset by id within one state).
    constexpr std::string_view kLoadIndex =
        "CREATE INDEX app_deadlines_load ON app_deadlines (state, id, due_ms, warn_ms, "
        "warned_ms)";
    // Version 3: an alert's facts (AppAlert::facts), a JSON object of strings; '{}' for the
    // alerts raised before.
    constexpr std::string_view kAlertFacts =
        "ALTER TABLE app_alerts ADD COLUMN facts TEXT NOT NULL DEFAULT '{}'";
    // Version 4: each typed event carries a `folded` flag, which the statistics fold sets when it
    // has counted the deadline's state (docs/statistics.md "Legal deadlines"), and deadlines are
    // found by their start.
    constexpr std::string_view kFolded =
        "ALTER TABLE app_deadline_events ADD COLUMN folded INTEGER NOT NULL DEFAULT 0;"
        "CREATE INDEX app_deadline_events_unfolded ON app_deadline_events (id) WHERE folded = 0;"
        "CREATE INDEX app_deadlines_starts ON app_deadlines (starts_ms)";
    return {
        store::Migration{
            "app_deadlines", 1, Substitute(kSql, "INTEGER"), Substitute(kSql, "BIGINT")},
        store::Migration{"app_deadlines", 2, std::string(kLoadIndex), std::string(kLoadIndex)},
        store::Migration{"app_deadlines", 3, std::string(kAlertFacts), std::string(kAlertFacts)},
        store::Migration{"app_deadlines", 4, std::string(kFolded), std::string(kFolded)}};
}

DeadlineEngine::DeadlineEngine(store::Store& store, DeadlineHooks hooks)
    : store_(store), hooks_(std::move(hooks)) {}

DeadlineEngine::~DeadlineEngine() {
    Stop();
}

std::int64_t DeadlineEngine::Now() const {
    return hooks_.now ? hooks_.now() : NowMillis();
}

Result<std::size_t> DeadlineEngine::Load() {
    // Keyset pages of one state at a time on the covering index app_deadlines_load (state, id,
    // instants): each page is a range scan that starts where the last one ended, so the whole
    // load is linear in the running deadlines and memory at start is bounded by the page.
    constexpr std::int64_t kPage = 50000;
    std::vector<HeapEntry> entries;
    std::vector<std::pair<std::string, std::int64_t>> instants;
    for (const DeadlineState state : {DeadlineState::kOpen, DeadlineState::kWarned}) {
        std::string after;
        for (;;) {
            CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
            CONCORD_ASSIGN_OR_RETURN(
                auto rows,
                tx->Query(
                    "SELECT id, due_ms, warn_ms, warned_ms FROM app_deadlines "
                    "WHERE state = $1 AND id > $2 ORDER BY id LIMIT $3",
                    {std::string(DeadlineStateName(state)), after, kPage}
                )
            );
            CONCORD_RETURN_IF_ERROR(tx->Commit());
            for (auto& row : rows) {
                Deadline d;
                d.state = state;
                d.due_ms = row.Int(1);
                d.warn_ms = row.Int(2);
                d.warned_ms = row.Int(3);
                if (auto next = NextInstantOf(d)) {
                    entries.push_back(HeapEntry{*next, row.Text(0)});
                }
            }
            if (rows.size() < static_cast<std::size_t>(kPage)) {
                break;
            }
            after = rows.back().Text(0);
        }
    }
    const std::size_t loaded = entries.size();
    {
        MutexLock lock(mu_);
        next_.reserve(next_.size() + entries.size());
        for (const auto& e : entries) {
            next_.insert_or_assign(e.id, e.at_ms);
        }
        if (heap_.empty()) {
            // Heapify in one linear pass instead of n pushes.
            heap_ = decltype(heap_)(std::greater<>{}, std::move(entries));
        } else {
            for (auto& e : entries) {
                heap_.push(std::move(e));
            }
        }
    }
    cv_.notify_all();
    return loaded;
}

void DeadlineEngine::Schedule(const Deadline& d) {
    auto next = NextInstantOf(d);
    if (!next) {
        next_.erase(d.id);
        return;
    }
    auto it = next_.find(d.id);
    if (it != next_.end() && it->second == *next) {
        return;
    }
    next_.insert_or_assign(d.id, *next);
    heap_.push(HeapEntry{*next, d.id});
}

void DeadlineEngine::Run() {
    MutexLock lock(mu_);
    if (thread_.joinable()) {
        return;
    }
    stopping_ = false;
    thread_ = std::thread([this] { Loop(); });
}

void DeadlineEngine::Stop() {
    {
        MutexLock lock(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) {
        thread_.join();
    }
}

void DeadlineEngine::Loop() {
    for (;;) {
        {
            // Wait, holding mu_ except while waiting, until something is due or Stop.
            MutexLock lock(mu_);
            for (;;) {
                if (stopping_) {
                    return;
                }
                // Drop stale heap entries so the wait below targets a live instant.
                while (!heap_.empty()) {
                    auto it = next_.find(heap_.top().id);
                    if (it != next_.end() && it->second == heap_.top().at_ms) {
                        break;
                    }
                    heap_.pop();
                }
                if (heap_.empty()) {
                    cv_.wait(mu_);
                    continue;
                }
                const std::int64_t at = heap_.top().at_ms;
                if (at <= Now()) {
                    break;
                }
                cv_.wait_until(
                    mu_, std::chrono::system_clock::time_point(std::chrono::milliseconds(at))
                );
            }
        }
        if (auto fired = FireDue(); !fired) {
            log::Error("deadline firing failed", {{"error", fired.error().ToString()}});
        }
    }
}

std::optional<std::int64_t> DeadlineEngine::NextInstant() {
    MutexLock lock(mu_);
    while (!heap_.empty()) {
        auto it = next_.find(heap_.top().id);
        if (it != next_.end() && it->second == heap_.top().at_ms) {
            return heap_.top().at_ms;
        }
        heap_.pop();
    }
    return std::nullopt;
}

std::size_t DeadlineEngine::Watched() {
    MutexLock lock(mu_);
    return next_.size();
}

Result<int> DeadlineEngine::FireDue() {
    std::int64_t now = Now();
    std::vector<std::string> due;
    {
        MutexLock lock(mu_);
        while (!heap_.empty() && heap_.top().at_ms <= now) {
            HeapEntry e = heap_.top();
            heap_.pop();
            auto it = next_.find(e.id);
            if (it != next_.end() && it->second == e.at_ms) {
                next_.erase(it);
                due.push_back(std::move(e.id));
            }
        }
    }
    int fired = 0;
    std::optional<Error> first_error;
    for (const auto& id : due) {
        auto one = FireOne(id, now);
        if (one) {
            fired += *one ? 1 : 0;
            continue;
        }
        if (!first_error) {
            first_error = one.error();
        }
        MutexLock lock(mu_);
        if (!next_.contains(id)) {
            next_.insert_or_assign(id, now + kRetryMs);
            heap_.push(HeapEntry{now + kRetryMs, id});
        }
    }
    if (first_error) {
        return *first_error;
    }
    return fired;
}

Result<bool> DeadlineEngine::FireOne(const std::string& id, std::int64_t now) {
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(auto d, ReadDeadline(*tx, id));
    const DeadlineState old_state = d.state;
    std::vector<DeadlineEvent> events;
    DeadlineEvent e{
        DeadlineEvent::Kind::kWarned,
        d.id,
        d.case_id,
        d.kind,
        Actor::Node().Label(),
        now,
        d.due_ms,
        ""};
    if (Running(d.state) && now >= d.due_ms) {
        d.state = DeadlineState::kBreached;
        d.closed_ms = now;
        e.kind = DeadlineEvent::Kind::kBreached;
    } else if (d.state == DeadlineState::kOpen && d.warned_ms == 0 && now >= d.warn_ms) {
        d.state = DeadlineState::kWarned;
        d.warned_ms = now;
    } else {
        // Changed since it was scheduled (extended, met, suspended): schedule what it is now.
        Publish(*tx, d, {});
        CONCORD_RETURN_IF_ERROR(tx->Commit());
        return false;
    }
    CONCORD_ASSIGN_OR_RETURN(auto changed, Update(*tx, d, old_state, d.due_ms));
    if (changed == 0) {
        return false;
    }
    events.push_back(e);
    CONCORD_RETURN_IF_ERROR(Record(*tx, events, d));
    AppAlert alert;
    alert.kind = std::string(DeadlineEventName(e.kind));
    alert.case_id = d.case_id;
    alert.deadline_id = d.id;
    alert.created_ms = now;
    if (e.kind == DeadlineEvent::Kind::kBreached) {
        if (hooks_.escalation_recipients) {
            CONCORD_ASSIGN_OR_RETURN(alert.recipients, hooks_.escalation_recipients(*tx, d));
        } else if (!d.backup.empty()) {
            alert.recipients.push_back(d.backup);
        }
        alert.text = "deadline " + d.kind + " breached at " + FormatTimestamp(d.due_ms);
    } else {
        alert.text = "deadline " + d.kind + " due at " + FormatTimestamp(d.due_ms);
    }
    alert.facts = {{"deadline_kind", d.kind}, {"due", FormatTimestamp(d.due_ms)}};
    CONCORD_ASSIGN_OR_RETURN(auto raised, RaiseAlertIn(*tx, std::move(alert)));
    (void)raised;
    Publish(*tx, d, events);
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    return true;
}

void DeadlineEngine::Publish(
    store::Transaction& tx, const Deadline& d, std::vector<DeadlineEvent> events
) {
    tx.OnCommit([this, d, events = std::move(events)] {
        {
            MutexLock lock(mu_);
            Schedule(d);
        }
        cv_.notify_all();
        for (const auto& e : events) {
            std::string json = EventJson(e);
            if (hooks_.on_live) {
                hooks_.on_live(DeadlineEventName(e.kind), json);
            }
            if (e.kind == DeadlineEvent::Kind::kBreached && hooks_.webhook != nullptr) {
                if (auto sent = hooks_.webhook->Notify(json); !sent) {
                    log::Warning(
                        "deadline webhook failed",
                        {{"deadline", e.deadline_id}, {"error", sent.error().ToString()}}
                    );
                }
            }
        }
    });
}

Result<void> DeadlineEngine::Record(
    store::Transaction& tx, const std::vector<DeadlineEvent>& events, const Deadline& d
) {
    for (const auto& e : events) {
        if (hooks_.record_event) {
            CONCORD_RETURN_IF_ERROR(hooks_.record_event(tx, e));
        } else {
            CONCORD_RETURN_IF_ERROR(tx.Execute(
                "INSERT INTO app_deadline_events (id, deadline_id, case_id, deadline_kind, "
                "event, actor, at_ms, due_ms, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
                "$9)",
                {NewUuidV7(),
                 e.deadline_id,
                 e.case_id,
                 e.deadline_kind,
                 std::string(DeadlineEventName(e.kind)),
                 e.actor,
                 e.at_ms,
                 e.due_ms,
                 e.detail}
            ));
        }
        if (hooks_.append_leaf) {
            boost::json::object leaf;
            leaf["type"] = DeadlineEventName(e.kind);
            leaf["deadline"] = e.deadline_id;
            leaf["case"] = e.case_id;
            leaf["kind"] = e.deadline_kind;
            leaf["state"] = DeadlineStateName(d.state);
            leaf["due_ms"] = e.due_ms;
            leaf["actor"] = e.actor;
            CONCORD_ASSIGN_OR_RETURN(auto index, hooks_.append_leaf(tx, leaf));
            (void)index;
        }
    }
    return {};
}

Result<Deadline> DeadlineEngine::InOwnTransaction(
    const std::function<Result<Deadline>(store::Transaction&)>& step
) {
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(auto d, step(*tx));
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    return d;
}

Result<Deadline> DeadlineEngine::Start(const Actor& actor, const DeadlineSpec& spec) {
    return InOwnTransaction([&](store::Transaction& tx) { return StartIn(tx, actor, spec); });
}

Result<Deadline> DeadlineEngine::StartIn(
    store::Transaction& tx, const Actor& actor, const DeadlineSpec& spec
) {
    if (spec.case_id.empty() || spec.case_id.size() > kMaxIdBytes || spec.kind.empty() ||
        spec.kind.size() > kMaxIdBytes || spec.backup.size() > kMaxIdBytes) {
        return MakeError(
            ErrorCode::kInvalidArgument, "case id and kind are required (1 to 200 bytes)"
        );
    }
    if (spec.duration_ms <= 0 || spec.warn_before_ms < 0 ||
        spec.warn_before_ms >= spec.duration_ms) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "the duration must be positive and the warning shorter than it"
        );
    }
    Deadline d;
    d.id = NewUuidV7();
    d.case_id = spec.case_id;
    d.kind = spec.kind;
    d.starts_ms = spec.starts_ms;
    d.due_ms = spec.starts_ms + spec.duration_ms;
    d.warn_ms = d.due_ms - spec.warn_before_ms;
    d.backup = spec.backup;
    CONCORD_RETURN_IF_ERROR(tx.Execute(
        "INSERT INTO app_deadlines (" + std::string(kColumns) +
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, 0, 0, 0, $8, '[]')",
        {d.id,
         d.case_id,
         d.kind,
         d.starts_ms,
         d.due_ms,
         d.warn_ms,
         std::string(DeadlineStateName(d.state)),
         d.backup}
    ));
    std::vector<DeadlineEvent> events{DeadlineEvent{
        DeadlineEvent::Kind::kStarted,
        d.id,
        d.case_id,
        d.kind,
        actor.Label(),
        Now(),
        d.due_ms,
        ""}};
    CONCORD_RETURN_IF_ERROR(Record(tx, events, d));
    Publish(tx, d, std::move(events));
    return d;
}

Result<Deadline> DeadlineEngine::Mutate(
    store::Transaction& tx, const Actor& actor, std::string_view id, const Change& change
) {
    CONCORD_ASSIGN_OR_RETURN(auto d, ReadDeadline(tx, id));
    const DeadlineState old_state = d.state;
    const std::int64_t old_due = d.due_ms;
    std::vector<DeadlineEvent> events;
    CONCORD_RETURN_IF_ERROR(change(d, events));
    for (auto& e : events) {
        e.deadline_id = d.id;
        e.case_id = d.case_id;
        e.deadline_kind = d.kind;
        e.actor = actor.Label();
        e.due_ms = d.due_ms;
    }
    CONCORD_ASSIGN_OR_RETURN(auto changed, Update(tx, d, old_state, old_due));
    if (changed == 0) {
        return MakeError(ErrorCode::kUnavailable, "the deadline changed meanwhile; try again");
    }
    CONCORD_RETURN_IF_ERROR(Record(tx, events, d));
    Publish(tx, d, std::move(events));
    return d;
}

// The one place where a step of a running deadline is decided: what it requires of the
// current state and what it changes. Met, Cancel, Suspend, Resume and Extend are thin calls.
Result<Deadline> DeadlineEngine::Step(
    store::Transaction& tx,
    const Actor& actor,
    std::string_view id,
    StepKind kind,
    std::string_view reason,
    std::int64_t by_ms
) {
    using K = DeadlineEvent::Kind;
    if (kind != StepKind::kMet && kind != StepKind::kResume) {
        CONCORD_RETURN_IF_ERROR(CheckReason(reason));
    }
    if (kind == StepKind::kExtend && by_ms <= 0) {
        return MakeError(ErrorCode::kInvalidArgument, "an extension must be positive");
    }
    const std::int64_t now = Now();
    return Mutate(
        tx,
        actor,
        id,
        [&](Deadline& d, std::vector<DeadlineEvent>& events) -> Result<void> {
            const std::string state(DeadlineStateName(d.state));
            std::string detail(reason);
            K event = K::kMet;
            switch (kind) {
                case StepKind::kMet:
                case StepKind::kCancel:
                    if (Closed(d.state)) {
                        return MakeError(
                            ErrorCode::kInvalidArgument, "deadline is already " + state
                        );
                    }
                    d.state =
                        kind == StepKind::kMet ? DeadlineState::kMet : DeadlineState::kCancelled;
                    d.closed_ms = now;
                    event = kind == StepKind::kMet ? K::kMet : K::kCancelled;
                    break;
                case StepKind::kSuspend:
                    if (!Running(d.state)) {
                        return MakeError(
                            ErrorCode::kInvalidArgument,
                            "only a running deadline can be suspended; it is " + state
                        );
                    }
                    d.state = DeadlineState::kSuspended;
                    d.suspended_at_ms = now;
                    event = K::kSuspended;
                    break;
                case StepKind::kResume: {
                    if (d.state != DeadlineState::kSuspended) {
                        return MakeError(
                            ErrorCode::kInvalidArgument,
                            "only a suspended deadline can be resumed; it is " + state
                        );
                    }
                    const std::int64_t paused = std::max<std::int64_t>(0, now - d.suspended_at_ms);
                    d.due_ms += paused;
                    d.warn_ms += paused;
                    d.suspended_at_ms = 0;
                    d.state = d.warned_ms != 0 ? DeadlineState::kWarned : DeadlineState::kOpen;
                    event = K::kResumed;
                    detail = "suspended for " + std::to_string(paused) + " ms";
                    break;
                }
                case StepKind::kExtend:
                    if (Closed(d.state)) {
                        return MakeError(
                            ErrorCode::kInvalidArgument,
                            "a " + state + " deadline cannot be extended"
                        );
                    }
                    d.due_ms += by_ms;
                    d.warn_ms += by_ms;
                    if (d.state == DeadlineState::kWarned && d.warn_ms > now) {
                        // The warning is due again at the new warning instant.
                        d.state = DeadlineState::kOpen;
                        d.warned_ms = 0;
                    }
                    d.extensions.push_back(DeadlineExtension{
                        now, by_ms, std::string(reason), actor.Label()});
                    event = K::kExtended;
                    break;
            }
            events.push_back(DeadlineEvent{event, {}, {}, {}, {}, now, 0, std::move(detail)});
            return {};
        }
    );
}

Result<Deadline> DeadlineEngine::Met(const Actor& actor, std::string_view id) {
    return InOwnTransaction([&](store::Transaction& tx) { return MetIn(tx, actor, id); });
}

Result<Deadline> DeadlineEngine::MetIn(
    store::Transaction& tx, const Actor& actor, std::string_view id
) {
    return Step(tx, actor, id, StepKind::kMet, {}, 0);
}

Result<Deadline> DeadlineEngine::Cancel(
    const Actor& actor, std::string_view id, std::string_view reason
) {
    return InOwnTransaction([&](store::Transaction& tx) { return CancelIn(tx, actor, id, reason); }
    );
}

Result<Deadline> DeadlineEngine::CancelIn(
    store::Transaction& tx, const Actor& actor, std::string_view id, std::string_view reason
) {
    return Step(tx, actor, id, StepKind::kCancel, reason, 0);
}

Result<Deadline> DeadlineEngine::Suspend(
    const Actor& actor, std::string_view id, std::string_view reason
) {
    return InOwnTransaction([&](store::Transaction& tx) { return SuspendIn(tx, actor, id, reason); }
    );
}

Result<Deadline> DeadlineEngine::SuspendIn(
    store::Transaction& tx, const Actor& actor, std::string_view id, std::string_view reason
) {
    return Step(tx, actor, id, StepKind::kSuspend, reason, 0);
}

Result<Deadline> DeadlineEngine::Resume(const Actor& actor, std::string_view id) {
    return InOwnTransaction([&](store::Transaction& tx) { return ResumeIn(tx, actor, id); });
}

Result<Deadline> DeadlineEngine::ResumeIn(
    store::Transaction& tx, const Actor& actor, std::string_view id
) {
    return Step(tx, actor, id, StepKind::kResume, {}, 0);
}

Result<Deadline> DeadlineEngine::Extend(
    const Actor& actor, std::string_view id, std::int64_t by_ms, std::string_view reason
) {
    return InOwnTransaction([&](store::Transaction& tx) {
        return Step(tx, actor, id, StepKind::kExtend, reason, by_ms);
    });
}

Result<std::vector<Deadline>> DeadlineEngine::ForCase(std::string_view case_id) {
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(auto out, ForCaseIn(*tx, case_id));
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    return out;
}

Result<std::vector<Deadline>> DeadlineEngine::ForCaseIn(
    store::Transaction& tx, std::string_view case_id
) {
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query(
            "SELECT " + std::string(kColumns) +
                " FROM app_deadlines WHERE case_id = $1 ORDER BY starts_ms, id",
            {std::string(case_id)}
        )
    );
    return FromRows(rows);
}

Result<Deadline> DeadlineEngine::Get(std::string_view id) {
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(auto d, ReadDeadline(*tx, id));
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    return d;
}

Result<Deadline> DeadlineEngine::GetIn(store::Transaction& tx, std::string_view id) {
    return ReadDeadline(tx, id);
}

Result<std::vector<Deadline>> DeadlineEngine::ListDue(std::int64_t until_ms, std::size_t limit) {
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx->Query(
            "SELECT " + std::string(kColumns) +
                " FROM app_deadlines WHERE state IN ('open', 'warned') AND due_ms <= $1 "
                "ORDER BY due_ms, id LIMIT $2",
            {until_ms, static_cast<std::int64_t>(std::min<std::size_t>(limit, 10000))}
        )
    );
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    return FromRows(rows);
}

Result<std::vector<AppAlert>> DeadlineEngine::Alerts(std::size_t limit, bool open_only) {
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    std::string sql = "SELECT " + std::string(kAlertColumns) + " FROM app_alerts" +
                      (open_only ? " WHERE ack_ms = 0" : "") +
                      " ORDER BY created_ms DESC, id DESC LIMIT $1";
    CONCORD_ASSIGN_OR_RETURN(
        auto rows, tx->Query(sql, {static_cast<std::int64_t>(std::min<std::size_t>(limit, 1000))})
    );
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    std::vector<AppAlert> out;
    out.reserve(rows.size());
    for (const auto& row : rows) {
        out.push_back(AlertFromRow(row));
    }
    return out;
}

Result<AppAlert> DeadlineEngine::RaiseAlertIn(store::Transaction& tx, AppAlert alert) {
    if (alert.id.empty()) {
        alert.id = NewUuidV7();
    }
    boost::json::array recipients;
    for (const auto& r : alert.recipients) {
        recipients.emplace_back(r);
    }
    boost::json::object facts;
    for (const auto& [name, value] : alert.facts) {
        facts[name] = value;
    }
    CONCORD_RETURN_IF_ERROR(tx.Execute(
        "INSERT INTO app_alerts (" + std::string(kAlertColumns) +
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, '', 0, $10)",
        {alert.id,
         alert.kind,
         alert.case_id,
         alert.deadline_id,
         alert.message_id,
         alert.sender,
         boost::json::serialize(recipients),
         alert.text,
         alert.created_ms,
         boost::json::serialize(facts)}
    ));
    return alert;
}

Result<AppAlert> DeadlineEngine::GetAlertIn(store::Transaction& tx, std::string_view id) {
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query(
            "SELECT " + std::string(kAlertColumns) + " FROM app_alerts WHERE id = $1",
            {std::string(id)}
        )
    );
    if (rows.empty()) {
        return MakeError(ErrorCode::kNotFound, "no alert " + std::string(id));
    }
    return AlertFromRow(rows.front());
}

Result<AppAlert> DeadlineEngine::AcknowledgeAlertIn(
    store::Transaction& tx, std::string_view id, const Actor& actor, std::int64_t at_ms
) {
    CONCORD_ASSIGN_OR_RETURN(auto alert, GetAlertIn(tx, id));
    CONCORD_ASSIGN_OR_RETURN(
        auto changed,
        tx.Execute(
            "UPDATE app_alerts SET ack_by = $2, ack_ms = $3 WHERE id = $1 AND ack_ms = 0",
            {std::string(id), actor.Label(), at_ms}
        )
    );
    if (changed == 0) {
        return MakeError(
            ErrorCode::kAlreadyExists, "alert already acknowledged by " + alert.acknowledged_by
        );
    }
    alert.acknowledged_by = actor.Label();
    alert.acknowledged_ms = at_ms;
    return alert;
}

}  // namespace concord::app
