#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/json/object.hpp>

#include "concord/core/result.hpp"
#include "concord/crypto/box.hpp"
#include "concord/crypto/ed25519.hpp"
#include "concord/federation/directory.hpp"
#include "concord/federation/envelope.hpp"
#include "concord/ledger/log.hpp"
#include "concord/ledger/note.hpp"
#include "concord/store/store.hpp"

namespace concord::federation {

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

/// An accepted incoming message as the layer above sees it, inside the intake transaction.
struct ReceivedMessage {
    std::string id;
    std::string from;
    std::string type;
    std::string priority;
    std::string in_reply_to;
    std::string time;  ///< the sender's signed time (RFC 3339)
    std::string body;  ///< the decrypted body (canonical JSON)
    std::string envelope_sha256;
    std::int64_t received_ms{0};  ///< this node's commit time, as its signed receipt states
    std::uint64_t ledger_index{0};
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

/// What Receive answers: an HTTP status and a JSON body.
struct IntakeReply {
    unsigned status{200};
    std::string body;
    std::string refusal;  ///< refusal code, empty when accepted
    bool duplicate{false};
};

/// An outgoing message as the local API submits it.
struct OutgoingMessage {
    std::string to;
    std::string type{"request"};
    std::string priority{"normal"};
    std::string in_reply_to;
    std::string body_json;  ///< any JSON value
};

struct Submitted {
    std::string id;
    std::uint64_t ledger_index{0};
};

/// One row of the inbox or outbox listing.
struct MessageSummary {
    std::string direction;  ///< "in" | "out"
    std::string id;
    std::string peer;
    std::string type;
    std::string priority;
    std::string in_reply_to;
    std::string time;
    std::string status;  ///< out: queued|delivered|failed; in: received|opened
    std::int64_t attempts{0};
    std::string last_error;
    std::int64_t created_ms{0};
    std::uint64_t ledger_index{0};
};

/// A message with everything that proves what happened to it.
struct MessageDetail {
    MessageSummary summary;
    std::string body;      ///< the decrypted body (JSON)
    std::string envelope;  ///< the signed, encrypted envelope as sent
    std::string envelope_sha256;
    /// Signed evidence records (JSON texts): delivery receipt, retrieval, non_delivery.
    std::vector<std::string> evidence;
    /// For an outgoing message: the receiver's tlog-proof and ledger leaf (base64) of the receipt.
    std::string receiver_proof;
    std::string receiver_leaf;
    /// tlog-proof of this node's own ledger entry for the message.
    std::string own_proof;
};

struct Alert {
    std::int64_t seq{0};
    std::string kind;  ///< "fork" | "non_delivery"
    std::string peer;
    std::string message;
    std::string evidence;
    std::int64_t created_ms{0};
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

/// One federation node: outbox, inbox, receipts, evidence and witnessing over a Store and its
/// audit log (DESIGN §2–§4, docs/protocol.md).
///
/// Every state change commits together with its ledger event; a receipt or an "accepted" answer
/// is produced only after that commit. Incoming envelopes are verified and decrypted on the
/// caller's thread and committed in groups by one committer thread (group commit).
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
        std::shared_ptr<const Directory> directory,
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
        std::shared_ptr<const Directory> directory, std::string_view file_sha256
    );
    [[nodiscard]] std::shared_ptr<const Directory> directory() const;

    /// Seals `message` for its recipient and commits it to the outbox with its ledger event.
    /// `also`, when set, runs in the same transaction after the message is stored (e.g. the
    /// local API's idempotency record); its error rolls the whole submission back.
    /// kInvalidArgument (bad fields, unknown or revoked recipient); kPermissionDenied if the
    /// directory's message policy does not let this node's roles send that type at that priority.
    Result<Submitted> Submit(
        const OutgoingMessage& message,
        const std::function<Result<void>(store::Transaction&, const Submitted&)>& also = nullptr
    );

    /// Submit inside the caller's transaction `tx` (one transaction per business step): the
    /// sealed envelope, its outbox entry and its `message.submitted` leaf are written to `tx`.
    /// After committing `tx` the caller calls SubmitCommitted(); until then nothing is sent.
    /// Same checks and errors as Submit.
    Result<Submitted> SubmitIn(store::Transaction& tx, const OutgoingMessage& message);
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

    /// Messages of one direction, newest first, at most `limit`, older than `before_id` if set.
    Result<std::vector<MessageSummary>> List(
        std::string_view direction, std::size_t limit, std::string_view before_id
    );
    /// One message. When `by_person` and it is incoming and unopened, records the signed
    /// retrieval evidence and sends it to the sender. kNotFound if absent.
    Result<MessageDetail> Read(std::string_view direction, std::string_view id, bool by_person);

    Result<std::vector<Alert>> Alerts(std::size_t limit);

    /// Appends one event (metadata only, e.g. a directory change) to the audit log.
    Result<std::uint64_t> AppendEvent(const boost::json::object& leaf);

    /// Appends one event to the audit log inside the caller's transaction; returns its index.
    Result<std::uint64_t> AppendEvent(store::Transaction& tx, const boost::json::object& leaf);

    /// tlog-proof text for ledger entry `index` against a fresh checkpoint.
    Result<std::string> LedgerProof(std::uint64_t index);
    Result<std::uint64_t> LedgerSize();
    /// Messages waiting in the outbox, by lane (emergency, normal).
    Result<std::pair<std::int64_t, std::int64_t>> OutboxDepth();

    [[nodiscard]] const NodeCounters& counters() const { return counters_; }
    [[nodiscard]] const std::string& id() const { return options_.node_id; }
    [[nodiscard]] const crypto::PublicKey& signing_public_key() const {
        return keys_.signing.public_key();
    }
    /// The verifier of this node's checkpoints.
    [[nodiscard]] ledger::NoteVerifier log_verifier() const { return signer_.verifier(); }

private:
    struct PendingIntake;
    struct OutboxItem;

    Node(
        store::Store& store,
        NodeKeys keys,
        std::shared_ptr<const Directory> directory,
        Transport& transport,
        NodeOptions options,
        std::unique_ptr<ledger::Log> log
    );

    IntakeReply Refuse(Refusal reason, std::string message, const ParsedEnvelope* envelope);
    void RecordRefusal(Refusal reason, const std::string& claimed_sender, const std::string& hash);
    /// Whether to log a refusal: kRefusalLogDenied if over the rate, else how many lines for the
    /// same key were suppressed since the last one written.
    std::uint64_t AllowRefusalLog(Refusal reason, const std::string& claimed_sender);
    static constexpr std::uint64_t kRefusalLogDenied = ~std::uint64_t{0};
    struct RefusalLogWindow {
        std::int64_t window_start{0};
        int lines{0};
        std::uint64_t suppressed{0};
    };
    void CommitterLoop();
    void CommitBatch(std::vector<std::shared_ptr<PendingIntake>>& batch);
    Result<void> CommitGroup(std::vector<std::shared_ptr<PendingIntake>>& batch);
    Result<void> AttachProofs(std::vector<std::shared_ptr<PendingIntake>>& batch);
    Result<void> AttachRetrieval(store::Transaction& tx, const PendingIntake& pending);
    void DeliveryLoop(bool emergency_only);
    std::optional<OutboxItem> ClaimDue(bool emergency_only, std::int64_t& next_due);
    void Deliver(const OutboxItem& item);
    Result<void> AcceptReceipt(
        const OutboxItem& item, const NodeEntry& peer, const std::string& reply
    );
    Result<void> Reschedule(const OutboxItem& item, const std::string& error);
    Result<void> GiveUp(const OutboxItem& item, const std::string& reason);
    /// The recipient's directory entry when this node may send `message` to it.
    Result<NodeEntry> CheckSend(const OutgoingMessage& message) const;
    Result<Submitted> SubmitInTx(
        store::Transaction& tx, const OutgoingMessage& message, const NodeEntry& peer
    );
    Result<void> RaiseAlert(
        store::Transaction& tx,
        std::string_view kind,
        std::string_view peer,
        std::string_view message,
        std::string_view evidence
    );
    Result<int> WitnessOne(const NodeEntry& peer);
    void Emit(std::string_view name, const std::string& json);
    void Failpoint(std::string_view point);
    std::int64_t Now() const;

    store::Store& store_;
    NodeKeys keys_;
    ledger::NoteSigner signer_;
    Transport& transport_;
    NodeOptions options_;
    std::unique_ptr<ledger::Log> log_;
    NodeCounters counters_;

    mutable std::mutex directory_mu_;
    std::shared_ptr<const Directory> directory_;  // GUARDED_BY(directory_mu_)
    std::mutex directory_load_mu_;                // one SetDirectory at a time

    std::mutex intake_mu_;
    std::condition_variable intake_cv_;
    std::deque<std::shared_ptr<PendingIntake>> intake_queue_;  // GUARDED_BY(intake_mu_)
    bool stopping_{false};                                     // GUARDED_BY(intake_mu_)

    std::mutex outbox_mu_;
    std::condition_variable outbox_cv_;
    std::set<std::string> in_flight_;     // GUARDED_BY(outbox_mu_)
    std::uint64_t outbox_generation_{0};  // GUARDED_BY(outbox_mu_): bumped on every Submit

    std::mutex refusal_mu_;
    std::int64_t refusal_window_start_{0};  // GUARDED_BY(refusal_mu_)
    int refusals_in_window_{0};             // GUARDED_BY(refusal_mu_)
    std::map<std::pair<std::string, int>, RefusalLogWindow>
        refusal_logs_;  // GUARDED_BY(refusal_mu_)

    std::mutex witness_mu_;  // one witnessing round at a time

    std::vector<std::thread> threads_;
    bool started_{false};  // GUARDED_BY(intake_mu_)
};

}  // namespace concord::federation
