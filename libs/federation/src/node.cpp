#include "concord/federation/node.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "concord/core/canonical_json.hpp"
#include "concord/core/id.hpp"
#include "concord/core/log.hpp"
#include "concord/core/time.hpp"
#include "concord/crypto/base64.hpp"
#include "concord/federation/signed_json.hpp"
#include "concord/ledger/proof_file.hpp"
#include "concord/ledger/witness.hpp"

#include "node_internal.hpp"
#include "schema.hpp"

namespace concord::federation {
namespace internal {

Bytes LeafBytes(const boost::json::object& leaf) {
    return ToBytes(CanonicalText(leaf));
}

std::string ErrorBody(std::string_view code, std::string_view message) {
    boost::json::object error;
    error["code"] = code;
    error["message"] = message;
    boost::json::object o;
    o["error"] = std::move(error);
    return boost::json::serialize(o);
}

}  // namespace internal

using internal::LeafBytes;
using internal::ToSql;

namespace {

MessageSummary SummaryFromRow(const store::Row& r) {
    MessageSummary s;
    s.direction = r.Text(0);
    s.id = r.Text(1);
    s.peer = r.Text(2);
    s.type = r.Text(3);
    s.priority = r.Text(4);
    s.in_reply_to = r.Text(5);
    s.time = r.Text(6);
    s.status = r.Text(7);
    s.attempts = r.Int(8);
    s.last_error = r.Text(9);
    s.created_ms = r.Int(10);
    s.ledger_index = static_cast<std::uint64_t>(r.Int(11));
    return s;
}

constexpr std::string_view kSummaryColumns =
    "direction, id, peer, type, priority, in_reply_to, time, status, attempts, last_error, "
    "created_ms, ledger_index";

}  // namespace

std::vector<store::Migration> Node::Migrations() {
    return {
        store::Migration{
            "federation",
            1,
            internal::FederationSchema("INTEGER", "INTEGER PRIMARY KEY"),
            internal::FederationSchema("BIGINT", "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"),
        },
        store::Migration{
            "federation",
            2,
            internal::DirectorySchema("INTEGER"),
            internal::DirectorySchema("BIGINT"),
        }};
}

namespace {

// The highest directory serial ever accepted by the node on `tx`'s store, 0 if none.
Result<std::uint64_t> AcceptedSerial(store::Transaction& tx) {
    CONCORD_ASSIGN_OR_RETURN(
        auto rows, tx.Query("SELECT serial FROM fed_directory WHERE singleton = 1")
    );
    return rows.empty() ? 0 : static_cast<std::uint64_t>(rows.front().Int(0));
}

Error RollbackError(std::uint64_t offered, std::uint64_t accepted) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        "directory serial " + std::to_string(offered) + " is lower than serial " +
            std::to_string(accepted) +
            ", the highest this node has accepted; an older directory is refused (it could "
            "bring back revoked nodes)"
    );
}

}  // namespace

Result<std::unique_ptr<Node>> Node::Open(
    store::Store& store,
    NodeKeys keys,
    std::shared_ptr<const Directory> directory,
    Transport& transport,
    NodeOptions options
) {
    CONCORD_RETURN_IF_ERROR(CheckNodeId(options.node_id));
    CONCORD_ASSIGN_OR_RETURN(std::unique_ptr<ledger::Log> log, ledger::Log::Open(store));
    auto witness = ledger::Witness::Migrations();
    CONCORD_RETURN_IF_ERROR(store.Migrate(witness));
    auto migrations = Migrations();
    CONCORD_RETURN_IF_ERROR(store.Migrate(migrations));
    if (directory == nullptr) {
        return MakeError(ErrorCode::kInvalidArgument, "a node needs a directory");
    }
    {
        CONCORD_ASSIGN_OR_RETURN(auto tx, store.Begin());
        CONCORD_ASSIGN_OR_RETURN(std::uint64_t accepted, AcceptedSerial(*tx));
        if (directory->serial < accepted) {
            return RollbackError(directory->serial, accepted);
        }
    }
    return std::unique_ptr<Node>(new Node(
        store, std::move(keys), std::move(directory), transport, std::move(options), std::move(log)
    ));
}

Node::Node(
    store::Store& store,
    NodeKeys keys,
    std::shared_ptr<const Directory> directory,
    Transport& transport,
    NodeOptions options,
    std::unique_ptr<ledger::Log> log
)
    : store_(store),
      keys_(std::move(keys)),
      signer_(options.node_id, *crypto::SigningKey::FromSeed(keys_.signing.seed().span())),
      transport_(transport),
      options_(std::move(options)),
      log_(std::move(log)),
      directory_(std::move(directory)) {}

Node::~Node() {
    Stop();
}

void Node::Start() {
    {
        std::scoped_lock lock(intake_mu_);
        if (started_) {
            return;
        }
        started_ = true;  // Receive reads it under intake_mu_
    }
    threads_.emplace_back([this] { CommitterLoop(); });
    threads_.emplace_back([this] { DeliveryLoop(/*emergency_only=*/true); });
    for (int i = 0; i < options_.delivery_workers; ++i) {
        threads_.emplace_back([this] { DeliveryLoop(/*emergency_only=*/false); });
    }
}

void Node::Stop() {
    {
        std::scoped_lock lock(intake_mu_, outbox_mu_);
        stopping_ = true;
    }
    intake_cv_.notify_all();
    outbox_cv_.notify_all();
    for (auto& t : threads_) {
        t.join();
    }
    threads_.clear();
    // Anything still queued is answered; the sender will retry.
    std::deque<std::shared_ptr<PendingIntake>> left;
    {
        std::scoped_lock lock(intake_mu_);
        left.swap(intake_queue_);
    }
    for (auto& p : left) {
        p->done.set_value(IntakeReply{
            503, internal::ErrorBody("unavailable", "node is stopping"), "", false});
    }
}

Result<void> Node::SetDirectory(
    std::shared_ptr<const Directory> directory, std::string_view file_sha256
) {
    if (directory == nullptr) {
        return MakeError(ErrorCode::kInvalidArgument, "a node needs a directory");
    }
    // One loader at a time, so that two reloads cannot interleave their check and their write.
    std::scoped_lock load_lock(directory_load_mu_);
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(std::uint64_t accepted, AcceptedSerial(*tx));
    const std::uint64_t current = std::max(accepted, this->directory()->serial);
    if (directory->serial < current) {
        return RollbackError(directory->serial, current);
    }
    CONCORD_RETURN_IF_ERROR(tx->Execute(
        "INSERT INTO fed_directory (singleton, serial, sha256, loaded_ms) VALUES (1, $1, $2, $3) "
        "ON CONFLICT (singleton) DO UPDATE SET serial = excluded.serial, sha256 = "
        "excluded.sha256, loaded_ms = excluded.loaded_ms",
        {ToSql(directory->serial), std::string(file_sha256), Now()}
    ));
    boost::json::object leaf;
    leaf["event"] = "directory.loaded";
    leaf["serial"] = ToSql(directory->serial);
    leaf["sha256"] = file_sha256;
    CONCORD_RETURN_IF_ERROR(log_->Append(*tx, LeafBytes(leaf)));
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    std::scoped_lock lock(directory_mu_);
    directory_ = std::move(directory);
    return {};
}

std::shared_ptr<const Directory> Node::directory() const {
    std::scoped_lock lock(directory_mu_);
    return directory_;
}

std::int64_t Node::Now() const {
    return options_.now ? options_.now() : NowMillis();
}

void Node::Emit(std::string_view name, const std::string& json) {
    if (options_.on_event) {
        options_.on_event(name, json);
    }
}

void Node::Failpoint(std::string_view point) {
    if (options_.failpoint) {
        options_.failpoint(point);
    }
}

Result<NodeEntry> Node::CheckSend(const OutgoingMessage& message) const {
    const auto dir = directory();
    const NodeEntry* peer = dir->FindNode(message.to);
    if (peer == nullptr || peer->revoked) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "recipient '" + message.to + "' is not a current node of the directory"
        );
    }
    if (message.to == options_.node_id) {
        return MakeError(ErrorCode::kInvalidArgument, "a node cannot send to itself");
    }
    // The roles are this node's own entry's. (A node revoked in its own directory still
    // sends: its peers refuse it as unknown_sender, which the outbox shows.)
    const NodeEntry* self = dir->FindNode(options_.node_id);
    if (self == nullptr) {
        return MakeError(
            ErrorCode::kPermissionDenied,
            "this node is not listed in directory serial " + std::to_string(dir->serial)
        );
    }
    CONCORD_RETURN_IF_ERROR(
        dir->MayNodeSend(*self, message.type, message.priority, !message.in_reply_to.empty())
    );
    return *peer;
}

Result<Submitted> Node::Submit(
    const OutgoingMessage& message,
    const std::function<Result<void>(store::Transaction&, const Submitted&)>& also
) {
    CONCORD_ASSIGN_OR_RETURN(NodeEntry peer, CheckSend(message));
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(Submitted submitted, SubmitInTx(*tx, message, peer));
    if (also) {
        CONCORD_RETURN_IF_ERROR(also(*tx, submitted));
    }
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    Failpoint("outbox.after_commit");
    SubmitCommitted(message, submitted);
    return submitted;
}

Result<Submitted> Node::SubmitIn(store::Transaction& tx, const OutgoingMessage& message) {
    CONCORD_ASSIGN_OR_RETURN(NodeEntry peer, CheckSend(message));
    return SubmitInTx(tx, message, peer);
}

void Node::SubmitCommitted(const OutgoingMessage& message, const Submitted& submitted) {
    counters_.submitted.fetch_add(1, std::memory_order_relaxed);
    {
        std::scoped_lock lock(outbox_mu_);
        ++outbox_generation_;
    }
    outbox_cv_.notify_all();
    boost::json::object event;
    event["id"] = submitted.id;
    event["to"] = message.to;
    event["type"] = message.type;
    event["priority"] = message.priority;
    Emit("message.submitted", boost::json::serialize(event));
}

Result<Submitted> Node::SubmitInTx(
    store::Transaction& tx, const OutgoingMessage& message, const NodeEntry& peer
) {
    CONCORD_ASSIGN_OR_RETURN(std::string body, json::CanonicalizeOrError(message.body_json));
    const std::int64_t now = Now();
    Header header{
        NewUuidV7At(now),
        message.type,
        options_.node_id,
        message.to,
        FormatTimestamp(now),
        message.in_reply_to,
        message.priority};
    CONCORD_ASSIGN_OR_RETURN(
        std::string envelope, SealEnvelope(header, body, keys_.signing, keys_.box, peer.box_key)
    );
    const std::string hash = HashHex(crypto::Sha256(AsBytes(envelope)));
    boost::json::object leaf;
    leaf["event"] = "message.submitted";
    leaf["id"] = header.id;
    leaf["to"] = header.to;
    leaf["type"] = header.type;
    leaf["priority"] = header.priority;
    leaf["envelope_sha256"] = hash;
    CONCORD_ASSIGN_OR_RETURN(auto appended, log_->Append(tx, LeafBytes(leaf)));
    CONCORD_RETURN_IF_ERROR(tx.Execute(
        "INSERT INTO fed_messages (direction, id, peer, type, priority, in_reply_to, time, body, "
        "envelope, envelope_sha256, status, ledger_index, created_ms) VALUES "
        "('out', $1, $2, $3, $4, $5, $6, $7, $8, $9, 'queued', $10, $11)",
        {header.id,
         header.to,
         header.type,
         header.priority,
         header.in_reply_to,
         header.time,
         body,
         envelope,
         hash,
         ToSql(appended.first_index),
         now}
    ));
    const std::int64_t lane = header.priority == "emergency" ? 1 : 0;
    CONCORD_RETURN_IF_ERROR(tx.Execute(
        "INSERT INTO fed_outbox (id, recipient, lane, next_attempt_ms, horizon_ms, created_ms) "
        "VALUES ($1, $2, $3, $4, $5, $6)",
        {header.id, header.to, lane, now, now + options_.delivery_horizon.count(), now}
    ));
    return Submitted{header.id, appended.first_index};
}

Result<std::vector<MessageSummary>> Node::List(
    std::string_view direction, std::size_t limit, std::string_view before_id
) {
    if (direction != "in" && direction != "out") {
        return MakeError(ErrorCode::kInvalidArgument, "direction must be 'in' or 'out'");
    }
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    std::string sql =
        "SELECT " + std::string(kSummaryColumns) + " FROM fed_messages WHERE direction = $1";
    std::vector<store::Value> params{std::string(direction)};
    if (!before_id.empty()) {
        sql += " AND id < $2";
        params.emplace_back(std::string(before_id));
    }
    sql += " ORDER BY id DESC LIMIT " + std::to_string(std::min<std::size_t>(limit, 1000));
    CONCORD_ASSIGN_OR_RETURN(auto rows, tx->Query(sql, params));
    std::vector<MessageSummary> out;
    out.reserve(rows.size());
    for (const auto& r : rows) {
        out.push_back(SummaryFromRow(r));
    }
    return out;
}

Result<MessageDetail> Node::Read(std::string_view direction, std::string_view id, bool by_person) {
    MessageDetail detail;
    std::int64_t opened_ms = 0;
    {
        CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
        CONCORD_ASSIGN_OR_RETURN(
            auto rows,
            tx->Query(
                "SELECT " + std::string(kSummaryColumns) +
                    ", body, envelope, envelope_sha256, receiver_proof, receiver_leaf, opened_ms "
                    "FROM fed_messages WHERE direction = $1 AND id = $2",
                {std::string(direction), std::string(id)}
            )
        );
        if (rows.empty()) {
            return MakeError(ErrorCode::kNotFound, "no message " + std::string(id));
        }
        const auto& r = rows.front();
        detail.summary = SummaryFromRow(r);
        detail.body = r.Text(12);
        detail.envelope = r.Text(13);
        detail.envelope_sha256 = r.Text(14);
        detail.receiver_proof = r.Text(15);
        detail.receiver_leaf = r.Text(16);
        opened_ms = r.IsNull(17) ? 0 : r.Int(17);
    }
    if (by_person && direction == "in" && opened_ms == 0) {
        CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
        const std::int64_t now = Now();
        CONCORD_ASSIGN_OR_RETURN(
            std::int64_t changed,
            tx->Execute(
                "UPDATE fed_messages SET opened_ms = $1, status = 'opened' WHERE direction = 'in' "
                "AND peer = $2 AND id = $3 AND opened_ms IS NULL",
                {now, detail.summary.peer, detail.summary.id}
            )
        );
        if (changed == 1) {
            boost::json::object leaf;
            leaf["event"] = "message.retrieved";
            leaf["id"] = detail.summary.id;
            leaf["from"] = detail.summary.peer;
            leaf["envelope_sha256"] = detail.envelope_sha256;
            CONCORD_ASSIGN_OR_RETURN(auto appended, log_->Append(*tx, LeafBytes(leaf)));
            Evidence evidence{
                "retrieval",
                detail.summary.id,
                detail.envelope_sha256,
                options_.node_id,
                detail.summary.peer,
                FormatTimestamp(now),
                appended.first_index,
                ""};
            CONCORD_ASSIGN_OR_RETURN(std::string record, SignEvidence(evidence, keys_.signing));
            CONCORD_RETURN_IF_ERROR(tx->Execute(
                "INSERT INTO fed_evidence (direction, message_id, event, record, created_ms) "
                "VALUES ('in', $1, 'retrieval', $2, $3)",
                {detail.summary.id, record, now}
            ));
            const auto dir = directory();
            if (const NodeEntry* sender = dir->FindNode(detail.summary.peer);
                sender != nullptr && !sender->revoked) {
                boost::json::object body;
                body["evidence"] = record;
                OutgoingMessage notice{
                    sender->id,
                    "evidence.retrieval",
                    detail.summary.priority,
                    detail.summary.id,
                    boost::json::serialize(body)};
                CONCORD_RETURN_IF_ERROR(SubmitInTx(*tx, notice, *sender));
            }
            CONCORD_RETURN_IF_ERROR(tx->Commit());
            {
                std::scoped_lock lock(outbox_mu_);
                ++outbox_generation_;
            }
            outbox_cv_.notify_all();
            detail.summary.status = "opened";
            boost::json::object event;
            event["id"] = detail.summary.id;
            event["from"] = detail.summary.peer;
            Emit("message.retrieved", boost::json::serialize(event));
        }
    }
    {
        CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
        CONCORD_ASSIGN_OR_RETURN(
            auto rows,
            tx->Query(
                "SELECT record FROM fed_evidence WHERE direction = $1 AND message_id = $2 "
                "ORDER BY created_ms, event",
                {std::string(direction), std::string(id)}
            )
        );
        for (const auto& r : rows) {
            detail.evidence.push_back(r.Text(0));
        }
    }
    CONCORD_ASSIGN_OR_RETURN(detail.own_proof, LedgerProof(detail.summary.ledger_index));
    return detail;
}

Result<std::vector<Alert>> Node::Alerts(std::size_t limit) {
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx->Query(
            "SELECT seq, kind, peer, message, evidence, created_ms FROM fed_alerts ORDER BY seq "
            "DESC LIMIT " +
            std::to_string(std::min<std::size_t>(limit, 1000))
        )
    );
    std::vector<Alert> out;
    for (const auto& r : rows) {
        out.push_back(Alert{r.Int(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.Int(5)});
    }
    return out;
}

Result<void> Node::RaiseAlert(
    store::Transaction& tx,
    std::string_view kind,
    std::string_view peer,
    std::string_view message,
    std::string_view evidence
) {
    const std::int64_t now = Now();
    CONCORD_RETURN_IF_ERROR(tx.Execute(
        "INSERT INTO fed_alerts (kind, peer, message, evidence, created_ms) VALUES ($1, $2, $3, "
        "$4, $5)",
        {std::string(kind), std::string(peer), std::string(message), std::string(evidence), now}
    ));
    boost::json::object leaf;
    leaf["event"] = "alert";
    leaf["kind"] = kind;
    leaf["peer"] = peer;
    leaf["evidence_sha256"] = HashHex(crypto::Sha256(AsBytes(evidence)));
    CONCORD_RETURN_IF_ERROR(log_->Append(tx, LeafBytes(leaf)));
    boost::json::object event;
    event["kind"] = kind;
    event["peer"] = peer;
    event["message"] = message;
    tx.OnCommit([this,
                 kind = std::string(kind),
                 peer = std::string(peer),
                 message = std::string(message),
                 json = boost::json::serialize(event)] {
        counters_.alerts.fetch_add(1, std::memory_order_relaxed);
        log::Error("alert", {{"kind", kind}, {"peer", peer}, {"detail", message}});
        Emit("alert", json);
    });
    return {};
}

Result<std::string> Node::LedgerProof(std::uint64_t index) {
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(
        std::string note, log_->MakeCheckpoint(*tx, signer_, options_.node_id)
    );
    CONCORD_ASSIGN_OR_RETURN(std::uint64_t size, log_->Size(*tx));
    CONCORD_ASSIGN_OR_RETURN(auto hashes, log_->InclusionProof(*tx, index, size));
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    return ledger::FormatTlogProof(ledger::TlogProof{std::nullopt, index, std::move(hashes), note});
}

Result<std::uint64_t> Node::AppendEvent(const boost::json::object& leaf) {
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(auto appended, log_->Append(*tx, LeafBytes(leaf)));
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    return appended.first_index;
}

Result<std::uint64_t> Node::AppendEvent(store::Transaction& tx, const boost::json::object& leaf) {
    CONCORD_ASSIGN_OR_RETURN(auto appended, log_->Append(tx, LeafBytes(leaf)));
    return appended.first_index;
}

Result<std::uint64_t> Node::LedgerSize() {
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    return log_->Size(*tx);
}

Result<std::pair<std::int64_t, std::int64_t>> Node::OutboxDepth() {
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(
        auto rows, tx->Query("SELECT lane, COUNT(*) FROM fed_outbox GROUP BY lane")
    );
    std::pair<std::int64_t, std::int64_t> depth{0, 0};
    for (const auto& r : rows) {
        (r.Int(0) == 1 ? depth.first : depth.second) = r.Int(1);
    }
    return depth;
}

Result<std::string> Node::CheckpointReply(std::uint64_t old_size) {
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(std::uint64_t size, log_->Size(*tx));
    if (old_size > size) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "old_size " + std::to_string(old_size) + " exceeds the log size " + std::to_string(size)
        );
    }
    if (size == 0) {
        return MakeError(ErrorCode::kNotFound, "the log is empty");
    }
    CONCORD_ASSIGN_OR_RETURN(
        std::string note, log_->MakeCheckpoint(*tx, signer_, options_.node_id)
    );
    boost::json::array proof;
    if (old_size > 0 && old_size < size) {
        CONCORD_ASSIGN_OR_RETURN(auto hashes, log_->ConsistencyProof(*tx, old_size, size));
        for (const auto& h : hashes) {
            proof.emplace_back(crypto::Base64Encode(ByteSpan(h.data(), h.size())));
        }
    }
    CONCORD_ASSIGN_OR_RETURN(
        auto cosigned,
        tx->Query("SELECT note, line FROM fed_cosignatures WHERE size = (SELECT MAX(size) FROM "
                  "fed_cosignatures) ORDER BY witness")
    );
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    boost::json::object o;
    o["checkpoint"] = note;
    o["old_size"] = ToSql(old_size);
    o["size"] = ToSql(size);
    o["consistency"] = std::move(proof);
    if (!cosigned.empty()) {
        // This node's signed checkpoint followed by every cosignature line it holds for it: a
        // valid C2SP note that anyone can check against the witnesses' keys.
        std::string text = cosigned.front().Text(0);
        for (const auto& r : cosigned) {
            text += r.Text(1);
        }
        o["cosigned"] = std::move(text);
    }
    return boost::json::serialize(o);
}

Result<int> Node::AcceptCosignature(std::string_view body) {
    constexpr std::size_t kMaxNoteBytes = 64 * 1024;
    CONCORD_ASSIGN_OR_RETURN(boost::json::object o, ParseObject(body));
    CONCORD_ASSIGN_OR_RETURN(std::string text, GetString(o, "checkpoint"));
    if (text.size() > kMaxNoteBytes) {
        return MakeError(ErrorCode::kInvalidArgument, "checkpoint note too large");
    }
    CONCORD_ASSIGN_OR_RETURN(ledger::Note note, ledger::ParseNote(text));
    CONCORD_ASSIGN_OR_RETURN(ledger::Checkpoint cp, ledger::ParseCheckpoint(note.text));
    if (cp.origin != options_.node_id) {
        return MakeError(ErrorCode::kInvalidArgument, "not a checkpoint of " + options_.node_id);
    }
    // This node signed it (so its root is this log's at that size).
    const ledger::NoteVerifier own = log_verifier();
    auto signed_by_us = ledger::VerifyNote(note, std::span(&own, 1));
    if (!signed_by_us) {
        return MakeError(
            ErrorCode::kInvalidArgument, "the checkpoint is not signed by this node's log key"
        );
    }
    // Cosigners: current directory nodes, as C2SP tlog-cosignature v1 keys named by node id.
    const auto dir = directory();
    std::vector<ledger::NoteVerifier> witnesses;
    for (const auto& n : dir->nodes) {
        if (n.id != options_.node_id && !n.revoked) {
            witnesses.push_back(
                ledger::MakeVerifier(n.id, ledger::NoteKeyType::kCosignatureV1, n.signing_key)
            );
        }
    }
    auto verified = ledger::VerifyNote(note, witnesses);
    if (!verified) {
        return MakeError(
            ErrorCode::kUnauthenticated,
            "no valid cosignature of a listed node: " + verified.error().message
        );
    }
    // This node's own note: the text and its signature line, without anything else.
    const std::string own_note = note.text + "\n" + signer_.SignatureLine(note.text);
    const std::int64_t now = Now();
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    int kept = 0;
    for (const auto& sig : note.signatures) {
        const bool valid =
            std::find(verified->verified_by.begin(), verified->verified_by.end(), sig.name) !=
                verified->verified_by.end() &&
            std::any_of(witnesses.begin(), witnesses.end(), [&](const auto& w) {
                return w.name == sig.name && w.key_id == sig.key_id;
            });
        if (!valid) {
            continue;
        }
        Bytes raw;
        AppendBigEndian(raw, sig.key_id);
        raw.insert(raw.end(), sig.signature.begin(), sig.signature.end());
        const std::string line = "\u2014 " + sig.name + " " + crypto::Base64Encode(raw) + "\n";
        CONCORD_RETURN_IF_ERROR(tx->Execute(
            "INSERT INTO fed_cosignatures (size, witness, note, line, created_ms) VALUES ($1, $2, "
            "$3, $4, $5) ON CONFLICT DO NOTHING",
            {ToSql(cp.size), sig.name, own_note, line, now}
        ));
        ++kept;
    }
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    return kept;
}

}  // namespace concord::federation
