// The inbox: incoming envelopes are verified on the caller's thread, then group committed
// (docs/protocol.md §Intake); opening a received message records retrieval evidence.

#include "inbox.hpp"

#include <map>
#include <utility>

#include <boost/json/serialize.hpp>

#include "concord/core/log.hpp"
#include "concord/core/time.hpp"
#include "concord/crypto/base64.hpp"
#include "concord/federation/signed_json.hpp"
#include "concord/ledger/proof_file.hpp"

namespace concord::federation::internal {
namespace {

constexpr std::string_view kSelectSeen =
    "SELECT envelope_sha256, receipt, ledger_index FROM fed_seen WHERE sender = $1 AND id = $2";
constexpr std::string_view kInsertIncomingMessage =
    "INSERT INTO fed_messages (direction, id, peer, type, priority, in_reply_to, time, body, "
    "envelope, envelope_sha256, status, ledger_index, created_ms) VALUES "
    "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";
constexpr std::string_view kInsertSeen =
    "INSERT INTO fed_seen (sender, id, envelope_sha256, receipt, ledger_index, expires_ms) "
    "VALUES ($1, $2, $3, $4, $5, $6)";
constexpr std::string_view kForgetExpiredSeen = "DELETE FROM fed_seen WHERE expires_ms < $1";
// A retrieval record from the sender of one of our messages, kept for that message only.
constexpr std::string_view kInsertRetrievalOfOutgoing =
    "INSERT INTO fed_evidence (direction, message_id, event, record, created_ms) "
    "SELECT $1, id, $2, $3, $4 FROM fed_messages WHERE direction = $1 AND peer = $5 AND id = $6 "
    "AND envelope_sha256 = $7 ON CONFLICT DO NOTHING";
constexpr std::string_view kSelectIncomingToOpen =
    "SELECT peer, priority, envelope_sha256, opened_ms FROM fed_messages WHERE direction = $1 "
    "AND id = $2";
constexpr std::string_view kMarkOpened =
    "UPDATE fed_messages SET opened_ms = $1, status = $2 WHERE direction = $3 AND peer = $4 AND "
    "id = $5 AND opened_ms IS NULL";
constexpr std::string_view kInsertIncomingEvidence =
    "INSERT INTO fed_evidence (direction, message_id, event, record, created_ms) VALUES ($1, $2, "
    "$3, $4, $5)";

}  // namespace

Inbox::Inbox(NodeContext& context, Outbox& outbox)
    : context_(context),
      outbox_(outbox),
      committer_(
          context.options.max_intake_batch,
          [this](std::vector<Intake>& batch) { return CommitAll(batch); },
          [] {
              return IntakeReply{503, ErrorBody("unavailable", "node is not accepting"), "", false};
          }
      ) {}

IntakeReply Inbox::Receive(std::string_view text, bool want_proof) {
    const NodeOptions& options = context_.options;
    if (text.size() > options.max_envelope_bytes) {
        return Refuse(
            Refusal::kTooLarge,
            "envelope of " + std::to_string(text.size()) + " bytes; the limit is " +
                std::to_string(options.max_envelope_bytes),
            nullptr
        );
    }
    auto parsed = ParseEnvelope(text);
    if (!parsed) {
        return Refuse(parsed.error().reason, parsed.error().message, nullptr);
    }
    ParsedEnvelope& envelope = *parsed;
    if (envelope.header.to != options.node_id) {
        return Refuse(
            Refusal::kWrongRecipient,
            "envelope is for '" + envelope.header.to + "', this is '" + options.node_id + "'",
            &envelope
        );
    }
    const auto dir = context_.Directory();
    const NodeEntry* sender = dir->FindNode(envelope.header.from);
    if (sender == nullptr) {
        return Refuse(
            Refusal::kUnknownSender,
            "sender '" + envelope.header.from + "' is not in directory serial " +
                std::to_string(dir->serial),
            &envelope
        );
    }
    if (sender->revoked) {
        return Refuse(
            Refusal::kUnknownSender,
            "sender '" + sender->id + "' is revoked in directory serial " +
                std::to_string(dir->serial),
            &envelope
        );
    }
    if (!(sender->signing_key == envelope.key)) {
        return Refuse(
            Refusal::kUnknownSender,
            "the signing key is not the one the directory lists for '" + sender->id + "'",
            &envelope
        );
    }
    if (auto ok = VerifyEnvelopeSignature(envelope); !ok) {
        return Refuse(ok.error().reason, ok.error().message, &envelope);
    }
    // Who may send what is decided before anything is stored (docs/protocol.md §4).
    if (auto ok = dir->MayNodeSend(
            *sender,
            envelope.header.type,
            envelope.header.priority,
            !envelope.header.in_reply_to.empty()
        );
        !ok) {
        return Refuse(Refusal::kNotPermitted, ok.error().message, &envelope);
    }
    const std::int64_t now = context_.Now();
    if (envelope.time_millis < now - options.max_age.count()) {
        return Refuse(
            Refusal::kStale, "envelope time is older than the accepted window", &envelope
        );
    }
    if (envelope.time_millis > now + options.max_future_skew.count()) {
        return Refuse(
            Refusal::kStale, "envelope time is in the future beyond the allowed skew", &envelope
        );
    }
    auto body = OpenEnvelopeBody(envelope, sender->box_key, context_.keys.box);
    if (!body) {
        return Refuse(
            Refusal::kMalformed, "the body does not decrypt: " + body.error().message, &envelope
        );
    }
    Intake intake;
    intake.envelope = std::move(envelope);
    intake.body = std::move(*body);
    intake.want_proof = want_proof;
    return committer_.Submit(std::move(intake));
}

IntakeReply Inbox::Refuse(Refusal reason, std::string message, const ParsedEnvelope* envelope) {
    context_.counters.refused[static_cast<int>(reason)].fetch_add(1, std::memory_order_relaxed);
    const std::string from = envelope != nullptr ? envelope->header.from : std::string();
    const std::uint64_t suppressed = AllowRefusalLog(reason, from);
    if (suppressed != kRefusalLogDenied) {
        log::Warning(
            "envelope refused",
            {{"reason", RefusalCode(reason)},
             {"from", from},
             {"detail", message},
             {"suppressed_before", static_cast<long long>(suppressed)}}
        );
    }
    RecordRefusal(
        reason,
        envelope != nullptr ? envelope->header.from : std::string(),
        envelope != nullptr ? HashHex(envelope->hash) : std::string()
    );
    return IntakeReply{
        RefusalHttpStatus(reason),
        ErrorBody(RefusalCode(reason), message),
        std::string(RefusalCode(reason)),
        false};
}

std::uint64_t Inbox::AllowRefusalLog(Refusal reason, const std::string& claimed_sender) {
    // Per (claimed sender, reason): at most refusal_log_lines_per_minute lines a minute; the
    // rest are counted (refusal_logs_suppressed) and reported on the next line written for that
    // key. The table is bounded: an attacker can claim any sender name.
    constexpr std::size_t kMaxKeys = 1024;
    const std::int64_t now = context_.Now();
    MutexLock lock(refusal_mu_);
    auto key = std::make_pair(claimed_sender.substr(0, 64), static_cast<int>(reason));
    auto it = refusal_logs_.find(key);
    if (it == refusal_logs_.end()) {
        if (refusal_logs_.size() >= kMaxKeys) {
            std::erase_if(refusal_logs_, [&](const auto& entry) {
                return now - entry.second.window_start >= 60'000;
            });
        }
        if (refusal_logs_.size() >= kMaxKeys) {
            key.first = "*";  // every other sender shares one budget until the table drains
            it = refusal_logs_.find(key);
        }
        if (it == refusal_logs_.end()) {
            it = refusal_logs_.emplace(key, RefusalLogWindow{now, 0, 0}).first;
        }
    }
    RefusalLogWindow& w = it->second;
    if (now - w.window_start >= 60'000) {
        w.window_start = now;
        w.lines = 0;
    }
    if (w.lines >= context_.options.refusal_log_lines_per_minute) {
        ++w.suppressed;
        context_.counters.refusal_logs_suppressed.fetch_add(1, std::memory_order_relaxed);
        return kRefusalLogDenied;
    }
    ++w.lines;
    return std::exchange(w.suppressed, 0);
}

void Inbox::RecordRefusal(
    Refusal reason, const std::string& claimed_sender, const std::string& hash
) {
    {
        MutexLock lock(refusal_mu_);
        const std::int64_t now = context_.Now();
        if (now - refusal_window_start_ >= 60'000) {
            refusal_window_start_ = now;
            refusals_in_window_ = 0;
        }
        if (refusals_in_window_ >= context_.options.refusal_events_per_minute) {
            // Counted in counters.refused and refusal_events_unrecorded only.
            context_.counters.refusal_events_unrecorded.fetch_add(1, std::memory_order_relaxed);
            return;
        }
        ++refusals_in_window_;
    }
    boost::json::object leaf;
    leaf["event"] = "envelope.refused";
    leaf["reason"] = RefusalCode(reason);
    leaf["from"] = claimed_sender;
    leaf["envelope_sha256"] = hash;
    auto recorded = [&]() -> Result<void> {
        CONCORD_ASSIGN_OR_RETURN(auto tx, context_.store.Begin());
        CONCORD_RETURN_IF_ERROR(context_.log->Append(*tx, LeafBytes(leaf, kNodeActor)));
        return tx->Commit();
    }();
    if (!recorded) {
        // The refusal itself stands (nothing was stored); only its audit event is missing.
        context_.counters.refusal_events_unrecorded.fetch_add(1, std::memory_order_relaxed);
        log::Error(
            "could not record a refusal in the audit log",
            {{"reason", RefusalCode(reason)}, {"error", recorded.error().ToString()}}
        );
    }
}

std::vector<IntakeReply> Inbox::CommitAll(std::vector<Intake>& batch) {
    std::vector<Intake*> pointers;
    pointers.reserve(batch.size());
    for (auto& intake : batch) {
        pointers.push_back(&intake);
    }
    CommitBatch(pointers);
    std::vector<IntakeReply> replies;
    replies.reserve(batch.size());
    for (auto& intake : batch) {
        replies.push_back(std::move(intake.reply));
    }
    return replies;
}

namespace {

std::string AcceptedBody(
    const std::string& receipt,
    std::uint64_t index,
    bool duplicate,
    const std::string& proof,
    const std::string& leaf
) {
    boost::json::object o;
    o["receipt"] = receipt;
    o["ledger_index"] = ToSql(index);
    o["duplicate"] = duplicate;
    if (!proof.empty()) {
        o["proof"] = proof;
        o["leaf"] = leaf;
    }
    return boost::json::serialize(o);
}

}  // namespace

void Inbox::CommitBatch(const std::vector<Intake*>& batch) {
    auto committed = CommitGroup(batch);
    if (!committed && batch.size() > 1) {
        // One failed statement aborts the whole transaction (PostgreSQL refuses everything after
        // it; the store treats SQLite the same). Commit each envelope on its own, so that one
        // bad intake is answered 503 (and retried by its sender) without failing the others.
        log::Warning(
            "intake group commit failed; committing its envelopes one by one",
            {{"error", committed.error().ToString()},
             {"envelopes", static_cast<long long>(batch.size())}}
        );
        for (Intake* p : batch) {
            CommitBatch({p});
        }
        return;
    }
    if (!committed) {
        log::Error("intake commit failed", {{"error", committed.error().ToString()}});
        for (auto& p : batch) {
            p->reply =
                IntakeReply{503, ErrorBody("unavailable", "could not commit; retry"), "", false};
        }
        return;
    }
    context_.Failpoint("intake.after_commit");
    if (auto proofs = AttachProofs(batch); !proofs) {
        log::Warning("could not attach proofs to receipts", {{"error", proofs.error().ToString()}});
    }
    for (auto& p : batch) {
        const Header& h = p->envelope.header;
        if (p->replayed) {
            p->reply = Refuse(
                Refusal::kReplay,
                "message id " + h.id + " from " + h.from +
                    " was received before with another envelope",
                &p->envelope
            );
            continue;
        }
        p->reply.status = 200;
        p->reply.body =
            AcceptedBody(p->receipt, p->ledger_index, p->reply.duplicate, p->proof, p->leaf);
        if (p->reply.duplicate) {
            context_.counters.duplicates.fetch_add(1, std::memory_order_relaxed);
            continue;
        }
        context_.counters.received.fetch_add(1, std::memory_order_relaxed);
        boost::json::object event;
        event["id"] = h.id;
        event["from"] = h.from;
        event["type"] = h.type;
        event["priority"] = h.priority;
        event["in_reply_to"] = h.in_reply_to;
        event["ledger_index"] = ToSql(p->ledger_index);
        context_.Emit("message.received", boost::json::serialize(event));
    }
}

Result<void> Inbox::CommitGroup(const std::vector<Intake*>& batch) {
    for (Intake* p : batch) {
        p->receipt.clear();
        p->ledger_index = 0;
        p->replayed = false;
        p->reply = IntakeReply{};
    }
    CONCORD_ASSIGN_OR_RETURN(auto tx, context_.store.Begin());
    const std::int64_t now = context_.Now();
    const std::string& self = context_.options.node_id;
    // (sender, id) → the entry of this batch that carries it.
    std::map<std::pair<std::string, std::string>, Intake*> in_batch;
    for (Intake* p : batch) {
        const Header& h = p->envelope.header;
        const std::string hash = HashHex(p->envelope.hash);
        auto key = std::make_pair(h.from, h.id);
        std::string seen_hash;
        if (auto it = in_batch.find(key); it != in_batch.end()) {
            seen_hash = HashHex(it->second->envelope.hash);
            if (seen_hash == hash) {
                p->receipt = it->second->receipt;
                p->ledger_index = it->second->ledger_index;
            }
        } else {
            CONCORD_ASSIGN_OR_RETURN(auto rows, tx->Query(kSelectSeen, {h.from, h.id}));
            if (!rows.empty()) {
                const store::Row& seen = rows.front();
                seen_hash = seen.Text("envelope_sha256");
                p->receipt = seen.Text("receipt");
                p->ledger_index = static_cast<std::uint64_t>(seen.Int("ledger_index"));
            }
        }
        if (!seen_hash.empty()) {
            if (seen_hash == hash) {
                p->reply.duplicate = true;
            } else {
                p->replayed = true;
            }
            continue;
        }
        boost::json::object leaf;
        leaf["event"] = "message.received";
        leaf["id"] = h.id;
        leaf["from"] = h.from;
        leaf["type"] = h.type;
        leaf["priority"] = h.priority;
        leaf["envelope_sha256"] = hash;
        CONCORD_ASSIGN_OR_RETURN(
            auto appended, context_.log->Append(*tx, LeafBytes(leaf, kNodeActor))
        );
        p->ledger_index = appended.first_index;
        CONCORD_ASSIGN_OR_RETURN(
            p->receipt,
            SignEvidence(
                Evidence{
                    "delivery",
                    h.id,
                    hash,
                    self,
                    h.from,
                    FormatTimestamp(now),
                    p->ledger_index,
                    ""},
                context_.keys.signing
            )
        );
        CONCORD_RETURN_IF_ERROR(tx->Execute(
            kInsertIncomingMessage,
            {Sql(Direction::kIn),
             h.id,
             h.from,
             h.type,
             h.priority,
             h.in_reply_to,
             h.time,
             p->body,
             p->envelope.canonical,
             hash,
             Sql(MessageStatus::kReceived),
             ToSql(p->ledger_index),
             now}
        ));
        CONCORD_RETURN_IF_ERROR(tx->Execute(
            kInsertSeen,
            {h.from,
             h.id,
             hash,
             p->receipt,
             ToSql(p->ledger_index),
             p->envelope.time_millis + context_.options.max_age.count()}
        ));
        if (h.type == "evidence.retrieval") {
            CONCORD_RETURN_IF_ERROR(AttachRetrieval(*tx, *p));
        }
        if (context_.options.on_received) {
            // The envelope's priority was checked by ParseEnvelope; a name this code does not know
            // would be a mismatch between the two.
            CONCORD_ASSIGN_OR_RETURN(Priority priority, ParsePriority(h.priority));
            CONCORD_RETURN_IF_ERROR(context_.options.on_received(
                *tx,
                ReceivedMessage{
                    h.id,
                    h.from,
                    h.type,
                    priority,
                    h.in_reply_to,
                    h.time,
                    p->body,
                    hash,
                    now,
                    p->ledger_index}
            ));
        }
        in_batch.emplace(key, p);
    }
    // Forget (sender, id) pairs whose envelopes would be refused as stale anyway.
    CONCORD_RETURN_IF_ERROR(tx->Execute(kForgetExpiredSeen, {now}));
    return tx->Commit();
}

Result<void> Inbox::AttachProofs(const std::vector<Intake*>& batch) {
    const bool any = std::any_of(batch.begin(), batch.end(), [](const auto& p) {
        return p->want_proof && !p->receipt.empty();
    });
    if (!any) {
        return {};
    }
    ledger::Log& log = *context_.log;
    CONCORD_ASSIGN_OR_RETURN(auto tx, context_.store.Begin());
    CONCORD_ASSIGN_OR_RETURN(std::uint64_t size, log.Size(*tx));
    CONCORD_ASSIGN_OR_RETURN(
        std::string note, log.MakeCheckpoint(*tx, context_.signer, context_.options.node_id, size)
    );
    for (Intake* p : batch) {
        if (!p->want_proof || p->receipt.empty()) {
            continue;
        }
        CONCORD_ASSIGN_OR_RETURN(auto hashes, log.InclusionProof(*tx, p->ledger_index, size));
        CONCORD_ASSIGN_OR_RETURN(Bytes leaf, log.Leaf(*tx, p->ledger_index));
        p->proof = ledger::FormatTlogProof(ledger::TlogProof{
            std::nullopt, p->ledger_index, std::move(hashes), note});
        p->leaf = crypto::Base64Encode(leaf);
    }
    return tx->Commit();
}

Result<void> Inbox::AttachRetrieval(store::Transaction& tx, const Intake& p) {
    // The sender tells us that a person opened one of our messages: keep its signed record if it
    // is about a message this node sent to that sender, with that message's envelope hash.
    auto body = ParseObject(p.body);
    if (!body) {
        return {};
    }
    auto record = GetString(*body, "evidence");
    const auto dir = context_.Directory();
    const NodeEntry* sender = dir->FindNode(p.envelope.header.from);
    if (!record || sender == nullptr) {
        return {};
    }
    auto evidence = VerifyEvidence(*record, sender->signing_key);
    if (!evidence || evidence->event != "retrieval" || evidence->from != sender->id ||
        evidence->to != context_.options.node_id) {
        log::Warning("ignored an invalid retrieval record", {{"from", sender->id}});
        return {};
    }
    CONCORD_RETURN_IF_ERROR(tx.Execute(
        kInsertRetrievalOfOutgoing,
        {Sql(Direction::kOut),
         std::string("retrieval"),
         *record,
         context_.Now(),
         sender->id,
         evidence->message_id,
         evidence->envelope_sha256}
    ));
    return {};
}

Result<void> Inbox::Open(std::string_view id, std::string_view actor) {
    CONCORD_RETURN_IF_ERROR(CheckActorLabel(actor));
    CONCORD_ASSIGN_OR_RETURN(auto tx, context_.store.Begin());
    CONCORD_ASSIGN_OR_RETURN(
        auto rows, tx->Query(kSelectIncomingToOpen, {Sql(Direction::kIn), std::string(id)})
    );
    if (rows.empty()) {
        return MakeError(ErrorCode::kNotFound, "no incoming message " + std::string(id));
    }
    const store::Row& row = rows.front();
    if (!row.IsNull("opened_ms")) {
        return {};  // opened before: the evidence exists already
    }
    const std::string peer = row.Text("peer");
    const std::string envelope_sha256 = row.Text("envelope_sha256");
    CONCORD_ASSIGN_OR_RETURN(Priority priority, FromStore(ParsePriority(row.Text("priority"))));
    const std::int64_t now = context_.Now();
    CONCORD_ASSIGN_OR_RETURN(
        std::int64_t changed,
        tx->Execute(
            kMarkOpened,
            {now, Sql(MessageStatus::kOpened), Sql(Direction::kIn), peer, std::string(id)}
        )
    );
    if (changed != 1) {
        return {};
    }
    boost::json::object leaf;
    leaf["event"] = "message.retrieved";
    leaf["id"] = id;
    leaf["from"] = peer;
    leaf["envelope_sha256"] = envelope_sha256;
    CONCORD_ASSIGN_OR_RETURN(auto appended, context_.log->Append(*tx, LeafBytes(leaf, actor)));
    Evidence evidence{
        "retrieval",
        std::string(id),
        envelope_sha256,
        context_.options.node_id,
        peer,
        FormatTimestamp(now),
        appended.first_index,
        ""};
    CONCORD_ASSIGN_OR_RETURN(std::string record, SignEvidence(evidence, context_.keys.signing));
    CONCORD_RETURN_IF_ERROR(tx->Execute(
        kInsertIncomingEvidence,
        {Sql(Direction::kIn), std::string(id), std::string("retrieval"), record, now}
    ));
    const auto dir = context_.Directory();
    const NodeEntry* sender = dir->FindNode(peer);
    const bool notify = sender != nullptr && !sender->revoked;
    if (notify) {
        boost::json::object body;
        body["evidence"] = record;
        OutgoingMessage notice{
            sender->id,
            "evidence.retrieval",
            priority,
            std::string(id),
            boost::json::serialize(body)};
        CONCORD_RETURN_IF_ERROR(outbox_.Queue(*tx, notice, *sender, actor));
    }
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    if (notify) {
        outbox_.Wake();
    }
    boost::json::object event;
    event["id"] = id;
    event["from"] = peer;
    context_.Emit("message.retrieved", boost::json::serialize(event));
    return {};
}

}  // namespace concord::federation::internal
