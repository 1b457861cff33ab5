#include "concord/app/evidence_stream.hpp"

#include <cstring>
#include <filesystem>
#include <random>

#include <gtest/gtest.h>

#include "concord/crypto/init.hpp"
#include "concord/crypto/sha256.hpp"

namespace concord::app {
namespace {

constexpr std::uint32_t kChunk = kMinEvidenceChunkBytes;  // 4 KiB: many chunks from small files
constexpr std::size_t kOverhead = crypto::kStreamChunkOverhead;

Bytes Pattern(std::size_t size, unsigned seed) {
    std::mt19937 rng(seed);
    Bytes out(size);
    for (auto& b : out) {
        b = static_cast<std::uint8_t>(rng());
    }
    return out;
}

/// Seals `plain` in memory: header ‖ chunks, as FileSealer writes it.
Bytes SealInMemory(const crypto::SecretBytes& key, ByteSpan plain) {
    auto layout = ChunkLayout::Create(plain.size(), kChunk).value();
    auto encryptor = crypto::StreamEncryptor::Create(key).value();
    Bytes out(encryptor.Header().begin(), encryptor.Header().end());
    for (std::uint64_t i = 0; i < layout.Count(); ++i) {
        const auto piece = plain.subspan(i * kChunk, layout.PlainBytes(i));
        const Bytes sealed = encryptor.Push(piece, i + 1 == layout.Count());
        out.insert(out.end(), sealed.begin(), sealed.end());
    }
    return out;
}

Result<Bytes> Open(
    const crypto::SecretBytes& key, ByteSpan sealed, std::uint64_t size, Bytes* got = nullptr
) {
    Bytes plain;
    auto opened = OpenSealedBytes(sealed, key, kChunk, size, [&](ByteSpan p) -> Result<void> {
        plain.insert(plain.end(), p.begin(), p.end());
        return {};
    });
    if (got != nullptr) {
        *got = plain;
    }
    if (!opened) {
        return tl::unexpected(opened.error());
    }
    return plain;
}

class EvidenceStreamTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(crypto::Initialize());
        key_ = crypto::GenerateStreamKey();
        root_ = std::filesystem::temp_directory_path() /
                ("concord-stream-" + std::to_string(std::random_device{}()));
        blobs_ = DirectoryBlobStore::OpenFolder(root_).value();
    }
    void TearDown() override { std::filesystem::remove_all(root_); }

    crypto::SecretBytes key_;
    std::filesystem::path root_;
    std::unique_ptr<DirectoryBlobStore> blobs_;
};

TEST(ChunkLayoutTest, ChunksFollowFromTheSizeAlone) {
    auto empty = ChunkLayout::Create(0, kChunk).value();
    EXPECT_EQ(empty.Count(), 1U);
    EXPECT_EQ(empty.PlainBytes(0), 0U);
    EXPECT_EQ(empty.SealedSize(), crypto::kStreamHeaderBytes + kOverhead);

    auto exact = ChunkLayout::Create(kChunk, kChunk).value();
    EXPECT_EQ(exact.Count(), 1U);
    EXPECT_EQ(exact.PlainBytes(0), kChunk);

    auto over = ChunkLayout::Create(2 * kChunk + 5, kChunk).value();
    EXPECT_EQ(over.Count(), 3U);
    EXPECT_EQ(over.PlainBytes(1), kChunk);
    EXPECT_EQ(over.PlainBytes(2), 5U);
    EXPECT_EQ(over.SealedOffset(0), crypto::kStreamHeaderBytes);
    EXPECT_EQ(over.SealedOffset(2), crypto::kStreamHeaderBytes + 2 * (kChunk + kOverhead));
    EXPECT_EQ(
        over.SealedSize(), crypto::kStreamHeaderBytes + 2 * (kChunk + kOverhead) + 5 + kOverhead
    );

    // The largest file at the largest chunk does not overflow.
    auto huge = ChunkLayout::Create(kMaxEvidenceFileBytes, kMinEvidenceChunkBytes).value();
    EXPECT_GT(huge.SealedSize(), kMaxEvidenceFileBytes);

    for (std::uint32_t bad : {kMinEvidenceChunkBytes - 1, kMaxEvidenceChunkBytes + 1, 0U}) {
        auto refused = ChunkLayout::Create(10, bad);
        ASSERT_FALSE(refused);
        EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
    }
    EXPECT_FALSE(ChunkLayout::Create(kMaxEvidenceFileBytes + 1, kChunk));
}

TEST_F(EvidenceStreamTest, FilesOfEverySizeAroundAChunkBoundaryComeBackWhole) {
    for (std::size_t size :
         {std::size_t{0},
          std::size_t{1},
          std::size_t{kChunk - 1},
          std::size_t{kChunk},
          std::size_t{kChunk + 1},
          std::size_t{3 * kChunk},
          std::size_t{5 * kChunk + 123}}) {
        const Bytes plain = Pattern(size, static_cast<unsigned>(size));
        auto sealer = FileSealer::Create(key_, kChunk, *blobs_).value();
        // Pieces of an odd size, so chunk boundaries fall inside them.
        for (std::size_t at = 0; at < size; at += 1777) {
            ASSERT_TRUE(
                sealer.Write(ByteSpan(plain).subspan(at, std::min<std::size_t>(1777, size - at)))
            );
        }
        auto sealed = sealer.Finish();
        ASSERT_TRUE(sealed) << sealed.error().ToString();
        EXPECT_EQ(sealed->size, size);
        EXPECT_EQ(sealed->sha256, HexEncode(crypto::Sha256(plain)));
        EXPECT_EQ(
            blobs_->Open(sealed->encrypted_sha256).value()->Size(),
            ChunkLayout::Create(size, kChunk).value().SealedSize()
        );
        Bytes back;
        auto opened =
            OpenSealedFile(*blobs_, key_, kChunk, *sealed, [&](ByteSpan p) -> Result<void> {
                EXPECT_LE(p.size(), kChunk);
                back.insert(back.end(), p.begin(), p.end());
                return {};
            });
        ASSERT_TRUE(opened) << size << ": " << opened.error().ToString();
        EXPECT_EQ(back, plain) << size;
    }
}

TEST_F(EvidenceStreamTest, AnAlteredChunkIsRefusedAndNothingOfItIsReleased) {
    const Bytes plain = Pattern(3 * kChunk, 1);
    Bytes sealed = SealInMemory(key_, plain);
    sealed[crypto::kStreamHeaderBytes + (kChunk + kOverhead) + 100] ^= 0x01;  // inside chunk 1
    Bytes got;
    auto opened = Open(key_, sealed, plain.size(), &got);
    ASSERT_FALSE(opened);
    EXPECT_EQ(opened.error().code, ErrorCode::kUnauthenticated);
    EXPECT_NE(opened.error().message.find("chunk 1"), std::string::npos) << opened.error().message;
    EXPECT_EQ(got, Bytes(plain.begin(), plain.begin() + kChunk));  // chunk 0 only
}

TEST_F(EvidenceStreamTest, ReorderedTruncatedExtendedAndForeignChunksAreRefused) {
    const Bytes plain = Pattern(3 * kChunk, 2);
    const Bytes sealed = SealInMemory(key_, plain);
    const std::size_t c = kChunk + kOverhead;
    const std::size_t h = crypto::kStreamHeaderBytes;

    Bytes swapped = sealed;
    std::swap_ranges(swapped.begin() + h, swapped.begin() + h + c, swapped.begin() + h + c);
    EXPECT_EQ(Open(key_, swapped, plain.size()).error().code, ErrorCode::kUnauthenticated);

    // The first two chunks, claimed to be a file of two chunks: the final tag is missing.
    const Bytes cut(sealed.begin(), sealed.begin() + h + 2 * c);
    auto truncated = Open(key_, cut, 2 * kChunk);
    ASSERT_FALSE(truncated);
    EXPECT_EQ(truncated.error().code, ErrorCode::kUnauthenticated);
    EXPECT_NE(truncated.error().message.find("final"), std::string::npos);

    // A size that does not match the bytes is refused before any decryption.
    EXPECT_EQ(Open(key_, sealed, plain.size() - 1).error().code, ErrorCode::kUnauthenticated);
    Bytes extended = sealed;
    extended.push_back(0);
    EXPECT_EQ(Open(key_, extended, plain.size()).error().code, ErrorCode::kUnauthenticated);

    // Chunk 1 of another file under the same package key.
    const Bytes other = SealInMemory(key_, Pattern(3 * kChunk, 3));
    Bytes spliced = sealed;
    std::copy(other.begin() + h + c, other.begin() + h + 2 * c, spliced.begin() + h + c);
    EXPECT_EQ(Open(key_, spliced, plain.size()).error().code, ErrorCode::kUnauthenticated);

    EXPECT_EQ(
        Open(crypto::GenerateStreamKey(), sealed, plain.size()).error().code,
        ErrorCode::kUnauthenticated
    );
    EXPECT_TRUE(Open(key_, sealed, plain.size()));
}

TEST_F(EvidenceStreamTest, AFinalTagBeforeTheEndIsRefused) {
    // Two files of one chunk each, glued: chunk 0 is tagged final, so chunk 1 must be refused.
    const Bytes a = SealInMemory(key_, Pattern(kChunk, 4));
    Bytes glued = a;
    const Bytes b = SealInMemory(key_, Pattern(kChunk, 5));
    glued.insert(glued.end(), b.begin() + crypto::kStreamHeaderBytes, b.end());
    auto opened = Open(key_, glued, 2 * kChunk);
    ASSERT_FALSE(opened);
    EXPECT_EQ(opened.error().code, ErrorCode::kUnauthenticated);
}

TEST_F(EvidenceStreamTest, AStoredBlobThatNoLongerMatchesIsRefused) {
    auto sealer = FileSealer::Create(key_, kChunk, *blobs_).value();
    const Bytes plain = Pattern(2 * kChunk, 6);
    ASSERT_TRUE(sealer.Write(plain));
    auto sealed = sealer.Finish().value();
    SealedFile wrong_size = sealed;
    wrong_size.size += 1;
    EXPECT_EQ(
        OpenSealedFile(*blobs_, key_, kChunk, wrong_size, {}).error().code,
        ErrorCode::kUnauthenticated
    );
    SealedFile missing = sealed;
    missing.encrypted_sha256 = std::string(64, 'b');
    EXPECT_EQ(
        OpenSealedFile(*blobs_, key_, kChunk, missing, {}).error().code, ErrorCode::kNotFound
    );
    EXPECT_TRUE(OpenSealedFile(*blobs_, key_, kChunk, sealed, {}));
}

TEST_F(EvidenceStreamTest, ASinkErrorStopsTheOpening) {
    auto sealer = FileSealer::Create(key_, kChunk, *blobs_).value();
    ASSERT_TRUE(sealer.Write(Pattern(3 * kChunk, 7)));
    auto sealed = sealer.Finish().value();
    int calls = 0;
    auto opened = OpenSealedFile(*blobs_, key_, kChunk, sealed, [&](ByteSpan) -> Result<void> {
        ++calls;
        return MakeError(ErrorCode::kUnavailable, "disk full");
    });
    ASSERT_FALSE(opened);
    EXPECT_EQ(opened.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(calls, 1);
}

TEST_F(EvidenceStreamTest, AReaderHandsOutTheFileInPiecesOfAnySizeAndThenEnds) {
    const Bytes plain = Pattern(4 * kChunk + 321, 8);
    auto sealer = FileSealer::Create(key_, kChunk, *blobs_).value();
    ASSERT_TRUE(sealer.Write(plain));
    const SealedFile sealed = sealer.Finish().value();
    auto reader = SealedFileReader::Open(*blobs_, key_, kChunk, sealed);
    ASSERT_TRUE(reader) << reader.error().ToString();
    EXPECT_EQ(reader->Size(), plain.size());
    Bytes back;
    Bytes buffer(1000);  // smaller than a chunk, not a divisor of it
    while (true) {
        auto n = reader->Read(buffer);
        ASSERT_TRUE(n) << n.error().ToString();
        if (*n == 0) {
            break;
        }
        back.insert(back.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(*n));
    }
    EXPECT_EQ(back, plain);
    EXPECT_EQ(reader->Read(buffer).value(), 0U);  // stays at the end
}

TEST_F(EvidenceStreamTest, AReaderReleasesNothingOfTheLastChunkWhoseHashDiffers) {
    const Bytes plain = Pattern(2 * kChunk + 10, 9);
    const Bytes sealed = SealInMemory(key_, plain);
    const auto layout = ChunkLayout::Create(plain.size(), kChunk).value();
    std::size_t position = 0;
    SealedRead read = [&](std::span<std::uint8_t> out) -> Result<bool> {
        if (sealed.size() - position < out.size()) {
            return false;
        }
        std::memcpy(out.data(), sealed.data() + position, out.size());
        position += out.size();
        return true;
    };
    // Every chunk authenticates, but the manifest's hash is of another file.
    auto reader =
        SealedFileReader::FromStream(read, key_, layout, HexEncode(crypto::Sha256(Bytes{1, 2})))
            .value();
    Bytes got;
    Bytes buffer(kChunk);
    Result<std::size_t> n = std::size_t{0};
    while ((n = reader.Read(buffer)) && *n > 0) {
        got.insert(got.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(*n));
    }
    ASSERT_FALSE(n);
    EXPECT_EQ(n.error().code, ErrorCode::kCorruption);
    EXPECT_EQ(got, Bytes(plain.begin(), plain.begin() + 2 * kChunk));     // not the last chunk
    EXPECT_EQ(reader.Read(buffer).error().code, ErrorCode::kCorruption);  // and it stays failed
}

}  // namespace
}  // namespace concord::app
