// The outbox's write side: sealing and queueing outgoing messages (docs/protocol.md §Delivery).

#include "outbox.hpp"

#include <boost/json/serialize.hpp>

#include "concord/core/canonical_json.hpp"
#include "concord/core/id.hpp"
#include "concord/core/time.hpp"
#include "concord/federation/signed_json.hpp"

namespace concord::federation::internal {
namespace {

constexpr std::string_view kInsertOutgoingMessage =
    "INSERT INTO fed_messages (direction, id, peer, type, priority, in_reply_to, time, body, "
    "envelope, envelope_sha256, status, ledger_index, created_ms) VALUES "
    "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";
constexpr std::string_view kInsertOutboxEntry =
    "INSERT INTO fed_outbox (id, recipient, lane, next_attempt_ms, horizon_ms, created_ms) "
    "VALUES ($1, $2, $3, $4, $5, $6)";

}  // namespace

Result<NodeEntry> Outbox::CheckSend(const OutgoingMessage& message) const {
    const auto dir = context_.Directory();
    const NodeEntry* peer = dir->FindNode(message.to);
    if (peer == nullptr || peer->revoked) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "recipient '" + message.to + "' is not a current node of the directory"
        );
    }
    if (message.to == context_.options.node_id) {
        return MakeError(ErrorCode::kInvalidArgument, "a node cannot send to itself");
    }
    // The roles are this node's own entry's. (A node revoked in its own directory still
    // sends: its peers refuse it as unknown_sender, which the outbox shows.)
    const NodeEntry* self = dir->FindNode(context_.options.node_id);
    if (self == nullptr) {
        return MakeError(
            ErrorCode::kPermissionDenied,
            "this node is not listed in directory serial " + std::to_string(dir->serial)
        );
    }
    CONCORD_RETURN_IF_ERROR(dir->MayNodeSend(
        *self, message.type, PriorityName(message.priority), !message.in_reply_to.empty()
    ));
    return *peer;
}

Result<Submitted> Outbox::Submit(
    const OutgoingMessage& message,
    const std::function<Result<void>(store::Transaction&, const Submitted&)>& also,
    std::string_view actor
) {
    CONCORD_RETURN_IF_ERROR(CheckActorLabel(actor));
    CONCORD_ASSIGN_OR_RETURN(NodeEntry peer, CheckSend(message));
    CONCORD_ASSIGN_OR_RETURN(auto tx, context_.store.Begin());
    CONCORD_ASSIGN_OR_RETURN(Submitted submitted, Queue(*tx, message, peer, actor));
    if (also) {
        CONCORD_RETURN_IF_ERROR(also(*tx, submitted));
    }
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    context_.Failpoint("outbox.after_commit");
    SubmitCommitted(message, submitted);
    return submitted;
}

Result<Submitted> Outbox::SubmitIn(
    store::Transaction& tx, const OutgoingMessage& message, std::string_view actor
) {
    CONCORD_RETURN_IF_ERROR(CheckActorLabel(actor));
    CONCORD_ASSIGN_OR_RETURN(NodeEntry peer, CheckSend(message));
    return Queue(tx, message, peer, actor);
}

void Outbox::SubmitCommitted(const OutgoingMessage& message, const Submitted& submitted) {
    context_.counters.submitted.fetch_add(1, std::memory_order_relaxed);
    Wake();
    boost::json::object event;
    event["id"] = submitted.id;
    event["to"] = message.to;
    event["type"] = message.type;
    event["priority"] = PriorityName(message.priority);
    context_.Emit("message.submitted", boost::json::serialize(event));
}

Result<Submitted> Outbox::Queue(
    store::Transaction& tx,
    const OutgoingMessage& message,
    const NodeEntry& peer,
    std::string_view actor
) {
    CONCORD_ASSIGN_OR_RETURN(std::string body, json::CanonicalizeOrError(message.body_json));
    const std::int64_t now = context_.Now();
    Header header{
        NewUuidV7At(now),
        message.type,
        context_.options.node_id,
        message.to,
        FormatTimestamp(now),
        message.in_reply_to,
        std::string(PriorityName(message.priority))};
    CONCORD_ASSIGN_OR_RETURN(
        std::string envelope,
        SealEnvelope(header, body, context_.keys.signing, context_.keys.box, peer.box_key)
    );
    const std::string hash = HashHex(crypto::Sha256(AsBytes(envelope)));
    boost::json::object leaf;
    leaf["event"] = "message.submitted";
    leaf["id"] = header.id;
    leaf["to"] = header.to;
    leaf["type"] = header.type;
    leaf["priority"] = header.priority;
    leaf["envelope_sha256"] = hash;
    CONCORD_ASSIGN_OR_RETURN(auto appended, context_.log->Append(tx, LeafBytes(leaf, actor)));
    CONCORD_RETURN_IF_ERROR(tx.Execute(
        kInsertOutgoingMessage,
        {Sql(Direction::kOut),
         header.id,
         header.to,
         header.type,
         header.priority,
         header.in_reply_to,
         header.time,
         body,
         envelope,
         hash,
         Sql(MessageStatus::kQueued),
         ToSql(appended.first_index),
         now}
    ));
    CONCORD_RETURN_IF_ERROR(tx.Execute(
        kInsertOutboxEntry,
        {header.id,
         header.to,
         Sql(LaneOf(message.priority)),
         now,
         now + context_.options.delivery_horizon.count(),
         now}
    ));
    return Submitted{header.id, appended.first_index};
}

void Outbox::Wake() {
    {
        MutexLock lock(mu_);
        ++generation_;
    }
    cv_.notify_all();
}

std::optional<std::uint64_t> Outbox::Generation() {
    MutexLock lock(mu_);
    if (stopping_) {
        return std::nullopt;
    }
    return generation_;
}

void Outbox::WaitForWake(std::uint64_t generation, std::chrono::milliseconds max) {
    MutexLock lock(mu_);
    cv_.wait_for(mu_, max, [&] {
        mu_.AssertHeld();
        return stopping_ || generation_ != generation;
    });
}

void Outbox::Stop() {
    {
        MutexLock lock(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
}

}  // namespace concord::federation::internal
