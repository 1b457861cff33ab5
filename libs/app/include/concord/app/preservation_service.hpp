#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "concord/app/actor.hpp"
#include "concord/app/preservation_hook.hpp"
#include "concord/core/mutex.hpp"
#include "concord/core/result.hpp"
#include "concord/federation/node.hpp"
#include "concord/legal/catalog.hpp"
#include "concord/store/store.hpp"

namespace concord::app {

/// Where a preservation order stands on this (provider) node.
enum class OrderState {
    kRecorded,            ///< recorded at intake, the hook has not finished with it yet
    kConfirmed,           ///< the hook preserved; the confirmation went back to the sender
    kQueuedForResponder,  ///< invalid order, no hook, or the hook failed: a person takes it
    kHandled,             ///< a responder took a queued order and recorded how it was answered
};

/// "recorded", "confirmed", "queued_for_responder", "handled" (as stored and shown by the API).
std::string_view OrderStateName(OrderState state);

/// One preservation order as the responders' queue shows it (metadata, no order content).
struct PreservationOrder {
    std::string message_id;    ///< the order's federation message id
    std::string sender;        ///< the node that sent it
    std::string priority;      ///< "normal" | "emergency"
    std::string request_type;  ///< e.g. "expedited_preservation", "epoc_pr"
    std::int64_t received_ms{0};
    OrderState state{OrderState::kRecorded};
    std::int64_t attempts{0};
    std::string error_code;        ///< HookFailureName, "invalid_order" or "no_hook"; empty if none
    std::string error;             ///< the message for the responder
    std::string hook_diagnostics;  ///< the hook's stderr (bounded)
    std::string reference;         ///< confirmed: the hook's reference
    std::string sha256;            ///< confirmed: the hook's hash of what was frozen
    std::string confirmation_id;   ///< confirmed: the id of the confirmation message
    std::int64_t finished_ms{0};
    std::string handled_by;    ///< handled: the responder ("user:<login>" or "node")
    std::string handled_note;  ///< handled: what the responder did, in their words
};

/// Bounds of what a responder writes when closing a queued order (MarkHandled).
inline constexpr std::size_t kMaxHandledNoteBytes = 4000;
inline constexpr std::size_t kMaxHandledReferenceBytes = 200;

/// What a case step made of a confirmation (PreservationOptions::confirm_case).
struct CaseConfirmation {
    std::string message_id;  ///< the federation message that carries the confirming step
    /// Hands the step messages to delivery; called once after the transaction committed.
    std::function<void()> after_commit;
};

/// Tunables of the service.
struct PreservationOptions {
    /// How long a claim on an order lasts beyond the hook's own timeout before another worker
    /// (or this one after a crash) may run the order again.
    std::chrono::milliseconds claim_margin{std::chrono::seconds(10)};
    /// The hook's timeout, to size the claim (the hook enforces it itself).
    std::chrono::milliseconds hook_timeout{std::chrono::seconds(30)};
    /// Milliseconds since the epoch (tests replace it).
    std::function<std::int64_t()> now;
    /// The seam to the case layer: inside the confirmation's transaction, with the order's
    /// message id and the confirmation (the JSON object the plain response would carry). When
    /// the order opened a case, it moves that case to "responded" by the node and returns the
    /// message of the confirming step, which then replaces the plain `response`; nullopt when
    /// the order is not a case (the plain response goes). kInvalidArgument (the case is in a
    /// state the path does not fit, nothing written) also falls back to the plain response;
    /// other errors roll the confirmation back (it runs again). Unset: always the plain response.
    std::function<Result<std::optional<CaseConfirmation>>(
        store::Transaction&, std::string_view order_message_id, const std::string& confirmation
    )>
        confirm_case;
    /// Live events ("preservation.confirmed", "preservation.queued") with a JSON object.
    std::function<void(std::string_view name, const std::string& json)> on_event;
};

/// A service provider's automatic preservation (issue 9 §7, docs/operations.md "Preservation
/// hook"): a valid preservation order addressed to this node is recorded in its intake
/// transaction, run through the hook by a worker after the commit, and confirmed to its sender
/// by a signed `response` message; a failure puts it in the responders' queue. Orders are never
/// lost: one recorded and not yet finished is run again at start.
///
/// Wiring: open the federation node with `NodeOptions::on_received` calling OnReceived (the
/// service must exist before Node::Start), then Start() the service after the node.
///
/// Thread-safety: thread-safe. OnReceived runs on the node's intake thread inside its
/// transaction and does no slow work; the hook runs on the service's worker thread only, with
/// no transaction open.
class PreservationService {
public:
    static std::vector<store::Migration> Migrations();

    /// Applies the migrations. `hook` may be null: every valid order then goes to the
    /// responders' queue ("no_hook"). `store`, `node` and `catalog` must outlive the service.
    static Result<std::unique_ptr<PreservationService>> Open(
        store::Store& store,
        federation::Node& node,
        const legal::Catalog& catalog,
        std::unique_ptr<PreservationHook> hook,
        PreservationOptions options
    );

    PreservationService(const PreservationService&) = delete;
    PreservationService& operator=(const PreservationService&) = delete;
    ~PreservationService();

    /// Whether `type` of the catalogue is a preservation order: one of its legal bases sets a
    /// preservation period (a deadline of kind preserve_at_least or preserve_up_to).
    static bool IsPreservationType(const legal::Catalog& catalog, std::string_view type);

    /// For NodeOptions::on_received, inside the intake transaction: when this node is listed as a
    /// service_provider and `message` is a `request` whose body names a preservation type,
    /// records it (state recorded) and wakes the worker after the commit. Anything else is left
    /// alone. Errors are store errors only.
    Result<void> OnReceived(store::Transaction& tx, const federation::ReceivedMessage& message);

    /// Starts the worker; orders recorded before (also before a restart) are run first.
    void Start();
    /// Stops and joins the worker (an order being run finishes first). Idempotent.
    void Stop();

    /// Runs every runnable order on the caller's thread until none is left or Stop() was
    /// called; returns how many were finished (tests and tools; the worker does the same).
    Result<int> RunPending();

    /// Orders, newest first, at most `limit`; only those in `state` when it is set.
    Result<std::vector<PreservationOrder>> List(
        std::size_t limit, std::optional<OrderState> state = std::nullopt
    );
    /// One order; kNotFound if absent.
    Result<PreservationOrder> Get(std::string_view message_id);

    /// A responder closes an order of the queue (state queued_for_responder) that was answered
    /// by hand: as a case step, outside Concord, or refused. `note` says what was done (1 to
    /// kMaxHandledNoteBytes bytes of UTF-8); `reference` (optional, at most
    /// kMaxHandledReferenceBytes) replaces the order's reference, e.g. the provider's ticket.
    /// Sends nothing to the sender: the answer went its own way. One transaction: the order
    /// becomes `handled`, with the audit leaf "preservation.handled" (the actor, the note's
    /// SHA-256; the note itself stays out of the append-only log), then the live event.
    /// kNotFound if absent; kInvalidArgument (nothing written) for a bad note or reference, or
    /// an order in another state.
    Result<PreservationOrder> MarkHandled(
        std::string_view message_id,
        const Actor& actor,
        const std::string& note,
        const std::string& reference
    );

private:
    PreservationService(
        store::Store& store,
        federation::Node& node,
        const legal::Catalog& catalog,
        std::unique_ptr<PreservationHook> hook,
        PreservationOptions options
    );

    void WorkerLoop();
    /// Claims and finishes one order; nullopt when none is runnable.
    Result<std::optional<std::string>> RunOne();
    /// Builds the hook's input (docs/operations.md), or an error for an invalid order.
    Result<std::string> OrderInput(
        const federation::MessageDetail& message, std::int64_t received_ms
    );
    Result<void> Finish(
        const PreservationOrder& order,
        const std::string& claim,
        const HookOutcome& outcome,
        const std::string& invalid_code,
        const std::string& invalid_message
    );
    void Wake();
    std::int64_t Now() const;
    void Emit(std::string_view name, const std::string& json);

    store::Store& store_;
    federation::Node& node_;
    const legal::Catalog& catalog_;
    std::unique_ptr<PreservationHook> hook_;
    PreservationOptions options_;
    std::string worker_id_;

    Mutex mu_;
    std::condition_variable_any cv_;
    bool stopping_ CONCORD_GUARDED_BY(mu_) = false;
    bool woken_ CONCORD_GUARDED_BY(mu_) = false;
    std::thread worker_;
};

}  // namespace concord::app
