#include "concord/app/preservation_service.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "concord/app/actor.hpp"
#include "concord/core/id.hpp"
#include "concord/core/log.hpp"
#include "concord/core/time.hpp"
#include "concord/core/utf8.hpp"
#include "concord/crypto/sha256.hpp"
#include "concord/federation/envelope.hpp"
#include "concord/legal/check.hpp"

namespace concord::app {
namespace {

// Named statements (both backends).
constexpr std::string_view kInsertOrder =
    "INSERT INTO app_preservation_orders (message_id, sender, priority, request_type, "
    "received_ms, state) VALUES ($1, $2, $3, $4, $5, 'recorded') ON CONFLICT (message_id) DO "
    "NOTHING";
// Emergency orders first, then by arrival.
constexpr std::string_view kNextRunnable =
    "SELECT message_id FROM app_preservation_orders WHERE state = 'recorded' AND "
    "claimed_until_ms < $1 ORDER BY CASE WHEN priority = 'emergency' THEN 0 ELSE 1 END, "
    "received_ms, message_id LIMIT 1";
constexpr std::string_view kClaim =
    "UPDATE app_preservation_orders SET claim = $1, claimed_until_ms = $2, attempts = attempts "
    "+ 1 WHERE message_id = $3 AND state = 'recorded' AND claimed_until_ms < $4";
constexpr std::string_view kOrderColumns =
    "message_id, sender, priority, request_type, received_ms, state, attempts, error_code, "
    "error, hook_diagnostics, reference, sha256, confirmation_id, finished_ms, handled_by, "
    "handled_note";
constexpr std::string_view kConfirm =
    "UPDATE app_preservation_orders SET state = 'confirmed', reference = $1, sha256 = $2, "
    "confirmation_id = $3, finished_ms = $4, error_code = '', error = '', hook_diagnostics = $5 "
    "WHERE message_id = $6 AND state = 'recorded' AND claim = $7";
constexpr std::string_view kQueue =
    "UPDATE app_preservation_orders SET state = 'queued_for_responder', error_code = $1, error "
    "= $2, hook_diagnostics = $3, reference = $4, sha256 = $5, finished_ms = $6 WHERE "
    "message_id = $7 AND state = 'recorded' AND claim = $8";
// Only an order of the responders' queue may be closed by hand.
constexpr std::string_view kHandled =
    "UPDATE app_preservation_orders SET state = 'handled', handled_by = $1, handled_note = $2, "
    "reference = CASE WHEN $3 = '' THEN reference ELSE $3 END, finished_ms = $4 WHERE "
    "message_id = $5 AND state = 'queued_for_responder'";
// Version 2: who closed a queued order by hand, and how.
constexpr std::string_view kHandledColumns =
    "ALTER TABLE app_preservation_orders ADD COLUMN handled_by TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE app_preservation_orders ADD COLUMN handled_note TEXT NOT NULL DEFAULT ''";

constexpr std::size_t kMaxStoredText = std::size_t{8} * 1024;

// The legal request of an order's body: a request sent as a case step carries the use-case
// layer's own members ("concord_case", prefix "concord_"), which are no part of the request.
std::string RequestOf(const std::string& body) {
    boost::system::error_code ec;
    boost::json::value parsed = boost::json::parse(body, ec);
    if (ec || !parsed.is_object()) {
        return body;  // the check reports it
    }
    boost::json::object& o = parsed.as_object();
    bool changed = false;
    for (auto it = o.begin(); it != o.end();) {
        if (std::string_view(it->key()).starts_with("concord_")) {
            it = o.erase(it);
            changed = true;
        } else {
            ++it;
        }
    }
    return changed ? boost::json::serialize(o) : body;
}

std::string Bounded(std::string text) {
    if (text.size() > kMaxStoredText) {
        text.resize(kMaxStoredText);
        // Do not leave a cut UTF-8 sequence behind.
        while (!text.empty() && (static_cast<unsigned char>(text.back()) & 0xC0) == 0x80) {
            text.pop_back();
        }
        if (!text.empty() && (static_cast<unsigned char>(text.back()) & 0x80) != 0) {
            text.pop_back();
        }
    }
    return text;
}

Result<OrderState> ParseState(std::string_view name) {
    for (OrderState s :
         {OrderState::kRecorded,
          OrderState::kConfirmed,
          OrderState::kQueuedForResponder,
          OrderState::kHandled}) {
        if (OrderStateName(s) == name) {
            return s;
        }
    }
    return MakeError(ErrorCode::kCorruption, "unknown order state '" + std::string(name) + "'");
}

Result<PreservationOrder> OrderFromRow(const store::Row& r) {
    PreservationOrder o;
    o.message_id = r.Text(0);
    o.sender = r.Text(1);
    o.priority = r.Text(2);
    o.request_type = r.Text(3);
    o.received_ms = r.Int(4);
    CONCORD_ASSIGN_OR_RETURN(o.state, ParseState(r.Text(5)));
    o.attempts = r.Int(6);
    o.error_code = r.Text(7);
    o.error = r.Text(8);
    o.hook_diagnostics = r.Text(9);
    o.reference = r.Text(10);
    o.sha256 = r.Text(11);
    o.confirmation_id = r.Text(12);
    o.finished_ms = r.Int(13);
    o.handled_by = r.Text(14);
    o.handled_note = r.Text(15);
    return o;
}

std::string Schema(std::string_view integer) {
    const std::string i(integer);
    return "CREATE TABLE app_preservation_orders ("
           "message_id TEXT PRIMARY KEY, sender TEXT NOT NULL, priority TEXT NOT NULL, "
           "request_type TEXT NOT NULL, received_ms " +
           i + " NOT NULL, state TEXT NOT NULL, claim TEXT NOT NULL DEFAULT '', claimed_until_ms " +
           i + " NOT NULL DEFAULT 0, attempts " + i +
           " NOT NULL DEFAULT 0, error_code TEXT NOT NULL DEFAULT '', error TEXT NOT NULL DEFAULT "
           "'', hook_diagnostics TEXT NOT NULL DEFAULT '', reference TEXT NOT NULL DEFAULT '', "
           "sha256 TEXT NOT NULL DEFAULT '', confirmation_id TEXT NOT NULL DEFAULT '', "
           "finished_ms " +
           i +
           " NOT NULL DEFAULT 0);"
           "CREATE INDEX app_preservation_orders_state ON app_preservation_orders (state, "
           "received_ms)";
}

// The order recorded for `message_id`, read in `tx`; kNotFound if there is none.
Result<PreservationOrder> OrderIn(store::Transaction& tx, std::string_view message_id) {
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query(
            "SELECT " + std::string(kOrderColumns) +
                " FROM app_preservation_orders WHERE message_id = $1",
            {std::string(message_id)}
        )
    );
    if (rows.empty()) {
        return MakeError(ErrorCode::kNotFound, "no preservation order " + std::string(message_id));
    }
    return OrderFromRow(rows.front());
}

}  // namespace

std::string_view OrderStateName(OrderState state) {
    switch (state) {
        case OrderState::kRecorded:
            return "recorded";
        case OrderState::kConfirmed:
            return "confirmed";
        case OrderState::kQueuedForResponder:
            return "queued_for_responder";
        case OrderState::kHandled:
            return "handled";
    }
    return "unknown";
}

std::vector<store::Migration> PreservationService::Migrations() {
    return {
        store::Migration{"app_preservation", 1, Schema("INTEGER"), Schema("BIGINT")},
        store::Migration{
            "app_preservation", 2, std::string(kHandledColumns), std::string(kHandledColumns)}};
}

bool PreservationService::IsPreservationType(const legal::Catalog& catalog, std::string_view type) {
    auto it = catalog.request_types.find(type);
    if (it == catalog.request_types.end()) {
        return false;
    }
    for (const legal::Basis& basis : it->second.bases) {
        for (const legal::Deadline& d : basis.deadlines) {
            if (d.kind == "preserve_at_least" || d.kind == "preserve_up_to") {
                return true;
            }
        }
    }
    return false;
}

PreservationService::PreservationService(
    store::Store& store,
    federation::Node& node,
    const legal::Catalog& catalog,
    std::unique_ptr<PreservationHook> hook,
    PreservationOptions options
)
    : store_(store),
      node_(node),
      catalog_(catalog),
      hook_(std::move(hook)),
      options_(std::move(options)),
      worker_id_(NewUuidV7()) {}

Result<std::unique_ptr<PreservationService>> PreservationService::Open(
    store::Store& store,
    federation::Node& node,
    const legal::Catalog& catalog,
    std::unique_ptr<PreservationHook> hook,
    PreservationOptions options
) {
    const auto migrations = Migrations();
    CONCORD_RETURN_IF_ERROR(store.Migrate(migrations));
    return std::unique_ptr<PreservationService>(
        new PreservationService(store, node, catalog, std::move(hook), std::move(options))
    );
}

PreservationService::~PreservationService() {
    Stop();
}

std::int64_t PreservationService::Now() const {
    return options_.now ? options_.now() : NowMillis();
}

void PreservationService::Emit(std::string_view name, const std::string& json) {
    if (options_.on_event) {
        options_.on_event(name, json);
    }
}

Result<void> PreservationService::OnReceived(
    store::Transaction& tx, const federation::ReceivedMessage& message
) {
    if (message.type != "request") {
        return {};
    }
    const auto directory = node_.Directory();
    const federation::NodeEntry* self = directory->FindNode(node_.Id());
    if (self == nullptr || !self->HasRole("service_provider")) {
        return {};
    }
    boost::system::error_code ec;
    const boost::json::value body = boost::json::parse(message.body, ec);
    const boost::json::object* object = ec ? nullptr : body.if_object();
    const boost::json::value* type = object == nullptr ? nullptr : object->if_contains("type");
    if (type == nullptr || !type->is_string() ||
        !IsPreservationType(catalog_, std::string_view(type->as_string()))) {
        return {};
    }
    CONCORD_RETURN_IF_ERROR(tx.Execute(
        kInsertOrder,
        {message.id,
         message.from,
         std::string(federation::PriorityName(message.priority)),
         std::string(type->as_string()),
         message.received_ms}
    ));
    tx.OnCommit([this] { Wake(); });
    return {};
}

void PreservationService::Wake() {
    {
        MutexLock lock(mu_);
        woken_ = true;
    }
    cv_.notify_all();
}

void PreservationService::Start() {
    MutexLock lock(mu_);
    if (worker_.joinable()) {
        return;
    }
    stopping_ = false;
    woken_ = true;  // run what was recorded before the start
    worker_ = std::thread([this] { WorkerLoop(); });
}

void PreservationService::Stop() {
    {
        MutexLock lock(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (worker_.joinable()) {
        worker_.join();
    }
}

void PreservationService::WorkerLoop() {
    // A claim that outlives a crashed run expires after the hook timeout and the margin; the
    // worker looks again at that pace even without a wake-up.
    const auto recheck = options_.hook_timeout + options_.claim_margin;
    for (;;) {
        {
            MutexLock lock(mu_);
            cv_.wait_for(mu_, recheck, [this] {
                mu_.AssertHeld();
                return stopping_ || woken_;
            });
            if (stopping_) {
                return;
            }
            woken_ = false;
        }
        auto done = RunPending();
        if (!done) {
            log::Error("preservation worker", {{"error", done.error().ToString()}});
            MutexLock lock(mu_);
            // Store trouble: try again shortly rather than spin.
            cv_.wait_for(mu_, std::chrono::seconds(1), [this] {
                mu_.AssertHeld();
                return stopping_;
            });
            woken_ = true;
        }
    }
}

Result<int> PreservationService::RunPending() {
    int finished = 0;
    for (;;) {
        {
            MutexLock lock(mu_);
            if (stopping_) {
                return finished;
            }
        }
        CONCORD_ASSIGN_OR_RETURN(auto done, RunOne());
        if (!done) {
            return finished;
        }
        ++finished;
    }
}

Result<std::optional<std::string>> PreservationService::RunOne() {
    // 1. Claim the next runnable order (a short transaction of its own).
    const std::int64_t now = Now();
    const std::string claim = NewUuidV7();
    std::string id;
    {
        for (;;) {
            CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
            CONCORD_ASSIGN_OR_RETURN(auto rows, tx->Query(kNextRunnable, {now}));
            if (rows.empty()) {
                return std::optional<std::string>();
            }
            id = rows.front().Text(0);
            const std::int64_t until =
                now + (options_.hook_timeout + options_.claim_margin).count();
            CONCORD_ASSIGN_OR_RETURN(auto changed, tx->Execute(kClaim, {claim, until, id, now}));
            CONCORD_RETURN_IF_ERROR(tx->Commit());
            if (changed == 1) {
                break;
            }
        }
    }
    CONCORD_ASSIGN_OR_RETURN(PreservationOrder order, Get(id));

    // 2. Check and run it, with no transaction open (the hook may take its whole timeout).
    auto message = node_.Read(federation::Direction::kIn, id);
    std::string invalid_code;
    std::string invalid_message;
    HookOutcome outcome = tl::unexpected(HookError{});
    if (!message) {
        invalid_code = "invalid_order";
        invalid_message = "the order's message cannot be read: " + message.error().message;
    } else {
        auto input = OrderInput(*message, order.received_ms);
        if (!input) {
            invalid_code = "invalid_order";
            invalid_message = input.error().message;
        } else if (hook_ == nullptr) {
            invalid_code = "no_hook";
            invalid_message = "no preservation hook is configured";
        } else {
            outcome = hook_->Run(*input);
        }
    }

    // 3. Record the outcome (and send the confirmation) in one transaction.
    CONCORD_RETURN_IF_ERROR(Finish(order, claim, outcome, invalid_code, invalid_message));
    return std::optional<std::string>(id);
}

Result<std::string> PreservationService::OrderInput(
    const federation::MessageDetail& message, std::int64_t received_ms
) {
    const std::string body = RequestOf(message.body);
    std::vector<legal::Finding> findings = legal::CheckRequest(catalog_, body, "en");
    if (legal::HasErrors(findings)) {
        std::string text = "the order does not validate:";
        int shown = 0;
        for (const auto& f : findings) {
            if (f.severity != legal::Severity::kError) {
                continue;
            }
            if (shown++ == 5) {
                text += " ...";
                break;
            }
            text += " [" + f.code + (f.field.empty() ? "" : " " + f.field) + "] " + f.message;
        }
        return MakeError(ErrorCode::kInvalidArgument, Bounded(std::move(text)));
    }
    // It validated, so it is a JSON object.
    boost::system::error_code ec;
    boost::json::value request = boost::json::parse(body, ec);
    if (ec || !request.is_object()) {
        return MakeError(ErrorCode::kInvalidArgument, "the order is not a JSON object");
    }
    const auto directory = node_.Directory();
    const federation::NodeEntry* sender = directory->FindNode(message.summary.peer);
    boost::json::object order;
    order["format"] = "concord-preservation-order/1";
    order["message_id"] = message.summary.id;
    order["from"] = message.summary.peer;
    order["from_authority"] = sender != nullptr ? sender->authority : "";
    order["from_party"] = sender != nullptr ? sender->party : "";
    order["priority"] = federation::PriorityName(message.summary.priority);
    order["received"] = FormatTimestamp(received_ms);
    order["request"] = std::move(request);
    return boost::json::serialize(order);
}

Result<void> PreservationService::Finish(
    const PreservationOrder& order,
    const std::string& claim,
    const HookOutcome& outcome,
    const std::string& invalid_code,
    const std::string& invalid_message
) {
    const std::int64_t now = Now();
    const auto directory = node_.Directory();
    const federation::NodeEntry* self = directory->FindNode(node_.Id());
    std::string error_code = invalid_code;
    std::string error_message = invalid_message;
    std::string diagnostics;
    if (error_code.empty() && !outcome) {
        error_code = std::string(HookFailureName(outcome.error().failure));
        error_message = outcome.error().message;
        diagnostics = outcome.error().diagnostics;
    }
    if (error_code.empty()) {
        diagnostics.clear();
        // The confirmation goes back at the order's priority when the directory lets this node
        // answer at it, else at normal priority.
        std::string priority = order.priority;
        if (self == nullptr ||
            !directory->MayNodeSend(*self, "response", priority, true).has_value()) {
            priority = "normal";
        }
        boost::json::object body;
        body["status"] = "preserved";
        body["order"] = order.message_id;
        body["request_type"] = order.request_type;
        body["reference"] = outcome->reference;
        body["sha256"] = outcome->sha256;
        if (!outcome->note.empty()) {
            body["note"] = outcome->note;
        }
        body["hook"] = std::string(hook_->Kind());
        body["at"] = FormatTimestamp(now);
        const federation::OutgoingMessage confirmation{
            order.sender,
            "response",
            priority == "emergency" ? federation::Priority::kEmergency
                                    : federation::Priority::kNormal,
            order.message_id,
            boost::json::serialize(body)};

        CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
        std::optional<CaseConfirmation> via_case;
        if (options_.confirm_case) {
            auto stepped =
                options_.confirm_case(*tx, order.message_id, boost::json::serialize(body));
            if (stepped) {
                via_case = std::move(*stepped);
            } else if (stepped.error().code != ErrorCode::kInvalidArgument) {
                return stepped.error();  // store trouble: the claim expires and it runs again
            } else {
                // Start again clean: nothing of the refused steps may stay.
                tx->Rollback();
                CONCORD_ASSIGN_OR_RETURN(tx, store_.Begin());
                log::Warning(
                    "preservation confirmed without its case step",
                    {{"order", order.message_id}, {"reason", stepped.error().message}}
                );
            }
        }
        auto submitted = via_case ? Result<federation::Submitted>(federation::Submitted{})
                                  : node_.SubmitIn(*tx, confirmation);
        if (submitted && via_case) {
            submitted->id = via_case->message_id;
        }
        if (submitted) {
            CONCORD_ASSIGN_OR_RETURN(
                auto changed,
                tx->Execute(
                    kConfirm,
                    {outcome->reference,
                     outcome->sha256,
                     submitted->id,
                     now,
                     std::string(),
                     order.message_id,
                     claim}
                )
            );
            if (changed != 1) {
                return {};  // another worker finished it meanwhile; roll back
            }
            boost::json::object leaf;
            leaf["event"] = "preservation.confirmed";
            leaf["order"] = order.message_id;
            leaf["from"] = order.sender;
            leaf["request_type"] = order.request_type;
            leaf["sha256"] = outcome->sha256;
            leaf["confirmation"] = submitted->id;
            leaf["hook"] = std::string(hook_->Kind());
            leaf["as"] = via_case ? "case_step" : "response";
            NameActor(leaf, Actor::Node());
            CONCORD_RETURN_IF_ERROR(node_.AppendEvent(*tx, leaf));
            CONCORD_RETURN_IF_ERROR(tx->Commit());
            if (via_case) {
                if (via_case->after_commit) {
                    via_case->after_commit();
                }
            } else {
                node_.SubmitCommitted(confirmation, *submitted);
            }
            boost::json::object event;
            event["order"] = order.message_id;
            event["from"] = order.sender;
            event["reference"] = outcome->reference;
            event["sha256"] = outcome->sha256;
            event["confirmation"] = submitted->id;
            event["as"] = via_case ? "case_step" : "response";
            Emit("preservation.confirmed", boost::json::serialize(event));
            log::Info(
                "preservation confirmed",
                {{"order", order.message_id},
                 {"from", order.sender},
                 {"confirmation", submitted->id}}
            );
            return {};
        }
        const ErrorCode code = submitted.error().code;
        if (code != ErrorCode::kInvalidArgument && code != ErrorCode::kPermissionDenied) {
            return submitted.error();  // store trouble: the claim expires and it runs again
        }
        // The data is preserved but the confirmation cannot go (sender revoked or no longer
        // allowed): a person must take it from here, with the hook's result at hand.
        error_code = "confirmation_refused";
        error_message =
            "preserved, but the confirmation cannot be sent: " + submitted.error().message;
    }

    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(
        auto changed,
        tx->Execute(
            kQueue,
            {error_code,
             Bounded(error_message),
             Bounded(diagnostics),
             outcome ? outcome->reference : std::string(),
             outcome ? outcome->sha256 : std::string(),
             now,
             order.message_id,
             claim}
        )
    );
    if (changed != 1) {
        return {};
    }
    boost::json::object leaf;
    leaf["event"] = "preservation.queued";
    leaf["order"] = order.message_id;
    leaf["from"] = order.sender;
    leaf["request_type"] = order.request_type;
    leaf["reason"] = error_code;
    NameActor(leaf, Actor::Node());
    CONCORD_RETURN_IF_ERROR(node_.AppendEvent(*tx, leaf));
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    boost::json::object event;
    event["order"] = order.message_id;
    event["from"] = order.sender;
    event["reason"] = error_code;
    event["error"] = Bounded(error_message);
    Emit("preservation.queued", boost::json::serialize(event));
    log::Warning(
        "preservation order queued for a responder",
        {{"order", order.message_id},
         {"reason", error_code},
         {"error", Bounded(error_message)},
         {"hook_stderr", Bounded(diagnostics)}}
    );
    return {};
}

Result<std::vector<PreservationOrder>> PreservationService::List(
    std::size_t limit, std::optional<OrderState> state
) {
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    std::string sql = "SELECT " + std::string(kOrderColumns) + " FROM app_preservation_orders";
    std::vector<store::Value> params;
    if (state) {
        sql += " WHERE state = $1";
        params.emplace_back(std::string(OrderStateName(*state)));
    }
    sql += " ORDER BY received_ms DESC, message_id DESC LIMIT " + std::to_string(limit);
    CONCORD_ASSIGN_OR_RETURN(auto rows, tx->Query(sql, params));
    std::vector<PreservationOrder> out;
    out.reserve(rows.size());
    for (const auto& r : rows) {
        CONCORD_ASSIGN_OR_RETURN(auto o, OrderFromRow(r));
        out.push_back(std::move(o));
    }
    return out;
}

Result<PreservationOrder> PreservationService::Get(std::string_view message_id) {
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    return OrderIn(*tx, message_id);
}

Result<PreservationOrder> PreservationService::MarkHandled(
    std::string_view message_id,
    const Actor& actor,
    const std::string& note,
    const std::string& reference
) {
    if (note.find_first_not_of(" \t\r\n") == std::string::npos) {
        return MakeError(ErrorCode::kInvalidArgument, "say in 'note' how the order was answered");
    }
    if (note.size() > kMaxHandledNoteBytes || !IsValidUtf8(note)) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "'note' must be UTF-8 of at most " + std::to_string(kMaxHandledNoteBytes) + " bytes"
        );
    }
    if (reference.size() > kMaxHandledReferenceBytes || !IsValidUtf8(reference)) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "'reference' must be UTF-8 of at most " + std::to_string(kMaxHandledReferenceBytes) +
                " bytes"
        );
    }
    const std::int64_t now = Now();
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(
        auto changed,
        tx->Execute(kHandled, {actor.Label(), note, reference, now, std::string(message_id)})
    );
    if (changed != 1) {
        tx->Rollback();
        CONCORD_ASSIGN_OR_RETURN(PreservationOrder order, Get(message_id));
        return MakeError(
            ErrorCode::kInvalidArgument,
            "the order is " + std::string(OrderStateName(order.state)) +
                ": only an order queued for a responder is closed by hand"
        );
    }
    CONCORD_ASSIGN_OR_RETURN(PreservationOrder order, OrderIn(*tx, message_id));
    boost::json::object leaf;
    leaf["event"] = "preservation.handled";
    leaf["order"] = order.message_id;
    leaf["from"] = order.sender;
    leaf["request_type"] = order.request_type;
    leaf["queued_for"] = order.error_code;
    leaf["note_sha256"] = federation::HashHex(crypto::Sha256(AsBytes(note)));
    if (!reference.empty()) {
        leaf["reference"] = reference;
    }
    NameActor(leaf, actor);
    CONCORD_RETURN_IF_ERROR(node_.AppendEvent(*tx, leaf));
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    boost::json::object event;
    event["order"] = order.message_id;
    event["from"] = order.sender;
    event["by"] = order.handled_by;
    Emit("preservation.handled", boost::json::serialize(event));
    log::Info(
        "preservation order handled by hand",
        {{"order", order.message_id}, {"by", order.handled_by}}
    );
    return order;
}

}  // namespace concord::app
