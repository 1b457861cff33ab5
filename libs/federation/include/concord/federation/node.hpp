#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "concord/core/mutex.hpp"
#include "concord/core/result.hpp"
#include "concord/crypto/box.hpp"
#include "concord/crypto/ed25519.hpp"
#include "concord/federation/directory.hpp"
#include "concord/federation/envelope.hpp"
#include "concord/federation/message.hpp"
#include "concord/ledger/log.hpp"
#include "concord/ledger/note.hpp"
#include "concord/store/store.hpp"

namespace concord::federation {

namespace internal {
struct NodeContext;
class Outbox;
class Delivery;
class Inbox;
class MessageQueries;
class Witnessing;
}  // namespace internal

/// How a node reaches its peers (the server implements it over HTTPS with the certificate
/// fingerprint pinned from the directory). Must be thread-safe.
class Transport {
public:
    struct Reply {
        unsigned status{0};
        std::string body;
    };
    virtual ~Transport() = default;
    /// Sends one HTTP request to `peer`'s endpoint; `target` is path and query.
    /// kUnavailable when the peer cannot be reached or does not answer in time.
    virtual Result<Reply> Send(
        const NodeEntry& peer,
        std::string_view method,
        std::string_view target,
        std::string_view body
    ) = 0;
};

/// The node's own key pairs.
struct NodeKeys {
    crypto::SigningKey signing;
    crypto::BoxKeyPair box;
};

/// Tunables of a node (docs/operations.md lists them with the config keys).
struct NodeOptions {
    std::string node_id;
    std::chrono::milliseconds delivery_horizon{std::chrono::hours(24 * 10)};
    std::chrono::milliseconds initial_backoff{250};
    std::chrono::milliseconds max_backoff{std::chrono::minutes(5)};
    /// Envelopes older than this are stale; (sender, id) pairs are remembered this long.
    std::chrono::milliseconds max_age{std::chrono::hours(24 * 11)};
    /// Envelopes stamped further in the future than this are stale.
    std::chrono::milliseconds max_future_skew{std::chrono::minutes(5)};
    std::size_t max_envelope_bytes{1 << 20};
    int delivery_workers{4};
    /// Ask receivers for a tlog-proof of their ledger entry with every receipt.
    bool delivery_proofs{true};
    std::size_t max_intake_batch{256};
    /// Refusals recorded in the ledger per minute at most; the rest are only counted.
    int refusal_events_per_minute{60};
    /// "envelope refused" log lines per minute per (claimed sender, reason); the rest are
    /// counted (NodeCounters::refusal_logs_suppressed) and reported on the next line.
    int refusal_log_lines_per_minute{10};
    /// Called (from worker threads) for live events: name and a JSON object.
    std::function<void(std::string_view name, const std::string& json)> on_event;
    /// Called at named crash points (tests only: "outbox.after_commit", "intake.after_commit").
    std::function<void(std::string_view point)> failpoint;
    /// Submit-to-receipt latency of each delivered message, in seconds.
    std::function<void(double seconds)> on_delivered;
    /// Milliseconds since the epoch.
    std::function<std::int64_t()> now;
    /// Called for every newly accepted message (not for duplicates), inside the transaction
    /// that stores it and before its receipt is signed over: the use-case layer records what
    /// the message means (a case, a transition) in the same commit. An error fails the intake
    /// (503, the sender retries), so it is for store errors only; a message that makes no sense
    /// to the layer above is recorded as such, not refused.
    std::function<Result<void>(store::Transaction&, const ReceivedMessage&)> on_received;
};

/// Counters for /metrics.
struct NodeCounters {
    std::atomic<std::uint64_t> submitted{0};
    std::atomic<std::uint64_t> received{0};
    std::atomic<std::uint64_t> duplicates{0};
    std::atomic<std::uint64_t> refused[kRefusalCount]{};
    std::atomic<std::uint64_t> delivered{0};
    std::atomic<std::uint64_t> delivery_attempts{0};
    std::atomic<std::uint64_t> delivery_failures{0};
    std::atomic<std::uint64_t> non_delivered{0};
    std::atomic<std::uint64_t> cosigned{0};
    std::atomic<std::uint64_t> alerts{0};
    /// Refusal log lines not written (rate limit per claimed sender and reason).
    std::atomic<std::uint64_t> refusal_logs_suppressed{0};
    /// Refusals without an `envelope.refused` audit event (rate limit or store failure).
    std::atomic<std::uint64_t> refusal_events_unrecorded{0};
};

/// One federation node (DESIGN §2–§4, docs/protocol.md): a facade over its parts, each with one
/// job (docs/architecture.md §federation):
/// - the inbox verifies and decrypts incoming envelopes on the caller's thread and commits them in
///   groups on one committer thread (GroupCommitter); it also opens received messages;
/// - the outbox seals and queues outgoing messages, the delivery workers send them per lane,
///   accept receipts, reschedule, and give up with a signed non-delivery record and an alert;
/// - the message queries read messages, alerts, outbox depth and ledger proofs, and never write;
/// - witnessing cosigns the peers' checkpoints and answers for this node's own.
///
/// Every state change commits together with its ledger event; a receipt or an "accepted" answer
/// is produced only after that commit. Every audit leaf names its actor: "node", or the label a
/// caller passes (e.g. "user:<login>").
///
/// Thread-safety: thread-safe.
class Node {
public:
    static std::vector<store::Migration> Migrations();

    /// Applies the migrations (federation, ledger, witness) and returns a stopped node.
    /// kInvalidArgument if `directory` has a lower serial than one the node accepted before.
    static Result<std::unique_ptr<Node>> Open(
        store::Store& store,
        NodeKeys keys,
        std::shared_ptr<const federation::Directory> directory,
        Transport& transport,
        NodeOptions options
    );

    Node(const Node&) = delete;
    Node& operator=(const Node&) = delete;
    ~Node();

    /// Starts the intake committer and the delivery workers.
    void Start();
    /// Stops and joins them; pending intakes are answered 503. Idempotent.
    void Stop();

    /// Accepts a directory (at start and at every reload): refuses one whose serial is lower
    /// than the highest this node ever accepted (kInvalidArgument naming both serials; that
    /// serial is kept in the store, so a restart cannot roll it back either); otherwise, in one
    /// transaction, records the serial and appends `directory.loaded` (serial, `file_sha256`),
    /// then replaces the directory: the next message is checked against it.
    Result<void> SetDirectory(
        std::shared_ptr<const federation::Directory> directory, std::string_view file_sha256
    );
    [[nodiscard]] std::shared_ptr<const federation::Directory> Directory() const;

    /// Seals `message` for its recipient and commits it to the outbox with its ledger event
    /// (`message.submitted`, naming `actor`).
    /// `also`, when set, runs in the same transaction after the message is stored (e.g. the
    /// local API's idempotency record); its error rolls the whole submission back.
    /// kInvalidArgument (bad fields, bad actor label, unknown or revoked recipient);
    /// kPermissionDenied if the directory's message policy does not let this node's roles send
    /// that type at that priority.
    Result<Submitted> Submit(
        const OutgoingMessage& message,
        const std::function<Result<void>(store::Transaction&, const Submitted&)>& also = nullptr,
        std::string_view actor = kNodeActor
    );

    /// Submit inside the caller's transaction `tx` (one transaction per business step): the
    /// sealed envelope, its outbox entry and its `message.submitted` leaf are written to `tx`.
    /// After committing `tx` the caller calls SubmitCommitted(); until then nothing is sent.
    /// Same checks and errors as Submit.
    Result<Submitted> SubmitIn(
        store::Transaction& tx, const OutgoingMessage& message, std::string_view actor = kNodeActor
    );
    /// After the caller committed SubmitIn's transaction: counts the message, wakes the
    /// delivery workers and emits the `message.submitted` live event.
    void SubmitCommitted(const OutgoingMessage& message, const Submitted& submitted);

    /// Verifies and commits an incoming envelope (POST /fed/v1/messages).
    IntakeReply Receive(std::string_view envelope, bool want_proof);

    /// GET /fed/v1/checkpoint?old_size=N: the latest signed checkpoint and a consistency proof
    /// from N (JSON), and the largest checkpoint witnesses cosigned, with their cosignature
    /// lines ("cosigned", when there is one). kInvalidArgument if N exceeds the log.
    Result<std::string> CheckpointReply(std::uint64_t old_size);

    /// POST /fed/v1/cosignature: a witness hands back one of this node's checkpoints with its
    /// cosignature line(s) appended ({"checkpoint": "<note>"}). Keeps each cosignature that
    /// verifies under the key the directory lists for a current node named as the cosigner, on a
    /// checkpoint this node signed. Returns how many are kept (new or known).
    /// kInvalidArgument malformed or not this node's checkpoint; kUnauthenticated no valid
    /// cosignature of a listed node.
    Result<int> AcceptCosignature(std::string_view body);

    /// One witnessing round over every other listed node. Alerts on a fork or rollback.
    /// Returns the number of checkpoints cosigned.
    Result<int> WitnessPeers();

    /// Messages of one direction, newest first, at most `limit` (capped at 1000), older than
    /// `before_id` if set. Writes nothing.
    Result<std::vector<MessageSummary>> List(
        Direction direction, std::size_t limit, std::string_view before_id
    );
    /// One message with its evidence and proofs. Writes nothing (opening is Open's).
    /// kNotFound if absent.
    Result<MessageDetail> Read(Direction direction, std::string_view id);

    /// Opens incoming message `id` on behalf of `actor`: the first time, in one transaction, marks
    /// it opened, appends `message.retrieved` (naming `actor`), records the signed retrieval
    /// evidence and queues it to the sender (type `evidence.retrieval`). Opening an opened message
    /// changes nothing. Returns the message as Read does. kNotFound if there is no incoming
    /// message `id`; kInvalidArgument for a bad actor label.
    Result<MessageDetail> Open(std::string_view id, std::string_view actor = kNodeActor);

    Result<std::vector<Alert>> Alerts(std::size_t limit);

    /// Appends one event (metadata only, e.g. a directory change) to the audit log. The leaf
    /// names `actor` unless it names one already ("actor" member).
    Result<std::uint64_t> AppendEvent(
        const boost::json::object& leaf, std::string_view actor = kNodeActor
    );

    /// Appends one event to the audit log inside the caller's transaction; returns its index.
    /// The leaf names `actor` unless it names one already.
    Result<std::uint64_t> AppendEvent(
        store::Transaction& tx, const boost::json::object& leaf, std::string_view actor = kNodeActor
    );

    /// tlog-proof text for ledger entry `index` against a fresh checkpoint.
    Result<std::string> LedgerProof(std::uint64_t index);
    /// The data of ledger entry `index` (the audit leaf a LedgerProof proves); kNotFound past the
    /// end.
    Result<Bytes> LedgerLeaf(std::uint64_t index);
    Result<std::uint64_t> LedgerSize();
    /// Messages waiting in the outbox, by lane (emergency, normal).
    Result<std::pair<std::int64_t, std::int64_t>> OutboxDepth();

    [[nodiscard]] const NodeCounters& Counters() const;
    [[nodiscard]] const std::string& Id() const;
    [[nodiscard]] const crypto::PublicKey& SigningPublicKey() const;
    /// The verifier of this node's checkpoints.
    [[nodiscard]] ledger::NoteVerifier LogVerifier() const;

private:
    explicit Node(std::unique_ptr<internal::NodeContext> context);

    std::unique_ptr<internal::NodeContext> context_;
    std::unique_ptr<internal::Outbox> outbox_;
    std::unique_ptr<internal::Delivery> delivery_;
    std::unique_ptr<internal::Inbox> inbox_;
    std::unique_ptr<internal::MessageQueries> queries_;
    std::unique_ptr<internal::Witnessing> witnessing_;
    Mutex directory_load_mu_;  // one SetDirectory at a time
};

}  // namespace concord::federation
