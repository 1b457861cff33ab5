// Incoming envelopes: verification on the caller's thread, then group commit (docs/protocol.md
// §Intake).

#include <map>
#include <utility>

#include <boost/json/serialize.hpp>

#include "concord/core/log.hpp"
#include "concord/core/time.hpp"
#include "concord/crypto/base64.hpp"
#include "concord/federation/node.hpp"
#include "concord/federation/signed_json.hpp"
#include "concord/ledger/proof_file.hpp"

#include "node_internal.hpp"

namespace concord::federation {

using internal::ErrorBody;
using internal::LeafBytes;
using internal::ToSql;

IntakeReply Node::Receive(std::string_view text, bool want_proof) {
    if (text.size() > options_.max_envelope_bytes) {
        return Refuse(
            Refusal::kTooLarge,
            "envelope of " + std::to_string(text.size()) + " bytes; the limit is " +
                std::to_string(options_.max_envelope_bytes),
            nullptr
        );
    }
    auto parsed = ParseEnvelope(text);
    if (!parsed) {
        return Refuse(parsed.error().reason, parsed.error().message, nullptr);
    }
    ParsedEnvelope& envelope = *parsed;
    if (envelope.header.to != options_.node_id) {
        return Refuse(
            Refusal::kWrongRecipient,
            "envelope is for '" + envelope.header.to + "', this is '" + options_.node_id + "'",
            &envelope
        );
    }
    const auto dir = directory();
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
    const std::int64_t now = Now();
    if (envelope.time_millis < now - options_.max_age.count()) {
        return Refuse(
            Refusal::kStale, "envelope time is older than the accepted window", &envelope
        );
    }
    if (envelope.time_millis > now + options_.max_future_skew.count()) {
        return Refuse(
            Refusal::kStale, "envelope time is in the future beyond the allowed skew", &envelope
        );
    }
    auto body = OpenEnvelopeBody(envelope, sender->box_key, keys_.box);
    if (!body) {
        return Refuse(
            Refusal::kMalformed, "the body does not decrypt: " + body.error().message, &envelope
        );
    }
    auto pending = std::make_shared<PendingIntake>();
    pending->envelope = std::move(envelope);
    pending->body = std::move(*body);
    pending->want_proof = want_proof;
    auto future = pending->done.get_future();
    {
        std::scoped_lock lock(intake_mu_);
        if (stopping_ || !started_) {
            return IntakeReply{503, ErrorBody("unavailable", "node is not accepting"), "", false};
        }
        intake_queue_.push_back(std::move(pending));
    }
    intake_cv_.notify_one();
    return future.get();
}

IntakeReply Node::Refuse(Refusal reason, std::string message, const ParsedEnvelope* envelope) {
    counters_.refused[static_cast<int>(reason)].fetch_add(1, std::memory_order_relaxed);
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

std::uint64_t Node::AllowRefusalLog(Refusal reason, const std::string& claimed_sender) {
    // Per (claimed sender, reason): at most refusal_log_lines_per_minute lines a minute; the
    // rest are counted (refusal_logs_suppressed) and reported on the next line written for that
    // key. The table is bounded: an attacker can claim any sender name.
    constexpr std::size_t kMaxKeys = 1024;
    const std::int64_t now = Now();
    std::scoped_lock lock(refusal_mu_);
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
    if (w.lines >= options_.refusal_log_lines_per_minute) {
        ++w.suppressed;
        counters_.refusal_logs_suppressed.fetch_add(1, std::memory_order_relaxed);
        return kRefusalLogDenied;
    }
    ++w.lines;
    return std::exchange(w.suppressed, 0);
}

void Node::RecordRefusal(
    Refusal reason, const std::string& claimed_sender, const std::string& hash
) {
    {
        std::scoped_lock lock(refusal_mu_);
        const std::int64_t now = Now();
        if (now - refusal_window_start_ >= 60'000) {
            refusal_window_start_ = now;
            refusals_in_window_ = 0;
        }
        if (refusals_in_window_ >= options_.refusal_events_per_minute) {
            // Counted in counters_.refused and refusal_events_unrecorded only.
            counters_.refusal_events_unrecorded.fetch_add(1, std::memory_order_relaxed);
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
        CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
        CONCORD_RETURN_IF_ERROR(log_->Append(*tx, LeafBytes(leaf)));
        return tx->Commit();
    }();
    if (!recorded) {
        // The refusal itself stands (nothing was stored); only its audit event is missing.
        counters_.refusal_events_unrecorded.fetch_add(1, std::memory_order_relaxed);
        log::Error(
            "could not record a refusal in the audit log",
            {{"reason", RefusalCode(reason)}, {"error", recorded.error().ToString()}}
        );
    }
}

void Node::CommitterLoop() {
    for (;;) {
        std::vector<std::shared_ptr<PendingIntake>> batch;
        {
            std::unique_lock lock(intake_mu_);
            intake_cv_.wait(lock, [this] { return stopping_ || !intake_queue_.empty(); });
            if (stopping_) {
                return;
            }
            while (!intake_queue_.empty() && batch.size() < options_.max_intake_batch) {
                batch.push_back(std::move(intake_queue_.front()));
                intake_queue_.pop_front();
            }
        }
        CommitBatch(batch);
        for (auto& p : batch) {
            p->done.set_value(std::move(p->reply));
        }
    }
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

void Node::CommitBatch(std::vector<std::shared_ptr<PendingIntake>>& batch) {
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
        for (auto& p : batch) {
            std::vector<std::shared_ptr<PendingIntake>> one{p};
            CommitBatch(one);
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
    Failpoint("intake.after_commit");
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
            counters_.duplicates.fetch_add(1, std::memory_order_relaxed);
            continue;
        }
        counters_.received.fetch_add(1, std::memory_order_relaxed);
        boost::json::object event;
        event["id"] = h.id;
        event["from"] = h.from;
        event["type"] = h.type;
        event["priority"] = h.priority;
        event["in_reply_to"] = h.in_reply_to;
        event["ledger_index"] = ToSql(p->ledger_index);
        Emit("message.received", boost::json::serialize(event));
    }
}

Result<void> Node::CommitGroup(std::vector<std::shared_ptr<PendingIntake>>& batch) {
    for (auto& p : batch) {
        p->receipt.clear();
        p->ledger_index = 0;
        p->is_new = false;
        p->replayed = false;
        p->reply = IntakeReply{};
    }
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    const std::int64_t now = Now();
    // (sender, id) → the entry of this batch that carries it.
    std::map<std::pair<std::string, std::string>, PendingIntake*> in_batch;
    for (auto& p : batch) {
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
            CONCORD_ASSIGN_OR_RETURN(
                auto rows,
                tx->Query(
                    "SELECT envelope_sha256, receipt, ledger_index FROM fed_seen WHERE sender = $1 "
                    "AND id = $2",
                    {h.from, h.id}
                )
            );
            if (!rows.empty()) {
                seen_hash = rows.front().Text(0);
                p->receipt = rows.front().Text(1);
                p->ledger_index = static_cast<std::uint64_t>(rows.front().Int(2));
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
        CONCORD_ASSIGN_OR_RETURN(auto appended, log_->Append(*tx, LeafBytes(leaf)));
        p->ledger_index = appended.first_index;
        CONCORD_ASSIGN_OR_RETURN(
            p->receipt,
            SignEvidence(
                Evidence{
                    "delivery",
                    h.id,
                    hash,
                    options_.node_id,
                    h.from,
                    FormatTimestamp(now),
                    p->ledger_index,
                    ""},
                keys_.signing
            )
        );
        CONCORD_RETURN_IF_ERROR(tx->Execute(
            "INSERT INTO fed_messages (direction, id, peer, type, priority, in_reply_to, time, "
            "body, envelope, envelope_sha256, status, ledger_index, created_ms) VALUES "
            "('in', $1, $2, $3, $4, $5, $6, $7, $8, $9, 'received', $10, $11)",
            {h.id,
             h.from,
             h.type,
             h.priority,
             h.in_reply_to,
             h.time,
             p->body,
             p->envelope.canonical,
             hash,
             ToSql(p->ledger_index),
             now}
        ));
        CONCORD_RETURN_IF_ERROR(tx->Execute(
            "INSERT INTO fed_seen (sender, id, envelope_sha256, receipt, ledger_index, "
            "expires_ms) VALUES ($1, $2, $3, $4, $5, $6)",
            {h.from,
             h.id,
             hash,
             p->receipt,
             ToSql(p->ledger_index),
             p->envelope.time_millis + options_.max_age.count()}
        ));
        if (h.type == "evidence.retrieval") {
            CONCORD_RETURN_IF_ERROR(AttachRetrieval(*tx, *p));
        }
        if (options_.on_received) {
            CONCORD_RETURN_IF_ERROR(options_.on_received(
                *tx,
                ReceivedMessage{
                    h.id,
                    h.from,
                    h.type,
                    h.priority,
                    h.in_reply_to,
                    h.time,
                    p->body,
                    hash,
                    now,
                    p->ledger_index}
            ));
        }
        p->is_new = true;
        in_batch.emplace(key, p.get());
    }
    // Forget (sender, id) pairs whose envelopes would be refused as stale anyway.
    CONCORD_RETURN_IF_ERROR(tx->Execute("DELETE FROM fed_seen WHERE expires_ms < $1", {now}));
    return tx->Commit();
}

Result<void> Node::AttachProofs(std::vector<std::shared_ptr<PendingIntake>>& batch) {
    const bool any = std::any_of(batch.begin(), batch.end(), [](const auto& p) {
        return p->want_proof && !p->receipt.empty();
    });
    if (!any) {
        return {};
    }
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(
        std::string note, log_->MakeCheckpoint(*tx, signer_, options_.node_id)
    );
    CONCORD_ASSIGN_OR_RETURN(std::uint64_t size, log_->Size(*tx));
    for (auto& p : batch) {
        if (!p->want_proof || p->receipt.empty()) {
            continue;
        }
        CONCORD_ASSIGN_OR_RETURN(auto hashes, log_->InclusionProof(*tx, p->ledger_index, size));
        CONCORD_ASSIGN_OR_RETURN(Bytes leaf, log_->Leaf(*tx, p->ledger_index));
        p->proof = ledger::FormatTlogProof(ledger::TlogProof{
            std::nullopt, p->ledger_index, std::move(hashes), note});
        p->leaf = crypto::Base64Encode(leaf);
    }
    return tx->Commit();
}

Result<void> Node::AttachRetrieval(store::Transaction& tx, const PendingIntake& p) {
    // The sender tells us that a person opened one of our messages: keep its signed record if it
    // is about a message this node sent to that sender, with that message's envelope hash.
    auto body = ParseObject(p.body);
    if (!body) {
        return {};
    }
    auto record = GetString(*body, "evidence");
    const auto dir = directory();
    const NodeEntry* sender = dir->FindNode(p.envelope.header.from);
    if (!record || sender == nullptr) {
        return {};
    }
    auto evidence = VerifyEvidence(*record, sender->signing_key);
    if (!evidence || evidence->event != "retrieval" || evidence->from != sender->id ||
        evidence->to != options_.node_id) {
        log::Warning("ignored an invalid retrieval record", {{"from", sender->id}});
        return {};
    }
    CONCORD_RETURN_IF_ERROR(tx.Execute(
        "INSERT INTO fed_evidence (direction, message_id, event, record, created_ms) "
        "SELECT 'out', id, 'retrieval', $1, $2 FROM fed_messages WHERE direction = 'out' AND "
        "peer = $3 AND id = $4 AND envelope_sha256 = $5 ON CONFLICT DO NOTHING",
        {*record, Now(), sender->id, evidence->message_id, evidence->envelope_sha256}
    ));
    return {};
}

}  // namespace concord::federation
