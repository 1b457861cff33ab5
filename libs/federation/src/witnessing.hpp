#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "concord/core/mutex.hpp"

#include "node_internal.hpp"

namespace concord::federation::internal {

/// Witnessing (DESIGN §4): answers for this node's own log (checkpoints, consistency proofs, the
/// cosignatures witnesses handed back) and witnesses every other listed node's log, raising a
/// fork alert when a peer contradicts a checkpoint this node cosigned.
///
/// Thread-safety: thread-safe; one witnessing round at a time.
class Witnessing {
public:
    explicit Witnessing(NodeContext& context) : context_(context) {}

    /// Node::CheckpointReply.
    Result<std::string> CheckpointReply(std::uint64_t old_size);
    /// Node::AcceptCosignature.
    Result<int> AcceptCosignature(std::string_view body);
    /// Node::WitnessPeers.
    Result<int> WitnessPeers();

private:
    Result<int> WitnessOne(const NodeEntry& peer);

    NodeContext& context_;
    Mutex round_mu_;  // one witnessing round at a time
};

}  // namespace concord::federation::internal
