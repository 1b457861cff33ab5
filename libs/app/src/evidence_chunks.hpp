// Checking an encrypted evidence file chunk by chunk as it arrives or as it is read back from a
// partial blob: the recipient's side of a transfer (evidence_transfer.cpp) and an upload that
// resumes (evidence_upload.cpp). Internal to the app library.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>

#include "concord/app/blob_store.hpp"
#include "concord/app/evidence_stream.hpp"
#include "concord/core/bytes.hpp"
#include "concord/core/result.hpp"
#include "concord/crypto/secret_bytes.hpp"
#include "concord/crypto/secretstream.hpp"
#include "concord/crypto/sha256.hpp"

namespace concord::app::detail {

/// The largest chunk boundary of `layout`'s encrypted file at or below `kept` bytes.
inline std::uint64_t ChunkBoundaryBelow(const ChunkLayout& layout, std::uint64_t kept) {
    if (kept >= layout.SealedSize()) {
        return layout.SealedSize();
    }
    if (kept < crypto::kStreamHeaderBytes) {
        return 0;
    }
    const std::uint64_t whole =
        (kept - crypto::kStreamHeaderBytes) / (layout.ChunkBytes() + crypto::kStreamChunkOverhead);
    return layout.SealedOffset(std::min(whole, layout.Count() - 1));
}

/// Where a check of an encrypted file stands: the stream as far as it was pulled, the hashes of
/// what was accepted (the encrypted bytes and the plaintext), and how far that reaches.
struct ChunkPosition {
    std::optional<crypto::StreamDecryptor> decryptor;  ///< empty until the header arrived
    Bytes header;
    std::uint64_t next_chunk{0};
    std::uint64_t verified{0};  ///< encrypted bytes accepted
    crypto::Sha256Hasher plain_hash;
    crypto::Sha256Hasher sealed_hash;
};

/// Authenticates one encrypted file piece by piece: the header, then each chunk in order, the
/// final tag exactly on the last. Not thread-safe.
class ChunkChecker {
public:
    ChunkChecker(const crypto::SecretBytes& key, const ChunkLayout& layout)
        : key_(key), layout_(layout) {}

    /// Bytes the next piece must have: the header first, then each chunk; 0 once complete.
    [[nodiscard]] std::uint64_t NextBytes() const {
        if (!at_.decryptor) {
            return crypto::kStreamHeaderBytes;
        }
        return at_.next_chunk < layout_.Count() ? layout_.SealedBytes(at_.next_chunk) : 0;
    }
    /// Encrypted bytes accepted so far.
    [[nodiscard]] std::uint64_t Verified() const { return at_.verified; }
    /// Chunks accepted so far.
    [[nodiscard]] std::uint64_t Chunks() const { return at_.next_chunk; }

    /// Checks the next piece (exactly NextBytes() long). kUnauthenticated if it fails; the
    /// checker is then unusable.
    Result<void> Accept(ByteSpan piece) {
        if (!at_.decryptor) {
            auto created = crypto::StreamDecryptor::Create(key_, piece);
            if (!created) {
                return MakeError(ErrorCode::kUnauthenticated, "bad stream header");
            }
            at_.decryptor.emplace(std::move(*created));
            at_.header.assign(piece.begin(), piece.end());
        } else {
            auto plain = at_.decryptor->Pull(piece);
            if (!plain) {
                return MakeError(
                    ErrorCode::kUnauthenticated,
                    "chunk " + std::to_string(at_.next_chunk) + " does not authenticate"
                );
            }
            const bool last = at_.next_chunk + 1 == layout_.Count();
            if (at_.decryptor->Finished() != last) {
                return MakeError(
                    ErrorCode::kUnauthenticated,
                    "chunk " + std::to_string(at_.next_chunk) +
                        (last ? " should end the file and does not" : " ends the file too early")
                );
            }
            at_.plain_hash.Update(*plain);
            ++at_.next_chunk;
        }
        at_.sealed_hash.Update(piece);
        at_.verified += piece.size();
        return {};
    }

    /// The hex SHA-256 of the plaintext and of the encrypted file (once complete).
    std::pair<std::string, std::string> Hashes() {
        return {HexEncode(at_.plain_hash.Finish()), HexEncode(at_.sealed_hash.Finish())};
    }

    /// Where the check stands, for going on from there; the checker is spent afterwards.
    ChunkPosition Release() && { return std::move(at_); }

private:
    const crypto::SecretBytes& key_;
    ChunkLayout layout_;
    ChunkPosition at_;
};

/// Reads exactly `out.size()` bytes unless `read` ends first; returns how many it read.
template <class Read>
Result<std::size_t> ReadFull(Read&& read, std::span<std::uint8_t> out) {
    std::size_t filled = 0;
    while (filled < out.size()) {
        CONCORD_ASSIGN_OR_RETURN(std::size_t n, read(out.subspan(filled)));
        if (n == 0) {
            break;
        }
        filled += n;
    }
    return filled;
}

/// Accepts into `checker` every whole piece that `partial` holds from its start, reading it
/// back (each is authenticated again: what a crash tore or a disk altered is not trusted), up to
/// the first that does not check. Reads only: a writer may be appending meanwhile.
inline Result<void> CheckKept(ChunkChecker& checker, PartialBlob& partial) {
    Bytes piece;
    const std::uint64_t size = partial.Size();
    while (checker.NextBytes() > 0 && checker.Verified() + checker.NextBytes() <= size) {
        piece.resize(checker.NextBytes());
        CONCORD_ASSIGN_OR_RETURN(
            std::size_t n,
            ReadFull(
                [&, at = checker.Verified()](std::span<std::uint8_t> out
                ) mutable -> Result<std::size_t> {
                    CONCORD_ASSIGN_OR_RETURN(std::size_t got, partial.ReadAt(at, out));
                    at += got;
                    return got;
                },
                piece
            )
        );
        if (n != piece.size() || !checker.Accept(piece)) {
            break;
        }
    }
    return {};
}

/// CheckKept, then cuts `partial` at the end of the last piece that checks (its one writer).
inline Result<void> RecheckPartial(ChunkChecker& checker, PartialBlob& partial) {
    CONCORD_RETURN_IF_ERROR(CheckKept(checker, partial));
    if (partial.Size() != checker.Verified()) {
        CONCORD_RETURN_IF_ERROR(partial.Truncate(checker.Verified()));
    }
    return {};
}

}  // namespace concord::app::detail
