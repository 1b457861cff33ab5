// The Node facade: opens the store, owns the shared context and composes the parts (inbox,
// outbox, delivery, message queries, witnessing); directory changes and audit events.

#include "concord/federation/node.hpp"

#include <boost/json/serialize.hpp>

#include "concord/core/canonical_json.hpp"
#include "concord/core/log.hpp"
#include "concord/core/time.hpp"
#include "concord/federation/signed_json.hpp"
#include "concord/ledger/witness.hpp"

#include "delivery.hpp"
#include "inbox.hpp"
#include "message_queries.hpp"
#include "node_internal.hpp"
#include "outbox.hpp"
#include "schema.hpp"
#include "witnessing.hpp"

namespace concord::federation {

namespace {

constexpr std::string_view kSelectAcceptedSerial =
    "SELECT serial FROM fed_directory WHERE singleton = 1";
constexpr std::string_view kUpsertDirectory =
    "INSERT INTO fed_directory (singleton, serial, sha256, loaded_ms) VALUES (1, $1, $2, $3) "
    "ON CONFLICT (singleton) DO UPDATE SET serial = excluded.serial, sha256 = excluded.sha256, "
    "loaded_ms = excluded.loaded_ms";
constexpr std::string_view kInsertAlert =
    "INSERT INTO fed_alerts (kind, peer, message, evidence, created_ms) VALUES ($1, $2, $3, $4, "
    "$5)";

}  // namespace

namespace internal {

Bytes LeafBytes(const boost::json::object& leaf, std::string_view actor) {
    if (leaf.contains("actor")) {
        return ToBytes(CanonicalText(leaf));
    }
    boost::json::object named = leaf;
    named["actor"] = actor;
    return ToBytes(CanonicalText(named));
}

std::string ErrorBody(std::string_view code, std::string_view message) {
    boost::json::object error;
    error["code"] = code;
    error["message"] = message;
    boost::json::object o;
    o["error"] = std::move(error);
    return boost::json::serialize(o);
}

NodeContext::NodeContext(
    store::Store& store_in,
    NodeKeys keys_in,
    std::shared_ptr<const federation::Directory> directory_in,
    Transport& transport_in,
    NodeOptions options_in,
    std::unique_ptr<ledger::Log> log_in
)
    : store(store_in),
      keys(std::move(keys_in)),
      signer(options_in.node_id, *crypto::SigningKey::FromSeed(keys.signing.Seed().Span())),
      transport(transport_in),
      options(std::move(options_in)),
      log(std::move(log_in)),
      directory_(std::move(directory_in)) {}

std::shared_ptr<const federation::Directory> NodeContext::Directory() const {
    MutexLock lock(directory_mu_);
    return directory_;
}

void NodeContext::ReplaceDirectory(std::shared_ptr<const federation::Directory> directory) {
    MutexLock lock(directory_mu_);
    directory_ = std::move(directory);
}

std::int64_t NodeContext::Now() const {
    return options.now ? options.now() : NowMillis();
}

void NodeContext::Emit(std::string_view name, const std::string& json) const {
    if (options.on_event) {
        options.on_event(name, json);
    }
}

void NodeContext::Failpoint(std::string_view point) const {
    if (options.failpoint) {
        options.failpoint(point);
    }
}

Result<void> NodeContext::RaiseAlert(
    store::Transaction& tx,
    AlertKind kind,
    std::string_view peer,
    std::string_view message,
    std::string_view evidence
) {
    const std::string kind_name(AlertKindName(kind));
    CONCORD_RETURN_IF_ERROR(tx.Execute(
        kInsertAlert,
        {kind_name, std::string(peer), std::string(message), std::string(evidence), Now()}
    ));
    boost::json::object leaf;
    leaf["event"] = "alert";
    leaf["kind"] = kind_name;
    leaf["peer"] = peer;
    leaf["evidence_sha256"] = HashHex(crypto::Sha256(AsBytes(evidence)));
    CONCORD_RETURN_IF_ERROR(log->Append(tx, LeafBytes(leaf, kNodeActor)));
    boost::json::object event;
    event["kind"] = kind_name;
    event["peer"] = peer;
    event["message"] = message;
    tx.OnCommit([this,
                 kind_name,
                 peer = std::string(peer),
                 message = std::string(message),
                 json = boost::json::serialize(event)] {
        counters.alerts.fetch_add(1, std::memory_order_relaxed);
        log::Error("alert", {{"kind", kind_name}, {"peer", peer}, {"detail", message}});
        Emit("alert", json);
    });
    return {};
}

}  // namespace internal

using internal::LeafBytes;
using internal::ToSql;

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
    CONCORD_ASSIGN_OR_RETURN(auto rows, tx.Query(kSelectAcceptedSerial));
    return rows.empty() ? 0 : static_cast<std::uint64_t>(rows.front().Int("serial"));
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
    std::shared_ptr<const federation::Directory> directory,
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
    return std::unique_ptr<Node>(new Node(std::make_unique<internal::NodeContext>(
        store, std::move(keys), std::move(directory), transport, std::move(options), std::move(log)
    )));
}

Node::Node(std::unique_ptr<internal::NodeContext> context)
    : context_(std::move(context)),
      outbox_(std::make_unique<internal::Outbox>(*context_)),
      delivery_(std::make_unique<internal::Delivery>(*context_, *outbox_)),
      inbox_(std::make_unique<internal::Inbox>(*context_, *outbox_)),
      queries_(std::make_unique<internal::MessageQueries>(*context_)),
      witnessing_(std::make_unique<internal::Witnessing>(*context_)) {}

Node::~Node() {
    Stop();
}

void Node::Start() {
    inbox_->Start();
    delivery_->Start();
}

void Node::Stop() {
    // The workers wake and return; the intakes still queued are answered 503 (the sender
    // retries).
    outbox_->Stop();
    delivery_->Stop();
    inbox_->Stop();
}

Result<void> Node::SetDirectory(
    std::shared_ptr<const federation::Directory> directory, std::string_view file_sha256
) {
    if (directory == nullptr) {
        return MakeError(ErrorCode::kInvalidArgument, "a node needs a directory");
    }
    // One loader at a time, so that two reloads cannot interleave their check and their write.
    MutexLock load_lock(directory_load_mu_);
    CONCORD_ASSIGN_OR_RETURN(auto tx, context_->store.Begin());
    CONCORD_ASSIGN_OR_RETURN(std::uint64_t accepted, AcceptedSerial(*tx));
    const std::uint64_t current = std::max(accepted, context_->Directory()->serial);
    if (directory->serial < current) {
        return RollbackError(directory->serial, current);
    }
    CONCORD_RETURN_IF_ERROR(tx->Execute(
        kUpsertDirectory, {ToSql(directory->serial), std::string(file_sha256), context_->Now()}
    ));
    boost::json::object leaf;
    leaf["event"] = "directory.loaded";
    leaf["serial"] = ToSql(directory->serial);
    leaf["sha256"] = file_sha256;
    CONCORD_RETURN_IF_ERROR(context_->log->Append(*tx, LeafBytes(leaf, kNodeActor)));
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    context_->ReplaceDirectory(std::move(directory));
    return {};
}

std::shared_ptr<const federation::Directory> Node::Directory() const {
    return context_->Directory();
}

Result<Submitted> Node::Submit(
    const OutgoingMessage& message,
    const std::function<Result<void>(store::Transaction&, const Submitted&)>& also,
    std::string_view actor
) {
    return outbox_->Submit(message, also, actor);
}

Result<Submitted> Node::SubmitIn(
    store::Transaction& tx, const OutgoingMessage& message, std::string_view actor
) {
    return outbox_->SubmitIn(tx, message, actor);
}

void Node::SubmitCommitted(const OutgoingMessage& message, const Submitted& submitted) {
    outbox_->SubmitCommitted(message, submitted);
}

IntakeReply Node::Receive(std::string_view envelope, bool want_proof) {
    return inbox_->Receive(envelope, want_proof);
}

Result<std::string> Node::CheckpointReply(std::uint64_t old_size) {
    return witnessing_->CheckpointReply(old_size);
}

Result<int> Node::AcceptCosignature(std::string_view body) {
    return witnessing_->AcceptCosignature(body);
}

Result<int> Node::WitnessPeers() {
    return witnessing_->WitnessPeers();
}

Result<std::vector<MessageSummary>> Node::List(
    Direction direction, std::size_t limit, std::string_view before_id
) {
    return queries_->List(direction, limit, before_id);
}

Result<MessageDetail> Node::Read(Direction direction, std::string_view id) {
    return queries_->Read(direction, id);
}

Result<MessageDetail> Node::Open(std::string_view id, std::string_view actor) {
    CONCORD_RETURN_IF_ERROR(inbox_->Open(id, actor));
    return queries_->Read(Direction::kIn, id);
}

Result<std::vector<Alert>> Node::Alerts(std::size_t limit) {
    return queries_->Alerts(limit);
}

Result<std::uint64_t> Node::AppendEvent(const boost::json::object& leaf, std::string_view actor) {
    CONCORD_RETURN_IF_ERROR(CheckActorLabel(actor));
    CONCORD_ASSIGN_OR_RETURN(auto tx, context_->store.Begin());
    CONCORD_ASSIGN_OR_RETURN(auto appended, context_->log->Append(*tx, LeafBytes(leaf, actor)));
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    return appended.first_index;
}

Result<std::uint64_t> Node::AppendEvent(
    store::Transaction& tx, const boost::json::object& leaf, std::string_view actor
) {
    CONCORD_RETURN_IF_ERROR(CheckActorLabel(actor));
    CONCORD_ASSIGN_OR_RETURN(auto appended, context_->log->Append(tx, LeafBytes(leaf, actor)));
    return appended.first_index;
}

Result<std::string> Node::LedgerProof(std::uint64_t index) {
    return queries_->LedgerProof(index);
}

Result<Bytes> Node::LedgerLeaf(std::uint64_t index) {
    return queries_->LedgerLeaf(index);
}

Result<std::uint64_t> Node::LedgerSize() {
    return queries_->LedgerSize();
}

Result<std::pair<std::int64_t, std::int64_t>> Node::OutboxDepth() {
    return queries_->OutboxDepth();
}

const NodeCounters& Node::Counters() const {
    return context_->counters;
}

const std::string& Node::Id() const {
    return context_->options.node_id;
}

const crypto::PublicKey& Node::SigningPublicKey() const {
    return context_->keys.signing.PublicKey();
}

ledger::NoteVerifier Node::LogVerifier() const {
    return context_->signer.Verifier();
}

}  // namespace concord::federation
