#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <utility>
#include <vector>

#include "concord/core/bytes.hpp"
#include "concord/core/result.hpp"
#include "concord/crypto/sha256.hpp"

namespace concord::ledger {

using crypto::Hash256;

/// RFC 9162 §2.1.1 hashing: leaf = SHA-256(0x00 ‖ data).
Hash256 LeafHash(ByteSpan data);
/// Interior node = SHA-256(0x01 ‖ left ‖ right).
Hash256 NodeHash(const Hash256& left, const Hash256& right);
/// Root of the empty tree = SHA-256("").
Hash256 EmptyRoot();

/// Copies a 32-byte hash from `bytes`; kInvalidArgument if it is not exactly 32 bytes long.
Result<Hash256> HashFromBytes(ByteSpan bytes);

/// Verifies an RFC 9162 §2.1.3.2 inclusion proof of the leaf with hash `leaf_hash` at 0-based
/// `index` in the tree of `size` leaves with root `root`.
/// kInvalidArgument if index >= size; kUnauthenticated if the proof does not verify.
Result<void> VerifyInclusion(
    std::uint64_t index,
    std::uint64_t size,
    const Hash256& leaf_hash,
    std::span<const Hash256> proof,
    const Hash256& root
);

/// The root implied by an inclusion proof (RFC 9162 §2.1.3.2 without the final comparison).
Result<Hash256> RootFromInclusionProof(
    std::uint64_t index,
    std::uint64_t size,
    const Hash256& leaf_hash,
    std::span<const Hash256> proof
);

/// Verifies an RFC 9162 §2.1.4.2 consistency proof between the tree of `size1` leaves with root
/// `root1` and the tree of `size2` leaves with root `root2`.
///
/// Size rules (docs/formats/ledger.md): size1 > size2 is refused; size1 == size2 verifies iff the
/// proof is empty and the roots are equal; size1 == 0 is refused (RFC 9162 defines proofs only for
/// 0 < size1; an empty tree is consistent with every tree, which callers such as the witness
/// handle before calling this). kInvalidArgument for bad sizes, kUnauthenticated otherwise.
Result<void> VerifyConsistency(
    std::uint64_t size1,
    std::uint64_t size2,
    std::span<const Hash256> proof,
    const Hash256& root1,
    const Hash256& root2
);

/// Reads the hash of the perfect subtree at `level` covering leaves
/// [index·2^level, (index+1)·2^level). Must only be asked for complete subtrees.
using NodeReader = std::function<Result<Hash256>(std::uint32_t level, std::uint64_t index)>;

/// Root of the first `size` leaves, from O(log size) stored perfect-subtree hashes.
Result<Hash256> ComputeRoot(const NodeReader& nodes, std::uint64_t size);

/// RFC 9162 §2.1.3.1 inclusion proof of leaf `index` in the tree of `size` leaves, built from
/// O(log size) stored perfect-subtree hashes. kInvalidArgument if index >= size.
Result<std::vector<Hash256>> MakeInclusionProof(
    const NodeReader& nodes, std::uint64_t index, std::uint64_t size
);

/// RFC 9162 §2.1.4.1 consistency proof from `size1` to `size2` (0 < size1 <= size2), built from
/// O(log size2) stored perfect-subtree hashes. Empty when size1 == size2.
Result<std::vector<Hash256>> MakeConsistencyProof(
    const NodeReader& nodes, std::uint64_t size1, std::uint64_t size2
);

/// The right edge of a tree ("compact range"): one perfect-subtree hash per set bit of the size,
/// largest first. Appending a leaf returns the perfect subtrees it completes. Not thread-safe.
class Frontier {
public:
    Frontier() = default;
    /// From `(level, hash)` pairs, largest level first, as stored; kCorruption if they do not
    /// describe a tree of `size` leaves.
    static Result<Frontier> FromNodes(
        std::uint64_t size, std::vector<std::pair<std::uint32_t, Hash256>> nodes
    );

    /// Appends a leaf hash. Returns the hashes of the subtrees completed by it, level 1 upwards
    /// (level 0 is the leaf itself); their count is the number of trailing one bits of the old
    /// size.
    std::vector<Hash256> Append(const Hash256& leaf_hash);

    /// Root of the tree so far.
    [[nodiscard]] Hash256 Root() const;
    [[nodiscard]] std::uint64_t Size() const { return size_; }
    [[nodiscard]] const std::vector<std::pair<std::uint32_t, Hash256>>& Nodes() const {
        return nodes_;
    }

private:
    std::uint64_t size_{0};
    std::vector<std::pair<std::uint32_t, Hash256>> nodes_;
};

}  // namespace concord::ledger
