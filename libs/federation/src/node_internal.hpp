#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "concord/core/bytes.hpp"
#include "concord/core/mutex.hpp"
#include "concord/federation/envelope.hpp"
#include "concord/federation/message.hpp"
#include "concord/federation/node.hpp"
#include "concord/ledger/log.hpp"
#include "concord/ledger/note.hpp"
#include "concord/store/store.hpp"

namespace concord::federation::internal {

/// What every part of a node shares: its store and audit log, keys, transport, options,
/// counters and the current directory. Owned by the Node; the parts hold a reference.
struct NodeContext {
    NodeContext(
        store::Store& store_in,
        NodeKeys keys_in,
        std::shared_ptr<const federation::Directory> directory_in,
        Transport& transport_in,
        NodeOptions options_in,
        std::unique_ptr<ledger::Log> log_in
    );

    store::Store& store;
    NodeKeys keys;
    ledger::NoteSigner signer;
    Transport& transport;
    NodeOptions options;
    std::unique_ptr<ledger::Log> log;
    NodeCounters counters;

    [[nodiscard]] std::shared_ptr<const federation::Directory> Directory() const;
    void ReplaceDirectory(std::shared_ptr<const federation::Directory> directory);

    /// Milliseconds since the epoch (options.now when set).
    [[nodiscard]] std::int64_t Now() const;
    /// Emits a live event (options.on_event).
    void Emit(std::string_view name, const std::string& json) const;
    /// A named crash point (tests only).
    void Failpoint(std::string_view point) const;

    /// Records an alert in `tx` with its `alert` leaf; counts, logs and emits it after commit.
    Result<void> RaiseAlert(
        store::Transaction& tx,
        AlertKind kind,
        std::string_view peer,
        std::string_view message,
        std::string_view evidence
    );

private:
    mutable Mutex directory_mu_;
    std::shared_ptr<const federation::Directory> directory_ CONCORD_GUARDED_BY(directory_mu_);
};

/// Canonical JSON bytes of a ledger leaf (metadata and hashes only, never content), naming
/// `actor` unless the leaf names one already.
Bytes LeafBytes(const boost::json::object& leaf, std::string_view actor);

inline std::int64_t ToSql(std::uint64_t v) {
    return static_cast<std::int64_t>(v);
}

/// An enum as a statement parameter (its stored name).
inline std::string Sql(Direction v) {
    return std::string(DirectionName(v));
}
inline std::string Sql(MessageStatus v) {
    return std::string(MessageStatusName(v));
}
inline std::string Sql(AlertKind v) {
    return std::string(AlertKindName(v));
}
inline std::int64_t Sql(Lane v) {
    return static_cast<std::int64_t>(v);
}

/// An enum read back from the store: a name the code does not know is kCorruption.
template <typename T>
Result<T> FromStore(Result<T> parsed) {
    if (!parsed) {
        return MakeError(ErrorCode::kCorruption, "store: " + parsed.error().message);
    }
    return parsed;
}

/// The full-jitter backoff ceiling before retry number `attempts` + 1:
/// min(max_ms, initial_ms · 2^attempts), computed without overflow for any inputs; at least 1.
std::int64_t BackoffCeilingMs(std::int64_t initial_ms, std::int64_t max_ms, std::int64_t attempts);

/// A uniformly random delay in [1, ceiling_ms] (64-bit; ceiling_ms < 1 counts as 1).
std::int64_t JitteredDelayMs(std::int64_t ceiling_ms);

/// {"error":{"code":..,"message":..}}
std::string ErrorBody(std::string_view code, std::string_view message);

}  // namespace concord::federation::internal
