#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "concord/federation/message.hpp"

#include "node_internal.hpp"

namespace concord::federation::internal {

/// Read-only views of a node's messages, alerts, outbox and audit log. Nothing here writes to the
/// store (a checkpoint for a proof is made in a transaction that is committed, but a checkpoint
/// is a view of the log, not a change to it).
///
/// Thread-safety: thread-safe.
class MessageQueries {
public:
    explicit MessageQueries(NodeContext& context) : context_(context) {}

    /// Node::List.
    Result<std::vector<MessageSummary>> List(
        Direction direction, std::size_t limit, std::string_view before_id
    );
    /// Node::Read.
    Result<MessageDetail> Read(Direction direction, std::string_view id);
    /// Node::Alerts.
    Result<std::vector<Alert>> Alerts(std::size_t limit);
    /// Node::OutboxDepth: (emergency, normal).
    Result<std::pair<std::int64_t, std::int64_t>> OutboxDepth();
    /// Node::LedgerProof.
    Result<std::string> LedgerProof(std::uint64_t index);
    /// Node::LedgerLeaf.
    Result<Bytes> LedgerLeaf(std::uint64_t index);
    /// Node::LedgerSize.
    Result<std::uint64_t> LedgerSize();

private:
    NodeContext& context_;
};

}  // namespace concord::federation::internal
