#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <queue>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/json/object.hpp>

#include "concord/app/actor.hpp"
#include "concord/core/mutex.hpp"
#include "concord/core/result.hpp"
#include "concord/store/store.hpp"

namespace concord::app {

/// Where a deadline stands (docs/deadlines.md has the state diagram).
enum class DeadlineState {
    kOpen,       ///< running, no warning yet
    kWarned,     ///< running, the warning was given
    kBreached,   ///< the due instant passed before Met (terminal)
    kMet,        ///< done in time (terminal)
    kSuspended,  ///< stopped while a clarification is pending; Resume moves the due time
    kCancelled,  ///< no longer needed (terminal)
};

std::string_view DeadlineStateName(DeadlineState state);
/// kInvalidArgument for an unknown name.
Result<DeadlineState> ParseDeadlineState(std::string_view name);

/// One extension granted to a deadline.
struct DeadlineExtension {
    std::int64_t at_ms{0};  ///< when it was granted
    std::int64_t by_ms{0};  ///< how far the due instant moved
    std::string reason;
    std::string actor;  ///< Actor::Label() of who granted it
};

/// One watched deadline. `case_id` is opaque to the engine (a case, a message, an alert).
struct Deadline {
    std::string id;
    std::string case_id;
    std::string kind;  ///< e.g. "epoc.response", "duty.acknowledge" (instruments/deadlines.toml)
    std::int64_t starts_ms{0};
    std::int64_t due_ms{0};
    std::int64_t warn_ms{0};  ///< the warning instant; equal to due_ms when there is none
    DeadlineState state{DeadlineState::kOpen};
    std::int64_t suspended_at_ms{0};  ///< when suspended; 0 otherwise
    std::int64_t warned_ms{0};        ///< when the warning fired; 0 if it has not
    std::int64_t closed_ms{0};        ///< when it became breached, met or cancelled
    std::string backup;               ///< the named backup (a user login) alerted at breach
    std::vector<DeadlineExtension> extensions;
};

/// What to start.
struct DeadlineSpec {
    std::string case_id;
    std::string kind;
    std::int64_t starts_ms{0};  ///< the event it runs from (receipt time of the signed receipt)
    std::int64_t duration_ms{0};
    std::int64_t warn_before_ms{0};  ///< 0: no warning
    std::string backup;
};

/// A typed event of a deadline, written in the transaction of the change it describes.
struct DeadlineEvent {
    enum class Kind {
        kStarted,
        kWarned,
        kBreached,
        kMet,
        kCancelled,
        kSuspended,
        kResumed,
        kExtended
    };
    Kind kind{Kind::kStarted};
    std::string deadline_id;
    std::string case_id;
    std::string deadline_kind;
    std::string actor;  ///< Actor::Label()
    std::int64_t at_ms{0};
    std::int64_t due_ms{0};  ///< the due instant after the change
    std::string detail;      ///< e.g. an extension's reason
};

std::string_view DeadlineEventName(DeadlineEvent::Kind kind);

/// An in-app alert (the duty desk and breached deadlines). `recipients` are user logins.
struct AppAlert {
    std::string id;
    std::string
        kind;  ///< "deadline.breached", "deadline.warned", "duty.emergency", "duty.escalated"
    std::string case_id;
    std::string deadline_id;
    std::string message_id;  ///< the incoming message it is about, if any
    std::string sender;      ///< the node that sent that message
    std::vector<std::string> recipients;
    std::string text;  ///< one line in English, for logs and the command line
    /// What the alert says, as fields the UI words in its own language (docs/deadlines.md,
    /// "Alerts"): `deadline.*` → deadline_kind, due; `duty.emergency` → message_type;
    /// `evidence.undelivered` → package, peer, reason. Empty for alerts stored before them.
    std::map<std::string, std::string> facts;
    std::int64_t created_ms{0};
    std::string acknowledged_by;  ///< Actor::Label(); empty until acknowledged
    std::int64_t acknowledged_ms{0};
};

/// An outside notification channel for escalations (an HTTP POST of a JSON body; the server
/// implements it). Called on the engine thread after the commit; must be thread-safe.
class Webhook {
public:
    virtual ~Webhook() = default;
    /// Delivers `json`; an error is logged by the caller, never retried silently into the store.
    virtual Result<void> Notify(const std::string& json) = 0;
};

/// The engine's outside connections; every member may be left empty in tests except `now`.
struct DeadlineHooks {
    /// Milliseconds since the epoch (a fake clock in tests).
    std::function<std::int64_t()> now;
    /// Appends an audit leaf inside the transaction (production: federation::Node::AppendEvent).
    std::function<Result<std::uint64_t>(store::Transaction&, const boost::json::object&)>
        append_leaf;
    /// Records the typed domain event inside the transaction. Empty: the engine's own table
    /// `app_deadline_events`.
    std::function<Result<void>(store::Transaction&, const DeadlineEvent&)> record_event;
    /// Live event after commit (name, JSON).
    std::function<void(std::string_view, const std::string&)> on_live;
    /// The people escalated to at breach, inside the firing transaction; empty: `backup`.
    std::function<Result<std::vector<std::string>>(store::Transaction&, const Deadline&)>
        escalation_recipients;
    /// Optional webhook told of every breach (after commit).
    Webhook* webhook{nullptr};
};

/// Legal deadlines: a table of deadlines in the store and an in-memory min-heap of the next
/// instant (warning or due) of every running one, rebuilt by Load() at start, so a deadline that
/// passed while the node was down fires at start. One thread sleeps exactly until the earliest
/// instant (a condition variable, woken when a change makes an earlier one): no periodic sweep.
///
/// Firing (warning or breach) is one transaction: the state change, the typed event, the audit
/// leaf naming Actor::Node() and, at breach, the in-app alert to the escalation recipients; the
/// live event and the webhook follow the commit.
///
/// The *In variants write into the caller's transaction (one transaction per business step) and
/// publish the change to the heap only when that transaction commits.
///
/// Thread-safety: thread-safe. Never call a method while holding a transaction of the same
/// SQLite store other than the one passed in.
class DeadlineEngine {
public:
    static std::vector<store::Migration> Migrations();

    /// `store` must outlive the engine and be migrated with Migrations().
    DeadlineEngine(store::Store& store, DeadlineHooks hooks);
    ~DeadlineEngine();
    DeadlineEngine(const DeadlineEngine&) = delete;
    DeadlineEngine& operator=(const DeadlineEngine&) = delete;

    /// Reads every running deadline into the heap (call once, before Run or FireDue).
    Result<std::size_t> Load();
    /// Starts the timer thread (real clock). Idempotent.
    void Run();
    /// Stops and joins the timer thread. Idempotent.
    void Stop();

    /// Fires every warning and breach whose instant is at or before now(); returns how many
    /// fired. The timer thread calls it; tests with a fake clock call it directly.
    Result<int> FireDue();

    /// Starts a deadline. kInvalidArgument: empty case id or kind, duration ≤ 0, warning not
    /// shorter than the duration.
    Result<Deadline> Start(const Actor& actor, const DeadlineSpec& spec);
    Result<Deadline> StartIn(store::Transaction& tx, const Actor& actor, const DeadlineSpec& spec);

    /// Done in time (open, warned or suspended). kNotFound; kInvalidArgument when it is closed.
    Result<Deadline> Met(const Actor& actor, std::string_view id);
    Result<Deadline> MetIn(store::Transaction& tx, const Actor& actor, std::string_view id);
    /// No longer needed. Same errors as Met.
    Result<Deadline> Cancel(const Actor& actor, std::string_view id, std::string_view reason);
    Result<Deadline> CancelIn(
        store::Transaction& tx, const Actor& actor, std::string_view id, std::string_view reason
    );
    /// Stops the clock (clarification pending). kInvalidArgument unless open or warned.
    Result<Deadline> Suspend(const Actor& actor, std::string_view id, std::string_view reason);
    Result<Deadline> SuspendIn(
        store::Transaction& tx, const Actor& actor, std::string_view id, std::string_view reason
    );
    /// Restarts it; the due (and warning) instant move by the time spent suspended.
    /// kInvalidArgument unless suspended.
    Result<Deadline> Resume(const Actor& actor, std::string_view id);
    Result<Deadline> ResumeIn(store::Transaction& tx, const Actor& actor, std::string_view id);
    /// Moves the due (and warning) instant by `by_ms` > 0 with a mandatory reason.
    /// kInvalidArgument: by_ms ≤ 0, empty or over-long reason, deadline closed.
    Result<Deadline> Extend(
        const Actor& actor, std::string_view id, std::int64_t by_ms, std::string_view reason
    );

    /// Every deadline of a case, oldest first.
    Result<std::vector<Deadline>> ForCase(std::string_view case_id);
    Result<std::vector<Deadline>> ForCaseIn(store::Transaction& tx, std::string_view case_id);
    /// kNotFound if absent.
    Result<Deadline> Get(std::string_view id);
    static Result<Deadline> GetIn(store::Transaction& tx, std::string_view id);
    /// Running deadlines due at or before `until_ms`, earliest first, at most `limit`.
    Result<std::vector<Deadline>> ListDue(std::int64_t until_ms, std::size_t limit);

    /// In-app alerts, newest first, at most `limit`; only unacknowledged ones when `open_only`.
    Result<std::vector<AppAlert>> Alerts(std::size_t limit, bool open_only);
    /// Writes an in-app alert in `tx` (id assigned when empty).
    static Result<AppAlert> RaiseAlertIn(store::Transaction& tx, AppAlert alert);
    /// kNotFound if absent.
    static Result<AppAlert> GetAlertIn(store::Transaction& tx, std::string_view id);
    /// Records the acknowledgement; kAlreadyExists if already acknowledged.
    static Result<AppAlert> AcknowledgeAlertIn(
        store::Transaction& tx, std::string_view id, const Actor& actor, std::int64_t at_ms
    );

    /// The earliest instant in the heap; nullopt when nothing runs (tests, bench).
    std::optional<std::int64_t> NextInstant();
    /// How many deadlines the heap watches.
    std::size_t Watched();

private:
    struct HeapEntry {
        std::int64_t at_ms;
        std::string id;
        bool operator>(const HeapEntry& o) const { return at_ms > o.at_ms; }
    };
    using Change = std::function<Result<void>(Deadline&, std::vector<DeadlineEvent>&)>;
    enum class StepKind { kMet, kCancel, kSuspend, kResume, kExtend };

    Result<Deadline> Step(
        store::Transaction& tx,
        const Actor& actor,
        std::string_view id,
        StepKind kind,
        std::string_view reason,
        std::int64_t by_ms
    );

    Result<Deadline> Mutate(
        store::Transaction& tx, const Actor& actor, std::string_view id, const Change& change
    );
    Result<Deadline> InOwnTransaction(
        const std::function<Result<Deadline>(store::Transaction&)>& step
    );
    Result<void> Record(
        store::Transaction& tx, const std::vector<DeadlineEvent>& events, const Deadline& d
    );
    Result<bool> FireOne(const std::string& id, std::int64_t now);
    void Publish(store::Transaction& tx, const Deadline& d, std::vector<DeadlineEvent> events);
    void Schedule(const Deadline& d) CONCORD_REQUIRES(mu_);
    void Loop();
    std::int64_t Now() const;

    store::Store& store_;
    DeadlineHooks hooks_;

    Mutex mu_;
    std::condition_variable_any cv_;
    std::priority_queue<HeapEntry, std::vector<HeapEntry>, std::greater<>> heap_
        CONCORD_GUARDED_BY(mu_);
    // id → its live heap instant
    std::unordered_map<std::string, std::int64_t> next_ CONCORD_GUARDED_BY(mu_);
    bool stopping_ CONCORD_GUARDED_BY(mu_) = false;
    std::thread thread_;
};

/// The next instant at which `d` needs attention: its warning while open and not yet warned,
/// else its due instant while running; nullopt when suspended or closed.
std::optional<std::int64_t> NextInstantOf(const Deadline& d);

}  // namespace concord::app
