// The outbox: delivery workers, retries with full-jitter backoff, receipts, non-delivery
// (docs/protocol.md §Delivery).

#include "delivery.hpp"

#include <algorithm>
#include <limits>

#include <boost/json/serialize.hpp>

#include "concord/core/log.hpp"
#include "concord/core/time.hpp"
#include "concord/crypto/base64.hpp"
#include "concord/crypto/random.hpp"
#include "concord/federation/signed_json.hpp"
#include "concord/ledger/proof_file.hpp"

namespace concord::federation::internal {

std::int64_t BackoffCeilingMs(std::int64_t initial_ms, std::int64_t max_ms, std::int64_t attempts) {
    const std::int64_t cap = std::max<std::int64_t>(max_ms, 1);
    std::int64_t ceiling = std::clamp<std::int64_t>(initial_ms, 1, cap);
    // Doubles `attempts` times, stopping at the cap: never shifts past it, so no overflow for
    // any setting (a shift of a large initial backoff used to wrap).
    for (std::int64_t i = 0; i < attempts && ceiling < cap; ++i) {
        ceiling = ceiling > cap / 2 ? cap : ceiling * 2;
    }
    return ceiling;
}

std::int64_t JitteredDelayMs(std::int64_t ceiling_ms) {
    const auto bound = static_cast<std::uint64_t>(std::max<std::int64_t>(ceiling_ms, 1));
    // Uniform in [0, bound) over 64 bits by rejection (no modulo bias), then shifted to
    // [1, bound].
    const std::uint64_t reject_below = (0 - bound) % bound;
    std::uint64_t r = 0;
    do {
        Bytes bytes = crypto::RandomBytes(sizeof r);
        r = ReadU64BigEndian(bytes);
    } while (r < reject_below);
    return static_cast<std::int64_t>(r % bound) + 1;
}

namespace {

constexpr std::string_view kSelectDueEntries =
    "SELECT id, recipient, lane, horizon_ms, created_ms FROM fed_outbox WHERE "
    "next_attempt_ms <= $1 AND lane >= $2 ORDER BY lane DESC, next_attempt_ms LIMIT 64";
constexpr std::string_view kSelectNextDue =
    "SELECT MIN(next_attempt_ms) AS next_due FROM fed_outbox WHERE next_attempt_ms > $1 AND "
    "lane >= $2";
constexpr std::string_view kSelectOutgoingForDelivery =
    "SELECT attempts, envelope, envelope_sha256, time FROM fed_messages WHERE direction = $1 AND "
    "peer = $2 AND id = $3";
constexpr std::string_view kDeleteOutboxEntry = "DELETE FROM fed_outbox WHERE id = $1";
constexpr std::string_view kMarkDelivered =
    "UPDATE fed_messages SET status = $1, receiver_proof = $2, receiver_leaf = $3 WHERE "
    "direction = $4 AND peer = $5 AND id = $6";
constexpr std::string_view kInsertOutgoingEvidence =
    "INSERT INTO fed_evidence (direction, message_id, event, record, created_ms) VALUES ($1, $2, "
    "$3, $4, $5) ON CONFLICT DO NOTHING";
constexpr std::string_view kRescheduleEntry =
    "UPDATE fed_outbox SET next_attempt_ms = $1 WHERE id = $2";
constexpr std::string_view kCountAttempt =
    "UPDATE fed_messages SET attempts = attempts + 1, last_error = $1 WHERE direction = $2 AND "
    "peer = $3 AND id = $4";
constexpr std::string_view kMarkFailed =
    "UPDATE fed_messages SET status = $1, attempts = attempts + 1, last_error = $2 WHERE "
    "direction = $3 AND peer = $4 AND id = $5";

}  // namespace

void Delivery::Start() {
    MutexLock lock(mu_);
    if (started_) {
        return;
    }
    started_ = true;
    threads_.emplace_back([this] { Loop(/*emergency_only=*/true); });
    for (int i = 0; i < context_.options.delivery_workers; ++i) {
        threads_.emplace_back([this] { Loop(/*emergency_only=*/false); });
    }
}

void Delivery::Stop() {
    outbox_.Stop();
    for (auto& t : threads_) {
        t.join();
    }
    threads_.clear();
}

void Delivery::Loop(bool emergency_only) {
    for (;;) {
        const std::optional<std::uint64_t> generation = outbox_.Generation();
        if (!generation) {
            return;
        }
        std::int64_t next_due = std::numeric_limits<std::int64_t>::max();
        if (auto item = ClaimDue(emergency_only, next_due)) {
            Deliver(*item);
            MutexLock lock(mu_);
            in_flight_.erase(item->id);
            continue;
        }
        const std::int64_t wait_ms = std::clamp<std::int64_t>(next_due - context_.Now(), 1, 1000);
        outbox_.WaitForWake(*generation, std::chrono::milliseconds(wait_ms));
    }
}

std::optional<Delivery::Item> Delivery::ClaimDue(bool emergency_only, std::int64_t& next_due) {
    auto tx = context_.store.Begin();
    if (!tx) {
        log::Error("outbox: cannot read", {{"error", tx.error().ToString()}});
        return std::nullopt;
    }
    const auto lowest_lane = Sql(emergency_only ? Lane::kEmergency : Lane::kNormal);
    const std::int64_t now = context_.Now();
    auto due = (*tx)->Query(kSelectDueEntries, {now, lowest_lane});
    if (!due) {
        // The worker waits (at most a second) and tries again; say why it is idle.
        log::Error("outbox: cannot query due messages", {{"error", due.error().ToString()}});
        return std::nullopt;
    }
    std::optional<Item> item;
    {
        MutexLock lock(mu_);
        for (const auto& r : *due) {
            if (in_flight_.insert(r.Text("id")).second) {
                item = Item{
                    r.Text("id"),
                    r.Text("recipient"),
                    r.Int("lane") == Sql(Lane::kEmergency) ? Lane::kEmergency : Lane::kNormal,
                    r.Int("horizon_ms"),
                    r.Int("created_ms"),
                    0,
                    "",
                    "",
                    0};
                break;
            }
        }
    }
    if (!item) {
        auto next = (*tx)->Query(kSelectNextDue, {now, lowest_lane});
        if (next && !next->empty() && !next->front().IsNull("next_due")) {
            next_due = next->front().Int("next_due");
        }
        return std::nullopt;
    }
    auto rows =
        (*tx)->Query(kSelectOutgoingForDelivery, {Sql(Direction::kOut), item->recipient, item->id});
    if (!rows || rows->empty()) {
        log::Error(
            "outbox: cannot read a due message",
            {{"id", item->id},
             {"error", rows ? std::string("no such outgoing message") : rows.error().ToString()}}
        );
        MutexLock lock(mu_);
        in_flight_.erase(item->id);
        return std::nullopt;
    }
    const store::Row& row = rows->front();
    item->attempts = row.Int("attempts");
    item->envelope = row.Text("envelope");
    item->envelope_sha256 = row.Text("envelope_sha256");
    auto sealed = ParseTimestamp(row.Text("time"));
    item->envelope_time_ms = sealed ? *sealed : item->created_ms;
    return item;
}

namespace {

std::string RefusalCodeOf(const std::string& body) {
    auto o = ParseObject(body);
    if (!o) {
        return "";
    }
    const auto* error = o->if_contains("error");
    if (error == nullptr || !error->is_object()) {
        return "";
    }
    auto code = GetString(error->as_object(), "code");
    return code ? *code : "";
}

}  // namespace

void Delivery::Deliver(const Item& item) {
    context_.counters.delivery_attempts.fetch_add(1, std::memory_order_relaxed);
    const auto dir = context_.Directory();
    const NodeEntry* peer = dir->FindNode(item.recipient);
    std::string error;
    bool permanent = false;
    if (peer == nullptr || peer->revoked) {
        error =
            "recipient is not a current node of directory serial " + std::to_string(dir->serial);
    } else {
        const std::string target =
            context_.options.delivery_proofs ? "/fed/v1/messages?proof=1" : "/fed/v1/messages";
        auto reply = context_.transport.Send(*peer, "POST", target, item.envelope);
        if (!reply) {
            error = reply.error().message;
        } else if (reply->status == 200) {
            auto accepted = AcceptReceipt(item, *peer, reply->body);
            if (accepted) {
                return;
            }
            error = "receipt refused: " + accepted.error().message;
        } else {
            const std::string code = RefusalCodeOf(reply->body);
            error = "HTTP " + std::to_string(reply->status) + (code.empty() ? "" : " " + code);
            permanent = IsPermanentRefusal(code);
        }
    }
    context_.counters.delivery_failures.fetch_add(1, std::memory_order_relaxed);
    Result<void> done;
    if (permanent) {
        done = GiveUp(item, "refused by the recipient: " + error);
    } else if (context_.Now() >= item.horizon_ms) {
        done = GiveUp(item, "delivery horizon reached; last error: " + error);
    } else {
        done = Reschedule(item, error);
    }
    if (!done) {
        log::Error(
            "outbox: cannot record a delivery attempt", {{"error", done.error().ToString()}}
        );
    }
}

Result<void> Delivery::AcceptReceipt(
    const Item& item, const NodeEntry& peer, const std::string& reply
) {
    // Anything short of a receipt that answers exactly this envelope is a refused receipt: the
    // caller retries, and at the delivery horizon records a non-delivery and raises an alert.
    auto refuse = [](std::string why) {
        return MakeError(ErrorCode::kUnauthenticated, std::move(why));
    };
    CONCORD_ASSIGN_OR_RETURN(boost::json::object o, ParseObject(reply));
    for (const auto& member : o) {
        const auto name = member.key();
        if (name != "receipt" && name != "ledger_index" && name != "duplicate" && name != "proof" &&
            name != "leaf") {
            return refuse("unknown field '" + std::string(name.substr(0, 64)) + "' in the reply");
        }
    }
    CONCORD_ASSIGN_OR_RETURN(std::string receipt, GetString(o, "receipt"));
    CONCORD_ASSIGN_OR_RETURN(Evidence evidence, VerifyEvidence(receipt, peer.signing_key));
    if (evidence.event != "delivery" || evidence.message_id != item.id ||
        evidence.envelope_sha256 != item.envelope_sha256 || evidence.from != peer.id ||
        evidence.to != context_.options.node_id || !evidence.ledger_index) {
        return refuse("the receipt is not for this envelope");
    }
    // The receipt was signed after the envelope was sealed and before now (both within the
    // allowed clock skew).
    const std::int64_t receipt_ms = *ParseTimestamp(evidence.time);
    const std::int64_t skew = context_.options.max_future_skew.count();
    if (receipt_ms < item.envelope_time_ms - skew || receipt_ms > context_.Now() + skew) {
        return refuse(
            "the receipt time " + evidence.time + " is not between the envelope's time and now"
        );
    }
    if (o.contains("ledger_index")) {
        CONCORD_ASSIGN_OR_RETURN(std::int64_t index, GetInt(o, "ledger_index"));
        if (index < 0 || static_cast<std::uint64_t>(index) != *evidence.ledger_index) {
            return refuse("the reply's ledger_index differs from the receipt's");
        }
    }
    if (const auto* duplicate = o.if_contains("duplicate");
        duplicate != nullptr && !duplicate->is_bool()) {
        return refuse("field 'duplicate': expected true or false");
    }
    std::string proof;
    std::string leaf_text;
    if (context_.options.delivery_proofs && !o.contains("proof")) {
        // Asked for the receiver's log commitment and not given it: refused, so that a receiver
        // cannot keep an entry out of its log and still have the message count as delivered.
        return refuse("the receiver withheld the inclusion proof this node asked for");
    }
    if (o.contains("proof")) {
        CONCORD_ASSIGN_OR_RETURN(proof, GetString(o, "proof"));
        CONCORD_ASSIGN_OR_RETURN(leaf_text, GetString(o, "leaf"));
        CONCORD_ASSIGN_OR_RETURN(Bytes leaf, crypto::Base64Decode(leaf_text));
        CONCORD_ASSIGN_OR_RETURN(boost::json::object leaf_object, ParseObject(ToString(leaf)));
        CONCORD_ASSIGN_OR_RETURN(std::string leaf_hash, GetString(leaf_object, "envelope_sha256"));
        CONCORD_ASSIGN_OR_RETURN(std::string leaf_event, GetString(leaf_object, "event"));
        CONCORD_ASSIGN_OR_RETURN(std::string leaf_id, GetString(leaf_object, "id"));
        CONCORD_ASSIGN_OR_RETURN(std::string leaf_from, GetString(leaf_object, "from"));
        if (leaf_hash != item.envelope_sha256 || leaf_event != "message.received" ||
            leaf_id != item.id || leaf_from != context_.options.node_id) {
            return refuse("the proven leaf is not this envelope's");
        }
        CONCORD_ASSIGN_OR_RETURN(ledger::TlogProof parsed, ledger::ParseTlogProof(proof));
        if (parsed.index != *evidence.ledger_index) {
            return refuse("proof index differs from the receipt's");
        }
        const ledger::NoteVerifier key =
            ledger::MakeVerifier(peer.id, ledger::NoteKeyType::kEd25519, peer.signing_key);
        CONCORD_RETURN_IF_ERROR(
            ledger::VerifyTlogProof(parsed, leaf, std::span(&key, 1), std::string_view(peer.id))
        );
    }
    const std::int64_t now = context_.Now();
    CONCORD_ASSIGN_OR_RETURN(auto tx, context_.store.Begin());
    CONCORD_ASSIGN_OR_RETURN(std::int64_t removed, tx->Execute(kDeleteOutboxEntry, {item.id}));
    if (removed == 0) {
        return {};  // another worker (or a previous run) recorded it already
    }
    CONCORD_RETURN_IF_ERROR(tx->Execute(
        kMarkDelivered,
        {Sql(MessageStatus::kDelivered), proof, leaf_text, Sql(Direction::kOut), peer.id, item.id}
    ));
    CONCORD_RETURN_IF_ERROR(tx->Execute(
        kInsertOutgoingEvidence,
        {Sql(Direction::kOut), item.id, std::string("delivery"), receipt, now}
    ));
    boost::json::object leaf;
    leaf["event"] = "message.delivered";
    leaf["id"] = item.id;
    leaf["to"] = peer.id;
    leaf["receipt_sha256"] = HashHex(crypto::Sha256(AsBytes(receipt)));
    CONCORD_RETURN_IF_ERROR(context_.log->Append(*tx, LeafBytes(leaf, kNodeActor)));
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    context_.counters.delivered.fetch_add(1, std::memory_order_relaxed);
    if (context_.options.on_delivered) {
        context_.options.on_delivered(static_cast<double>(now - item.created_ms) / 1000.0);
    }
    boost::json::object event;
    event["id"] = item.id;
    event["to"] = peer.id;
    event["ledger_index"] = static_cast<std::int64_t>(*evidence.ledger_index);
    event["proof_verified"] = !proof.empty();
    context_.Emit("message.delivered", boost::json::serialize(event));
    return {};
}

Result<void> Delivery::Reschedule(const Item& item, const std::string& error) {
    const std::int64_t ceiling = BackoffCeilingMs(
        context_.options.initial_backoff.count(),
        context_.options.max_backoff.count(),
        item.attempts
    );
    const std::int64_t delay = JitteredDelayMs(ceiling);
    const std::int64_t now = context_.Now();
    // min(now + delay, horizon) without overflowing now + delay.
    const std::int64_t next = delay >= item.horizon_ms - now ? item.horizon_ms : now + delay;
    CONCORD_ASSIGN_OR_RETURN(auto tx, context_.store.Begin());
    CONCORD_RETURN_IF_ERROR(tx->Execute(kRescheduleEntry, {next, item.id}));
    CONCORD_RETURN_IF_ERROR(
        tx->Execute(kCountAttempt, {error, Sql(Direction::kOut), item.recipient, item.id})
    );
    return tx->Commit();
}

Result<void> Delivery::GiveUp(const Item& item, const std::string& reason) {
    const std::int64_t now = context_.Now();
    CONCORD_ASSIGN_OR_RETURN(auto tx, context_.store.Begin());
    CONCORD_ASSIGN_OR_RETURN(std::int64_t removed, tx->Execute(kDeleteOutboxEntry, {item.id}));
    if (removed == 0) {
        return {};
    }
    boost::json::object leaf;
    leaf["event"] = "message.non_delivery";
    leaf["id"] = item.id;
    leaf["to"] = item.recipient;
    leaf["reason"] = reason;
    CONCORD_ASSIGN_OR_RETURN(auto appended, context_.log->Append(*tx, LeafBytes(leaf, kNodeActor)));
    CONCORD_ASSIGN_OR_RETURN(
        std::string record,
        SignEvidence(
            Evidence{
                "non_delivery",
                item.id,
                item.envelope_sha256,
                context_.options.node_id,
                item.recipient,
                FormatTimestamp(now),
                appended.first_index,
                reason},
            context_.keys.signing
        )
    );
    CONCORD_RETURN_IF_ERROR(tx->Execute(
        kMarkFailed,
        {Sql(MessageStatus::kFailed), reason, Sql(Direction::kOut), item.recipient, item.id}
    ));
    CONCORD_RETURN_IF_ERROR(tx->Execute(
        kInsertOutgoingEvidence,
        {Sql(Direction::kOut), item.id, std::string("non_delivery"), record, now}
    ));
    CONCORD_RETURN_IF_ERROR(context_.RaiseAlert(
        *tx,
        AlertKind::kNonDelivery,
        item.recipient,
        "message " + item.id + " not delivered: " + reason,
        record
    ));
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    context_.counters.non_delivered.fetch_add(1, std::memory_order_relaxed);
    boost::json::object event;
    event["id"] = item.id;
    event["to"] = item.recipient;
    event["reason"] = reason;
    context_.Emit("message.failed", boost::json::serialize(event));
    return {};
}

}  // namespace concord::federation::internal
