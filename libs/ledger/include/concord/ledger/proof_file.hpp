#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "concord/core/bytes.hpp"
#include "concord/core/result.hpp"
#include "concord/ledger/merkle.hpp"
#include "concord/ledger/note.hpp"

namespace concord::ledger {

/// A C2SP tlog-proof@v1: an offline-verifiable proof that an entry is in a checkpointed log.
///
///     c2sp.org/tlog-proof@v1
///     [extra <base64>]
///     index <N>
///     <base64 hash>          (one line per inclusion-proof hash)
///     <blank line>
///     <checkpoint note, with the log's signature and any cosignatures>
struct TlogProof {
    std::optional<Bytes> extra;
    std::uint64_t index{0};
    std::vector<Hash256> hashes;
    std::string checkpoint;  ///< the whole signed checkpoint note
};

/// The text form of `proof`.
std::string FormatTlogProof(const TlogProof& proof);
/// Parses the text form. kInvalidArgument with the reason if malformed.
Result<TlogProof> ParseTlogProof(std::string_view text);

/// Verifies `proof` for `leaf_data`: the checkpoint must carry a valid signature of a key in
/// `keys` named after its origin (and equal to `origin` when given), and the inclusion proof must
/// lead from the leaf hash to the checkpoint's root. Returns a one-line summary.
/// kUnauthenticated / kInvalidArgument with the reason otherwise.
Result<std::string> VerifyTlogProof(
    const TlogProof& proof,
    ByteSpan leaf_data,
    std::span<const NoteVerifier> keys,
    std::optional<std::string_view> origin
);

/// As above, with the log's own keys given apart from witness keys: a valid signature by any key
/// in `log_keys` counts as the log's, whatever the key is named. C2SP tlog-checkpoint says a log's
/// key name SHOULD match the origin, not MUST: real logs differ (the Go checksum database signs
/// origin "go.sum database tree" with the key "sum.golang.org"). Keys in `witness_keys` may add
/// signatures but never stand for the log. `origin`, when given, must equal the checkpoint's.
Result<std::string> VerifyTlogProof(
    const TlogProof& proof,
    ByteSpan leaf_data,
    std::span<const NoteVerifier> log_keys,
    std::span<const NoteVerifier> witness_keys,
    std::optional<std::string_view> origin
);

/// Verifies a proof in the JSON form of transparency-dev/merkle's test data: inclusion
/// {leafIdx, treeSize, root, leafHash, proof} or consistency {size1, size2, root1, root2, proof},
/// base64 hashes. When `leaf_data` is given, the leaf hash must equal its RFC 9162 leaf hash.
/// Returns a one-line summary; kInvalidArgument if malformed, kUnauthenticated if it fails.
Result<std::string> VerifyJsonProof(std::string_view json, std::optional<ByteSpan> leaf_data);

}  // namespace concord::ledger
