#include "concord/ledger/merkle.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <string>

#include "concord/core/assert.hpp"

namespace concord::ledger {
namespace {

// Largest power of two strictly smaller than n (n >= 2).
std::uint64_t SplitPoint(std::uint64_t n) {
    CONCORD_DCHECK(n >= 2);
    return std::uint64_t{1} << (63 - std::countl_zero(n - 1));
}

Error ProofFailed(std::string what) {
    return MakeError(ErrorCode::kUnauthenticated, std::move(what));
}

// Hash of leaves [begin, end); begin is aligned to the largest power of two not above end - begin,
// which holds for every range the RFC 9162 recursions ask for. Reads one stored node per set bit.
Result<Hash256> RangeHash(const NodeReader& nodes, std::uint64_t begin, std::uint64_t end) {
    CONCORD_DCHECK(end > begin);
    std::vector<Hash256> pieces;
    std::uint64_t pos = begin;
    while (pos < end) {
        auto level = static_cast<std::uint32_t>(63 - std::countl_zero(end - pos));
        CONCORD_DCHECK(pos % (std::uint64_t{1} << level) == 0);
        CONCORD_ASSIGN_OR_RETURN(Hash256 h, nodes(level, pos >> level));
        pieces.push_back(h);
        pos += std::uint64_t{1} << level;
    }
    Hash256 acc = pieces.back();
    for (std::size_t i = pieces.size() - 1; i-- > 0;) {
        acc = NodeHash(pieces[i], acc);
    }
    return acc;
}

Result<void> InclusionPath(
    const NodeReader& nodes,
    std::uint64_t index,
    std::uint64_t begin,
    std::uint64_t size,
    std::vector<Hash256>& out
) {
    if (size == 1) {
        return {};
    }
    std::uint64_t k = SplitPoint(size);
    if (index < k) {
        CONCORD_RETURN_IF_ERROR(InclusionPath(nodes, index, begin, k, out));
        CONCORD_ASSIGN_OR_RETURN(Hash256 right, RangeHash(nodes, begin + k, begin + size));
        out.push_back(right);
    } else {
        CONCORD_RETURN_IF_ERROR(InclusionPath(nodes, index - k, begin + k, size - k, out));
        CONCORD_ASSIGN_OR_RETURN(Hash256 left, RangeHash(nodes, begin, begin + k));
        out.push_back(left);
    }
    return {};
}

Result<void> ConsistencySubproof(
    const NodeReader& nodes,
    std::uint64_t m,
    std::uint64_t begin,
    std::uint64_t n,
    bool whole,
    std::vector<Hash256>& out
) {
    if (m == n) {
        if (!whole) {
            CONCORD_ASSIGN_OR_RETURN(Hash256 h, RangeHash(nodes, begin, begin + n));
            out.push_back(h);
        }
        return {};
    }
    std::uint64_t k = SplitPoint(n);
    if (m <= k) {
        CONCORD_RETURN_IF_ERROR(ConsistencySubproof(nodes, m, begin, k, whole, out));
        CONCORD_ASSIGN_OR_RETURN(Hash256 right, RangeHash(nodes, begin + k, begin + n));
        out.push_back(right);
    } else {
        CONCORD_RETURN_IF_ERROR(ConsistencySubproof(nodes, m - k, begin + k, n - k, false, out));
        CONCORD_ASSIGN_OR_RETURN(Hash256 left, RangeHash(nodes, begin, begin + k));
        out.push_back(left);
    }
    return {};
}

}  // namespace

Hash256 LeafHash(ByteSpan data) {
    crypto::Sha256Hasher hasher;
    const std::uint8_t prefix = 0x00;
    hasher.Update(ByteSpan(&prefix, 1));
    hasher.Update(data);
    return hasher.Finish();
}

Hash256 NodeHash(const Hash256& left, const Hash256& right) {
    std::uint8_t buf[65];
    buf[0] = 0x01;
    std::memcpy(buf + 1, left.data(), 32);
    std::memcpy(buf + 33, right.data(), 32);
    return crypto::Sha256(ByteSpan(buf, sizeof buf));
}

Hash256 EmptyRoot() {
    return crypto::Sha256(ByteSpan());
}

Result<Hash256> HashFromBytes(ByteSpan bytes) {
    if (bytes.size() != 32) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "hash must be 32 bytes, got " + std::to_string(bytes.size())
        );
    }
    Hash256 h;
    std::copy(bytes.begin(), bytes.end(), h.begin());
    return h;
}

Result<Hash256> RootFromInclusionProof(
    std::uint64_t index,
    std::uint64_t size,
    const Hash256& leaf_hash,
    std::span<const Hash256> proof
) {
    if (index >= size) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "inclusion proof: index " + std::to_string(index) + " is not below tree size " +
                std::to_string(size)
        );
    }
    std::uint64_t fn = index;
    std::uint64_t sn = size - 1;
    Hash256 r = leaf_hash;
    for (const Hash256& p : proof) {
        if (sn == 0) {
            return ProofFailed("inclusion proof: too many hashes");
        }
        if ((fn & 1) != 0 || fn == sn) {
            r = NodeHash(p, r);
            while ((fn & 1) == 0 && fn != 0) {
                fn >>= 1;
                sn >>= 1;
            }
        } else {
            r = NodeHash(r, p);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0) {
        return ProofFailed("inclusion proof: too few hashes");
    }
    return r;
}

Result<void> VerifyInclusion(
    std::uint64_t index,
    std::uint64_t size,
    const Hash256& leaf_hash,
    std::span<const Hash256> proof,
    const Hash256& root
) {
    CONCORD_ASSIGN_OR_RETURN(
        Hash256 computed, RootFromInclusionProof(index, size, leaf_hash, proof)
    );
    if (computed != root) {
        return ProofFailed("inclusion proof: computed root does not match");
    }
    return {};
}

Result<void> VerifyConsistency(
    std::uint64_t size1,
    std::uint64_t size2,
    std::span<const Hash256> proof,
    const Hash256& root1,
    const Hash256& root2
) {
    if (size1 > size2) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "consistency proof: size1 " + std::to_string(size1) + " exceeds size2 " +
                std::to_string(size2)
        );
    }
    if (size1 == size2) {
        if (!proof.empty()) {
            return ProofFailed("consistency proof: equal sizes need an empty proof");
        }
        if (root1 != root2) {
            return ProofFailed("consistency proof: equal sizes with different roots");
        }
        if (size1 == 0) {
            return MakeError(ErrorCode::kInvalidArgument, "consistency proof: size1 is 0");
        }
        return {};
    }
    if (size1 == 0) {
        return MakeError(ErrorCode::kInvalidArgument, "consistency proof: size1 is 0");
    }
    if (proof.empty()) {
        return ProofFailed("consistency proof: empty proof for different sizes");
    }
    // RFC 9162 §2.1.4.2. When size1 is a power of two the first tree is a complete subtree whose
    // hash is root1 itself, and the proof omits it.
    std::vector<Hash256> path;
    path.reserve(proof.size() + 1);
    if (std::has_single_bit(size1)) {
        path.push_back(root1);
    }
    path.insert(path.end(), proof.begin(), proof.end());

    std::uint64_t fn = size1 - 1;
    std::uint64_t sn = size2 - 1;
    while ((fn & 1) != 0) {
        fn >>= 1;
        sn >>= 1;
    }
    Hash256 fr = path[0];
    Hash256 sr = path[0];
    for (std::size_t i = 1; i < path.size(); ++i) {
        const Hash256& c = path[i];
        if (sn == 0) {
            return ProofFailed("consistency proof: too many hashes");
        }
        if ((fn & 1) != 0 || fn == sn) {
            fr = NodeHash(c, fr);
            sr = NodeHash(c, sr);
            while ((fn & 1) == 0 && fn != 0) {
                fn >>= 1;
                sn >>= 1;
            }
        } else {
            sr = NodeHash(sr, c);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0) {
        return ProofFailed("consistency proof: too few hashes");
    }
    if (fr != root1) {
        return ProofFailed("consistency proof: first root does not match");
    }
    if (sr != root2) {
        return ProofFailed("consistency proof: second root does not match");
    }
    return {};
}

Result<Hash256> ComputeRoot(const NodeReader& nodes, std::uint64_t size) {
    if (size == 0) {
        return EmptyRoot();
    }
    return RangeHash(nodes, 0, size);
}

Result<std::vector<Hash256>> MakeInclusionProof(
    const NodeReader& nodes, std::uint64_t index, std::uint64_t size
) {
    if (index >= size) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "inclusion proof: index " + std::to_string(index) + " is not below tree size " +
                std::to_string(size)
        );
    }
    std::vector<Hash256> out;
    CONCORD_RETURN_IF_ERROR(InclusionPath(nodes, index, 0, size, out));
    return out;
}

Result<std::vector<Hash256>> MakeConsistencyProof(
    const NodeReader& nodes, std::uint64_t size1, std::uint64_t size2
) {
    if (size1 == 0 || size1 > size2) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "consistency proof: need 0 < size1 <= size2, got " + std::to_string(size1) + " and " +
                std::to_string(size2)
        );
    }
    std::vector<Hash256> out;
    if (size1 == size2) {
        return out;
    }
    CONCORD_RETURN_IF_ERROR(ConsistencySubproof(nodes, size1, 0, size2, true, out));
    return out;
}

Result<Frontier> Frontier::FromNodes(
    std::uint64_t size, std::vector<std::pair<std::uint32_t, Hash256>> nodes
) {
    std::uint64_t covered = 0;
    std::uint32_t previous = 64;
    for (const auto& [level, hash] : nodes) {
        if (level >= previous || level > 63) {
            return MakeError(ErrorCode::kCorruption, "frontier levels are not strictly decreasing");
        }
        covered += std::uint64_t{1} << level;
        previous = level;
    }
    if (covered != size) {
        return MakeError(ErrorCode::kCorruption, "frontier does not cover the tree size");
    }
    Frontier f;
    f.size_ = size;
    f.nodes_ = std::move(nodes);
    return f;
}

std::vector<Hash256> Frontier::Append(const Hash256& leaf_hash) {
    std::vector<Hash256> completed;
    Hash256 h = leaf_hash;
    std::uint32_t level = 0;
    while (!nodes_.empty() && nodes_.back().first == level) {
        h = NodeHash(nodes_.back().second, h);
        nodes_.pop_back();
        ++level;
        completed.push_back(h);
    }
    nodes_.emplace_back(level, h);
    ++size_;
    return completed;
}

Hash256 Frontier::Root() const {
    if (nodes_.empty()) {
        return EmptyRoot();
    }
    Hash256 acc = nodes_.back().second;
    for (std::size_t i = nodes_.size() - 1; i-- > 0;) {
        acc = NodeHash(nodes_[i].second, acc);
    }
    return acc;
}

}  // namespace concord::ledger
