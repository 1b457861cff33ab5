#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "concord/core/mutex.hpp"
#include "concord/core/result.hpp"
#include "concord/ledger/merkle.hpp"
#include "concord/ledger/note.hpp"
#include "concord/store/store.hpp"

namespace concord::ledger {

/// The node's append-only Merkle audit log, kept in a Store (format: docs/formats/ledger.md).
///
/// Appends go into the caller's transaction, so a state change and its audit event commit or
/// vanish together. Every leaf row also stores the hashes of the perfect subtrees that leaf
/// completes, so any proof or root costs O(log n) point reads and never a recomputation.
///
///     auto tx = store.Begin();
///     ... business writes ...
///     CONCORD_ASSIGN_OR_RETURN(auto appended, log.Append(**tx, leaf_bytes));
///     CONCORD_RETURN_IF_ERROR((*tx)->Commit());   // only now may the event be acknowledged
///
/// Thread-safety: thread-safe. Appends are serialised by the store (a row lock on PostgreSQL,
/// the single writer on SQLite).
class Log {
public:
    /// The schema of component "ledger".
    static std::vector<store::Migration> Migrations();

    /// Applies the migrations and returns a Log over `store`.
    static Result<std::unique_ptr<Log>> Open(store::Store& store);

    Log() = default;
    Log(const Log&) = delete;
    Log& operator=(const Log&) = delete;

    /// Where an append landed.
    struct Appended {
        std::uint64_t first_index{0};  ///< index of the first appended leaf
        std::uint64_t size{0};         ///< tree size after the append
        Hash256 root{};                ///< root after the append
    };

    /// Appends `leaves` (raw leaf data) inside `tx`. Visible to others only when tx commits.
    Result<Appended> Append(store::Transaction& tx, std::span<const Bytes> leaves);
    /// Appends one leaf.
    Result<Appended> Append(store::Transaction& tx, ByteSpan leaf);

    /// Current tree size as seen by `tx`.
    Result<std::uint64_t> Size(store::Transaction& tx);
    /// Root of the first `size` leaves (size <= Size()).
    Result<Hash256> Root(store::Transaction& tx, std::uint64_t size);
    /// Data of leaf `index`; kNotFound if index >= Size().
    Result<Bytes> Leaf(store::Transaction& tx, std::uint64_t index);
    /// Inclusion proof of leaf `index` in the tree of `size` leaves.
    Result<std::vector<Hash256>> InclusionProof(
        store::Transaction& tx, std::uint64_t index, std::uint64_t size
    );
    /// Consistency proof from `size1` to `size2` (0 < size1 <= size2 <= Size()).
    Result<std::vector<Hash256>> ConsistencyProof(
        store::Transaction& tx, std::uint64_t size1, std::uint64_t size2
    );

    /// Signs a checkpoint of the current tree with `signer`, stores it and returns the note.
    /// If the current size was checkpointed already, returns the stored note.
    Result<std::string> MakeCheckpoint(
        store::Transaction& tx, const NoteSigner& signer, std::string_view origin
    );
    /// The same for the first `size` leaves (0 < size <= Size()). A caller that proves something
    /// against the checkpoint reads the size once and passes it: on PostgreSQL each statement of a
    /// transaction sees what committed before it, so a second Size() may have grown.
    Result<std::string> MakeCheckpoint(
        store::Transaction& tx,
        const NoteSigner& signer,
        std::string_view origin,
        std::uint64_t size
    );
    /// The newest stored checkpoint note, if any.
    Result<std::optional<std::string>> LatestCheckpoint(store::Transaction& tx);

    /// What VerifyAll found.
    struct Verification {
        std::uint64_t size{0};
        Hash256 root{};
        std::uint64_t checkpoints{0};        ///< stored checkpoints checked
        std::uint64_t latest_checkpoint{0};  ///< size of the newest checkpoint (0 if none)
    };

    /// Re-reads the whole log: every leaf hash from its data, every stored node from its children,
    /// the head size, and every stored checkpoint's signature (against `keys`) and root.
    /// kCorruption naming the first mismatch; kUnauthenticated if a checkpoint does not verify.
    /// Memory is O(log n).
    Result<Verification> VerifyAll(store::Transaction& tx, std::span<const NoteVerifier> keys);

    /// A NodeReader over `tx` (valid while tx is).
    NodeReader Nodes(store::Transaction& tx);

private:
    Result<void> CheckWithinSize(store::Transaction& tx, std::uint64_t size);
    Result<Frontier> LoadFrontier(store::Transaction& tx, std::uint64_t size);

    Mutex mu_;
    // frontier of a committed tree size
    std::optional<Frontier> committed_ CONCORD_GUARDED_BY(mu_);
};

}  // namespace concord::ledger
