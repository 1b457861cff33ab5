#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include "concord/core/mutex.hpp"
#include "concord/federation/message.hpp"
#include "concord/store/store.hpp"

#include "node_internal.hpp"

namespace concord::federation::internal {

/// The outbox's write side: checks that this node may send a message, seals it for its recipient
/// and queues it (message, outbox entry and `message.submitted` leaf in one transaction), then
/// wakes the delivery workers. It also carries the wake-up signal those workers wait on.
///
/// Thread-safety: thread-safe.
class Outbox {
public:
    explicit Outbox(NodeContext& context) : context_(context) {}

    /// Node::Submit.
    Result<Submitted> Submit(
        const OutgoingMessage& message,
        const std::function<Result<void>(store::Transaction&, const Submitted&)>& also,
        std::string_view actor
    );
    /// Node::SubmitIn.
    Result<Submitted> SubmitIn(
        store::Transaction& tx, const OutgoingMessage& message, std::string_view actor
    );
    /// Node::SubmitCommitted.
    void SubmitCommitted(const OutgoingMessage& message, const Submitted& submitted);

    /// The recipient's directory entry when this node may send `message` to it.
    Result<NodeEntry> CheckSend(const OutgoingMessage& message) const;
    /// Seals and queues `message` to `peer` (already checked) in `tx`.
    Result<Submitted> Queue(
        store::Transaction& tx,
        const OutgoingMessage& message,
        const NodeEntry& peer,
        std::string_view actor
    );

    /// Wakes the delivery workers: something was queued.
    void Wake();
    /// The current wake-up generation, or nullopt once stopping.
    std::optional<std::uint64_t> Generation();
    /// Waits until the generation differs from `generation`, the outbox stops, or `max` passes.
    void WaitForWake(std::uint64_t generation, std::chrono::milliseconds max);
    /// Stops the waiting workers (for good).
    void Stop();

private:
    NodeContext& context_;
    Mutex mu_;
    std::condition_variable_any cv_;
    std::uint64_t generation_ CONCORD_GUARDED_BY(mu_) = 0;  // bumped on every queued message
    bool stopping_ CONCORD_GUARDED_BY(mu_) = false;
};

}  // namespace concord::federation::internal
