#pragma once

#include <future>
#include <optional>
#include <string>

#include <boost/json/object.hpp>

#include "concord/core/bytes.hpp"
#include "concord/federation/envelope.hpp"
#include "concord/federation/node.hpp"
#include "concord/store/store.hpp"

namespace concord::federation {

/// An envelope verified and decrypted on the caller's thread, waiting for the group commit.
struct Node::PendingIntake {
    ParsedEnvelope envelope;
    std::string body;
    bool want_proof{false};
    // Filled by the committer:
    IntakeReply reply;
    std::string receipt;
    std::uint64_t ledger_index{0};
    bool is_new{false};
    bool replayed{false};  // (from, id) seen before with another envelope
    std::string proof;     // tlog-proof text when want_proof
    std::string leaf;      // base64 of the ledger leaf the proof is for
    std::promise<IntakeReply> done;
};

/// An outbox entry claimed by one delivery worker.
struct Node::OutboxItem {
    std::string id;
    std::string recipient;
    std::int64_t lane{0};  // 1 = emergency
    std::int64_t horizon_ms{0};
    std::int64_t created_ms{0};
    std::int64_t attempts{0};
    std::string envelope;
    std::string envelope_sha256;
    std::int64_t envelope_time_ms{0};  // the envelope's "time"
};

namespace internal {

/// Canonical JSON bytes of a ledger leaf (metadata and hashes only, never content).
Bytes LeafBytes(const boost::json::object& leaf);

inline std::int64_t ToSql(std::uint64_t v) {
    return static_cast<std::int64_t>(v);
}

/// The full-jitter backoff ceiling before retry number `attempts` + 1:
/// min(max_ms, initial_ms · 2^attempts), computed without overflow for any inputs; at least 1.
std::int64_t BackoffCeilingMs(std::int64_t initial_ms, std::int64_t max_ms, std::int64_t attempts);

/// A uniformly random delay in [1, ceiling_ms] (64-bit; ceiling_ms < 1 counts as 1).
std::int64_t JitteredDelayMs(std::int64_t ceiling_ms);

/// {"error":{"code":..,"message":..}}
std::string ErrorBody(std::string_view code, std::string_view message);

}  // namespace internal
}  // namespace concord::federation
