#include "concord/app/evidence_stream.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <vector>

namespace concord::app {
namespace {

Error Unauthenticated(const std::string& what) {
    return MakeError(ErrorCode::kUnauthenticated, "encrypted file: " + what);
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
    CONCORD_RETURN_IF_ERROR(writer->Append(encryptor.Header()));
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

SealedFileReader::SealedFileReader(
    SealedRead read,
    crypto::StreamDecryptor decryptor,
    const ChunkLayout& layout,
    std::string expected_sha256
)
    : read_(std::move(read)),
      decryptor_(std::move(decryptor)),
      layout_(layout),
      expected_sha256_(std::move(expected_sha256)) {}

Result<SealedFileReader> SealedFileReader::FromStream(
    SealedRead read,
    const crypto::SecretBytes& package_key,
    const ChunkLayout& layout,
    std::string expected_sha256
) {
    std::array<std::uint8_t, crypto::kStreamHeaderBytes> header{};
    CONCORD_ASSIGN_OR_RETURN(bool got_header, read(header));
    if (!got_header) {
        return Unauthenticated("shorter than its header");
    }
    CONCORD_ASSIGN_OR_RETURN(
        crypto::StreamDecryptor decryptor, crypto::StreamDecryptor::Create(package_key, header)
    );
    return SealedFileReader(
        std::move(read), std::move(decryptor), layout, std::move(expected_sha256)
    );
}

Result<SealedFileReader> SealedFileReader::Open(
    BlobStore& blobs,
    const crypto::SecretBytes& package_key,
    std::uint32_t chunk_bytes,
    const SealedFile& expected
) {
    CONCORD_ASSIGN_OR_RETURN(ChunkLayout layout, ChunkLayout::Create(expected.size, chunk_bytes));
    CONCORD_ASSIGN_OR_RETURN(
        std::unique_ptr<BlobReader> opened, blobs.Open(expected.encrypted_sha256)
    );
    if (opened->Size() != layout.SealedSize()) {
        return Unauthenticated(
            "has " + std::to_string(opened->Size()) + " bytes, the manifest's size implies " +
            std::to_string(layout.SealedSize())
        );
    }
    std::shared_ptr<BlobReader> reader = std::move(opened);
    SealedRead read = [reader](std::span<std::uint8_t> out) -> Result<bool> {
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
    return FromStream(std::move(read), package_key, layout, expected.sha256);
}

Result<void> SealedFileReader::NextChunk() {
    const std::uint64_t i = next_chunk_;
    sealed_.resize(layout_.SealedBytes(i));
    CONCORD_ASSIGN_OR_RETURN(bool complete, read_(sealed_));
    if (!complete) {
        return Unauthenticated("cut short in chunk " + std::to_string(i));
    }
    auto plain = decryptor_.Pull(sealed_);
    if (!plain) {
        return Unauthenticated("chunk " + std::to_string(i) + " does not authenticate");
    }
    const bool last = i + 1 == layout_.Count();
    if (decryptor_.Finished() != last) {
        return Unauthenticated(
            last ? "the last chunk is not tagged final (truncated)"
                 : "chunk " + std::to_string(i) + " is tagged final before the end"
        );
    }
    if (plain->size() != layout_.PlainBytes(i)) {
        return Unauthenticated("chunk " + std::to_string(i) + " has the wrong length");
    }
    hasher_.Update(*plain);
    if (last) {
        std::uint8_t extra = 0;
        CONCORD_ASSIGN_OR_RETURN(bool more, read_(std::span<std::uint8_t>(&extra, 1)));
        if (more) {
            return Unauthenticated("bytes after the final chunk");
        }
        if (!expected_sha256_.empty() && HexEncode(hasher_.Finish()) != expected_sha256_) {
            return MakeError(
                ErrorCode::kCorruption, "decrypted file does not hash to the manifest's sha256"
            );
        }
    }
    plain_ = std::move(*plain);
    plain_at_ = 0;
    ++next_chunk_;
    return {};
}

Result<std::size_t> SealedFileReader::Read(std::span<std::uint8_t> out) {
    if (failed_) {
        return *failed_;
    }
    while (plain_at_ == plain_.size()) {
        if (next_chunk_ == layout_.Count() || out.empty()) {
            return std::size_t{0};
        }
        if (auto next = NextChunk(); !next) {
            failed_ = next.error();
            return next.error();
        }
    }
    const std::size_t n = std::min(out.size(), plain_.size() - plain_at_);
    std::memcpy(out.data(), plain_.data() + plain_at_, n);
    plain_at_ += n;
    return n;
}

namespace {

// Hands every plaintext piece of `reader` to `sink`, in pieces of at most 256 KiB.
Result<void> Drain(SealedFileReader& reader, const PlaintextSink& sink) {
    Bytes buffer(std::size_t{256} << 10);
    while (true) {
        CONCORD_ASSIGN_OR_RETURN(std::size_t n, reader.Read(buffer));
        if (n == 0) {
            return {};
        }
        if (sink) {
            CONCORD_RETURN_IF_ERROR(sink(ByteSpan(buffer.data(), n)));
        }
    }
}

}  // namespace

Result<void> OpenSealedFile(
    BlobStore& blobs,
    const crypto::SecretBytes& package_key,
    std::uint32_t chunk_bytes,
    const SealedFile& expected,
    const PlaintextSink& sink
) {
    CONCORD_ASSIGN_OR_RETURN(
        SealedFileReader reader, SealedFileReader::Open(blobs, package_key, chunk_bytes, expected)
    );
    return Drain(reader, sink);
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
    SealedRead read = [sealed, position](std::span<std::uint8_t> out) mutable -> Result<bool> {
        if (sealed.size() - position < out.size()) {
            return false;
        }
        std::memcpy(out.data(), sealed.data() + position, out.size());
        position += out.size();
        return true;
    };
    CONCORD_ASSIGN_OR_RETURN(
        SealedFileReader reader,
        SealedFileReader::FromStream(std::move(read), package_key, layout, "")
    );
    return Drain(reader, sink);
}

}  // namespace concord::app
