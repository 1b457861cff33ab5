#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "concord/core/mutex.hpp"
#include "concord/federation/envelope.hpp"
#include "concord/federation/group_committer.hpp"
#include "concord/federation/message.hpp"

#include "node_internal.hpp"
#include "outbox.hpp"

namespace concord::federation::internal {

/// The inbox: verifies and decrypts incoming envelopes on the caller's thread, commits them in
/// groups on one committer thread (message, replay guard, `message.received` leaf, the layer
/// above's on_received, then the signed receipt), refuses the rest with a typed reason (rate
/// limited in the log and the ledger), and opens received messages (retrieval evidence).
///
/// Thread-safety: thread-safe.
class Inbox {
public:
    Inbox(NodeContext& context, Outbox& outbox);

    /// Starts the committer (once).
    void Start() { committer_.Start(); }
    /// Stops the committer; intakes still queued are answered 503.
    void Stop() { committer_.Stop(); }

    /// Node::Receive.
    IntakeReply Receive(std::string_view envelope, bool want_proof);

    /// Marks incoming message `id` opened by `actor` with its retrieval evidence, once (see
    /// Node::Open). kNotFound if there is no such incoming message.
    Result<void> Open(std::string_view id, std::string_view actor);

private:
    /// An envelope verified and decrypted on the caller's thread, with what its commit found.
    struct Intake {
        ParsedEnvelope envelope;
        std::string body;
        bool want_proof{false};
        // Filled by the commit:
        IntakeReply reply;
        std::string receipt;
        std::uint64_t ledger_index{0};
        bool replayed{false};  // (from, id) seen before with another envelope
        std::string proof;     // tlog-proof text when want_proof
        std::string leaf;      // base64 of the ledger leaf the proof is for
    };
    struct RefusalLogWindow {
        std::int64_t window_start{0};
        int lines{0};
        std::uint64_t suppressed{0};
    };
    static constexpr std::uint64_t kRefusalLogDenied = ~std::uint64_t{0};

    std::vector<IntakeReply> CommitAll(std::vector<Intake>& batch);
    void CommitBatch(const std::vector<Intake*>& batch);
    Result<void> CommitGroup(const std::vector<Intake*>& batch);
    Result<void> AttachProofs(const std::vector<Intake*>& batch);
    Result<void> AttachRetrieval(store::Transaction& tx, const Intake& intake);

    IntakeReply Refuse(Refusal reason, std::string message, const ParsedEnvelope* envelope);
    void RecordRefusal(Refusal reason, const std::string& claimed_sender, const std::string& hash);
    /// Whether to log a refusal: kRefusalLogDenied if over the rate, else how many lines for the
    /// same key were suppressed since the last one written.
    std::uint64_t AllowRefusalLog(Refusal reason, const std::string& claimed_sender);

    NodeContext& context_;
    Outbox& outbox_;

    Mutex refusal_mu_;
    std::int64_t refusal_window_start_ CONCORD_GUARDED_BY(refusal_mu_) = 0;
    int refusals_in_window_ CONCORD_GUARDED_BY(refusal_mu_) = 0;
    std::map<std::pair<std::string, int>, RefusalLogWindow> refusal_logs_
        CONCORD_GUARDED_BY(refusal_mu_);

    // Last: stopped (by its destructor) before the members it uses go.
    GroupCommitter<Intake, IntakeReply> committer_;
};

}  // namespace concord::federation::internal
