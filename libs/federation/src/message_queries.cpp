// Read-only queries over messages, alerts, the outbox and the audit log.

#include "message_queries.hpp"

#include <algorithm>

#include "concord/ledger/proof_file.hpp"

namespace concord::federation::internal {
namespace {

constexpr std::size_t kMaxListed = 1000;

constexpr std::string_view kListMessages =
    "SELECT direction, id, peer, type, priority, in_reply_to, time, status, attempts, last_error, "
    "created_ms, ledger_index FROM fed_messages WHERE direction = $1 ORDER BY id DESC LIMIT $2";
constexpr std::string_view kListMessagesBefore =
    "SELECT direction, id, peer, type, priority, in_reply_to, time, status, attempts, last_error, "
    "created_ms, ledger_index FROM fed_messages WHERE direction = $1 AND id < $3 "
    "ORDER BY id DESC LIMIT $2";
constexpr std::string_view kSelectMessage =
    "SELECT direction, id, peer, type, priority, in_reply_to, time, status, attempts, last_error, "
    "created_ms, ledger_index, body, envelope, envelope_sha256, receiver_proof, "
    "receiver_leaf FROM fed_messages WHERE direction = $1 AND id = $2";
constexpr std::string_view kSelectEvidence =
    "SELECT record FROM fed_evidence WHERE direction = $1 AND message_id = $2 ORDER BY "
    "created_ms, event";
constexpr std::string_view kListAlerts =
    "SELECT seq, kind, peer, message, evidence, created_ms FROM fed_alerts ORDER BY seq DESC "
    "LIMIT $1";
constexpr std::string_view kOutboxDepth =
    "SELECT lane, COUNT(*) AS waiting FROM fed_outbox GROUP BY lane";

Result<MessageSummary> SummaryFromRow(const store::Row& r) {
    MessageSummary s;
    CONCORD_ASSIGN_OR_RETURN(s.direction, FromStore(ParseDirection(r.Text("direction"))));
    s.id = r.Text("id");
    s.peer = r.Text("peer");
    s.type = r.Text("type");
    CONCORD_ASSIGN_OR_RETURN(s.priority, FromStore(ParsePriority(r.Text("priority"))));
    s.in_reply_to = r.Text("in_reply_to");
    s.time = r.Text("time");
    CONCORD_ASSIGN_OR_RETURN(s.status, FromStore(ParseMessageStatus(r.Text("status"))));
    s.attempts = r.Int("attempts");
    s.last_error = r.Text("last_error");
    s.created_ms = r.Int("created_ms");
    s.ledger_index = static_cast<std::uint64_t>(r.Int("ledger_index"));
    return s;
}

std::int64_t Capped(std::size_t limit) {
    return static_cast<std::int64_t>(std::min(limit, kMaxListed));
}

}  // namespace

Result<std::vector<MessageSummary>> MessageQueries::List(
    Direction direction, std::size_t limit, std::string_view before_id
) {
    CONCORD_ASSIGN_OR_RETURN(auto tx, context_.store.Begin());
    const std::string name = Sql(direction);
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        before_id.empty()
            ? tx->Query(kListMessages, {name, Capped(limit)})
            : tx->Query(kListMessagesBefore, {name, Capped(limit), std::string(before_id)})
    );
    std::vector<MessageSummary> out;
    out.reserve(rows.size());
    for (const auto& r : rows) {
        CONCORD_ASSIGN_OR_RETURN(MessageSummary summary, SummaryFromRow(r));
        out.push_back(std::move(summary));
    }
    return out;
}

Result<MessageDetail> MessageQueries::Read(Direction direction, std::string_view id) {
    MessageDetail detail;
    {
        CONCORD_ASSIGN_OR_RETURN(auto tx, context_.store.Begin());
        const std::string name = Sql(direction);
        CONCORD_ASSIGN_OR_RETURN(auto rows, tx->Query(kSelectMessage, {name, std::string(id)}));
        if (rows.empty()) {
            return MakeError(ErrorCode::kNotFound, "no message " + std::string(id));
        }
        const store::Row& r = rows.front();
        CONCORD_ASSIGN_OR_RETURN(detail.summary, SummaryFromRow(r));
        detail.body = r.Text("body");
        detail.envelope = r.Text("envelope");
        detail.envelope_sha256 = r.Text("envelope_sha256");
        detail.receiver_proof = r.Text("receiver_proof");
        detail.receiver_leaf = r.Text("receiver_leaf");
        CONCORD_ASSIGN_OR_RETURN(
            auto evidence, tx->Query(kSelectEvidence, {name, std::string(id)})
        );
        for (const auto& e : evidence) {
            detail.evidence.push_back(e.Text("record"));
        }
    }
    CONCORD_ASSIGN_OR_RETURN(detail.own_proof, LedgerProof(detail.summary.ledger_index));
    return detail;
}

Result<std::vector<Alert>> MessageQueries::Alerts(std::size_t limit) {
    CONCORD_ASSIGN_OR_RETURN(auto tx, context_.store.Begin());
    CONCORD_ASSIGN_OR_RETURN(auto rows, tx->Query(kListAlerts, {Capped(limit)}));
    std::vector<Alert> out;
    out.reserve(rows.size());
    for (const auto& r : rows) {
        CONCORD_ASSIGN_OR_RETURN(AlertKind kind, FromStore(ParseAlertKind(r.Text("kind"))));
        out.push_back(Alert{
            r.Int("seq"),
            kind,
            r.Text("peer"),
            r.Text("message"),
            r.Text("evidence"),
            r.Int("created_ms")});
    }
    return out;
}

Result<std::pair<std::int64_t, std::int64_t>> MessageQueries::OutboxDepth() {
    CONCORD_ASSIGN_OR_RETURN(auto tx, context_.store.Begin());
    CONCORD_ASSIGN_OR_RETURN(auto rows, tx->Query(kOutboxDepth));
    std::pair<std::int64_t, std::int64_t> depth{0, 0};
    for (const auto& r : rows) {
        const bool emergency = r.Int("lane") == Sql(Lane::kEmergency);
        (emergency ? depth.first : depth.second) = r.Int("waiting");
    }
    return depth;
}

Result<std::string> MessageQueries::LedgerProof(std::uint64_t index) {
    ledger::Log& log = *context_.log;
    CONCORD_ASSIGN_OR_RETURN(auto tx, context_.store.Begin());
    CONCORD_ASSIGN_OR_RETURN(std::uint64_t size, log.Size(*tx));
    CONCORD_ASSIGN_OR_RETURN(
        std::string note, log.MakeCheckpoint(*tx, context_.signer, context_.options.node_id, size)
    );
    CONCORD_ASSIGN_OR_RETURN(auto hashes, log.InclusionProof(*tx, index, size));
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    return ledger::FormatTlogProof(ledger::TlogProof{std::nullopt, index, std::move(hashes), note});
}

Result<Bytes> MessageQueries::LedgerLeaf(std::uint64_t index) {
    CONCORD_ASSIGN_OR_RETURN(auto tx, context_.store.Begin());
    CONCORD_ASSIGN_OR_RETURN(Bytes leaf, context_.log->Leaf(*tx, index));
    tx->Rollback();
    return leaf;
}

Result<std::uint64_t> MessageQueries::LedgerSize() {
    CONCORD_ASSIGN_OR_RETURN(auto tx, context_.store.Begin());
    return context_.log->Size(*tx);
}

}  // namespace concord::federation::internal
