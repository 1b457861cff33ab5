#include "concord/app/evidence_stream.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

namespace concord::app {
namespace {

Error Unauthenticated(const std::string& what) {
    return MakeError(ErrorCode::kUnauthenticated, "encrypted file: " + what);
}

/// Reads exactly `out.size()` bytes (false at a premature end).
using ReadExact = std::function<Result<bool>(std::span<std::uint8_t> out)>;

Result<void> OpenWith(
    const ReadExact& read,
    const crypto::SecretBytes& key,
    const ChunkLayout& layout,
    const std::string* expected_sha256,
    const PlaintextSink& sink
) {
    std::array<std::uint8_t, crypto::kStreamHeaderBytes> header{};
    CONCORD_ASSIGN_OR_RETURN(bool got_header, read(header));
    if (!got_header) {
        return Unauthenticated("shorter than its header");
    }
    CONCORD_ASSIGN_OR_RETURN(
        crypto::StreamDecryptor decryptor, crypto::StreamDecryptor::Create(key, header)
    );
    crypto::Sha256Hasher hasher;
    std::vector<std::uint8_t> chunk(layout.SealedBytes(0));
    for (std::uint64_t i = 0; i < layout.count(); ++i) {
        const std::span<std::uint8_t> piece(chunk.data(), layout.SealedBytes(i));
        CONCORD_ASSIGN_OR_RETURN(bool complete, read(piece));
        if (!complete) {
            return Unauthenticated("cut short in chunk " + std::to_string(i));
        }
        auto plain = decryptor.Pull(piece);
        if (!plain) {
            return Unauthenticated("chunk " + std::to_string(i) + " does not authenticate");
        }
        const bool last = i + 1 == layout.count();
        if (decryptor.finished() != last) {
            return Unauthenticated(
                last ? "the last chunk is not tagged final (truncated)"
                     : "chunk " + std::to_string(i) + " is tagged final before the end"
            );
        }
        if (plain->size() != layout.PlainBytes(i)) {
            return Unauthenticated("chunk " + std::to_string(i) + " has the wrong length");
        }
        hasher.Update(*plain);
        if (sink) {
            CONCORD_RETURN_IF_ERROR(sink(*plain));
        }
    }
    std::uint8_t extra = 0;
    CONCORD_ASSIGN_OR_RETURN(bool more, read(std::span<std::uint8_t>(&extra, 1)));
    if (more) {
        return Unauthenticated("bytes after the final chunk");
    }
    if (expected_sha256 != nullptr && HexEncode(hasher.Finish()) != *expected_sha256) {
        return MakeError(
            ErrorCode::kCorruption, "decrypted file does not hash to the manifest's sha256"
        );
    }
    return {};
}

}  // namespace

Result<ChunkLayout> ChunkLayout::Create(std::uint64_t size, std::uint32_t chunk_bytes) {
    if (chunk_bytes < kMinEvidenceChunkBytes || chunk_bytes > kMaxEvidenceChunkBytes) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "chunk size " + std::to_string(chunk_bytes) + " is outside " +
                std::to_string(kMinEvidenceChunkBytes) + ".." +
                std::to_string(kMaxEvidenceChunkBytes)
        );
    }
    if (size > kMaxEvidenceFileBytes) {
        return MakeError(ErrorCode::kInvalidArgument, "file size above 2^53 - 1");
    }
    const std::uint64_t count = size == 0 ? 1 : (size + chunk_bytes - 1) / chunk_bytes;
    return ChunkLayout(size, chunk_bytes, count);
}

std::uint32_t ChunkLayout::PlainBytes(std::uint64_t index) const {
    if (index + 1 < count_) {
        return chunk_bytes_;
    }
    return static_cast<std::uint32_t>(size_ - (count_ - 1) * chunk_bytes_);
}

std::uint32_t ChunkLayout::SealedBytes(std::uint64_t index) const {
    return PlainBytes(index) + static_cast<std::uint32_t>(crypto::kStreamChunkOverhead);
}

std::uint64_t ChunkLayout::SealedOffset(std::uint64_t index) const {
    const std::uint64_t full = std::min(index, count_ - 1);
    std::uint64_t offset =
        crypto::kStreamHeaderBytes + full * (chunk_bytes_ + crypto::kStreamChunkOverhead);
    if (index >= count_) {
        offset += SealedBytes(count_ - 1);
    }
    return offset;
}

FileSealer::FileSealer(
    crypto::StreamEncryptor encryptor, std::uint32_t chunk_bytes, std::unique_ptr<BlobWriter> writer
)
    : encryptor_(std::move(encryptor)), chunk_bytes_(chunk_bytes), writer_(std::move(writer)) {
    pending_.reserve(chunk_bytes_);
}

Result<FileSealer> FileSealer::Create(
    const crypto::SecretBytes& package_key, std::uint32_t chunk_bytes, BlobStore& blobs
) {
    CONCORD_RETURN_IF_ERROR(ChunkLayout::Create(0, chunk_bytes));
    CONCORD_ASSIGN_OR_RETURN(
        crypto::StreamEncryptor encryptor, crypto::StreamEncryptor::Create(package_key)
    );
    CONCORD_ASSIGN_OR_RETURN(std::unique_ptr<BlobWriter> writer, blobs.Create());
    CONCORD_RETURN_IF_ERROR(writer->Append(encryptor.header()));
    return FileSealer(std::move(encryptor), chunk_bytes, std::move(writer));
}

Result<void> FileSealer::PushChunk(bool final) {
    const Bytes sealed = encryptor_.Push(pending_, final);
    pending_.clear();
    return writer_->Append(sealed);
}

Result<void> FileSealer::Write(ByteSpan plaintext) {
    if (plaintext.size() > kMaxEvidenceFileBytes - size_) {
        return MakeError(ErrorCode::kInvalidArgument, "file larger than 2^53 - 1 bytes");
    }
    while (!plaintext.empty()) {
        // A full chunk is sealed only when more bytes follow it: the last chunk carries the
        // final tag, and it may be full.
        if (pending_.size() == chunk_bytes_) {
            CONCORD_RETURN_IF_ERROR(PushChunk(false));
        }
        const std::size_t take = std::min(plaintext.size(), chunk_bytes_ - pending_.size());
        const ByteSpan taken = plaintext.first(take);
        pending_.insert(pending_.end(), taken.begin(), taken.end());
        plain_hash_.Update(plaintext.first(take));
        size_ += take;
        plaintext = plaintext.subspan(take);
    }
    return {};
}

Result<SealedFile> FileSealer::Finish() {
    CONCORD_RETURN_IF_ERROR(PushChunk(true));
    SealedFile out;
    out.size = size_;
    out.sha256 = HexEncode(plain_hash_.Finish());
    CONCORD_ASSIGN_OR_RETURN(out.encrypted_sha256, writer_->Commit());
    return out;
}

Result<void> OpenSealedFile(
    BlobStore& blobs,
    const crypto::SecretBytes& package_key,
    std::uint32_t chunk_bytes,
    const SealedFile& expected,
    const PlaintextSink& sink
) {
    CONCORD_ASSIGN_OR_RETURN(ChunkLayout layout, ChunkLayout::Create(expected.size, chunk_bytes));
    CONCORD_ASSIGN_OR_RETURN(
        std::unique_ptr<BlobReader> reader, blobs.Open(expected.encrypted_sha256)
    );
    if (reader->size() != layout.SealedSize()) {
        return Unauthenticated(
            "has " + std::to_string(reader->size()) + " bytes, the manifest's size implies " +
            std::to_string(layout.SealedSize())
        );
    }
    const ReadExact read = [&reader](std::span<std::uint8_t> out) -> Result<bool> {
        std::size_t done = 0;
        while (done < out.size()) {
            CONCORD_ASSIGN_OR_RETURN(std::size_t n, reader->Read(out.subspan(done)));
            if (n == 0) {
                return false;
            }
            done += n;
        }
        return true;
    };
    return OpenWith(read, package_key, layout, &expected.sha256, sink);
}

Result<void> OpenSealedBytes(
    ByteSpan sealed,
    const crypto::SecretBytes& package_key,
    std::uint32_t chunk_bytes,
    std::uint64_t size,
    const PlaintextSink& sink
) {
    CONCORD_ASSIGN_OR_RETURN(ChunkLayout layout, ChunkLayout::Create(size, chunk_bytes));
    if (sealed.size() != layout.SealedSize()) {
        return Unauthenticated(
            "has " + std::to_string(sealed.size()) + " bytes, the size implies " +
            std::to_string(layout.SealedSize())
        );
    }
    std::size_t position = 0;
    const ReadExact read = [&](std::span<std::uint8_t> out) -> Result<bool> {
        if (sealed.size() - position < out.size()) {
            return false;
        }
        std::memcpy(out.data(), sealed.data() + position, out.size());
        position += out.size();
        return true;
    };
    return OpenWith(read, package_key, layout, nullptr, sink);
}

}  // namespace concord::app
