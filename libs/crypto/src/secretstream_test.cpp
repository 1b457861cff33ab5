#include "concord/crypto/secretstream.hpp"

#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "concord/crypto/random.hpp"

namespace concord::crypto {
namespace {

struct Stream {
    std::array<std::uint8_t, kStreamHeaderBytes> header{};
    std::vector<Bytes> plaintexts;
    std::vector<Bytes> chunks;
};

Stream Encrypt(const SecretBytes& key, std::size_t n_chunks) {
    auto enc = StreamEncryptor::Create(key);
    EXPECT_TRUE(enc.has_value());
    Stream s;
    s.header = enc->Header();
    for (std::size_t i = 0; i < n_chunks; ++i) {
        s.plaintexts.push_back(RandomBytes(i * 37));  // the first chunk is empty
        s.chunks.push_back(enc->Push(s.plaintexts.back(), i + 1 == n_chunks));
        EXPECT_EQ(s.chunks.back().size(), s.plaintexts.back().size() + kStreamChunkOverhead);
    }
    return s;
}

StreamDecryptor Decryptor(const SecretBytes& key, const Stream& s) {
    auto dec = StreamDecryptor::Create(key, s.header);
    EXPECT_TRUE(dec.has_value());
    return std::move(*dec);
}

TEST(SecretStream, MultiChunkRoundTrip) {
    const SecretBytes key = GenerateStreamKey();
    const Stream s = Encrypt(key, 5);
    StreamDecryptor dec = Decryptor(key, s);
    for (std::size_t i = 0; i < s.chunks.size(); ++i) {
        EXPECT_FALSE(dec.Finished());
        auto pt = dec.Pull(s.chunks[i]);
        ASSERT_TRUE(pt.has_value()) << "chunk " << i;
        EXPECT_EQ(*pt, s.plaintexts[i]);
    }
    EXPECT_TRUE(dec.Finished());
}

TEST(SecretStream, TruncatedStreamIsNotFinished) {
    const SecretBytes key = GenerateStreamKey();
    const Stream s = Encrypt(key, 4);
    StreamDecryptor dec = Decryptor(key, s);
    for (std::size_t i = 0; i + 1 < s.chunks.size(); ++i) {
        ASSERT_TRUE(dec.Pull(s.chunks[i]).has_value());
    }
    EXPECT_FALSE(dec.Finished());
}

TEST(SecretStream, ReorderedChunkIsUnauthenticated) {
    const SecretBytes key = GenerateStreamKey();
    const Stream s = Encrypt(key, 3);
    StreamDecryptor dec = Decryptor(key, s);
    auto r = dec.Pull(s.chunks[1]);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
    // A rejected chunk leaves the state intact: the right one still decrypts.
    EXPECT_TRUE(dec.Pull(s.chunks[0]).has_value());
}

TEST(SecretStream, AlteredChunkIsUnauthenticated) {
    const SecretBytes key = GenerateStreamKey();
    const Stream s = Encrypt(key, 3);
    for (std::size_t byte : {std::size_t{0}, std::size_t{20}, s.chunks[2].size() - 1}) {
        StreamDecryptor dec = Decryptor(key, s);
        ASSERT_TRUE(dec.Pull(s.chunks[0]).has_value());
        ASSERT_TRUE(dec.Pull(s.chunks[1]).has_value());
        Bytes bad = s.chunks[2];
        bad[byte] ^= 0x01;
        auto r = dec.Pull(bad);
        ASSERT_FALSE(r.has_value()) << "byte " << byte;
        EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
        EXPECT_FALSE(dec.Finished());
    }
}

TEST(SecretStream, ShortChunkIsUnauthenticated) {
    const SecretBytes key = GenerateStreamKey();
    const Stream s = Encrypt(key, 1);
    StreamDecryptor dec = Decryptor(key, s);
    auto r = dec.Pull(ByteSpan(s.chunks[0]).first(kStreamChunkOverhead - 1));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
}

TEST(SecretStream, ChunkAfterFinalIsRejected) {
    const SecretBytes key = GenerateStreamKey();
    auto enc = StreamEncryptor::Create(key);
    ASSERT_TRUE(enc.has_value());
    const Bytes last = enc->Push(AsBytes("last"), true);
    const Bytes extra = enc->Push(AsBytes("smuggled"), false);
    auto dec = StreamDecryptor::Create(key, enc->Header());
    ASSERT_TRUE(dec.has_value());
    ASSERT_TRUE(dec->Pull(last).has_value());
    ASSERT_TRUE(dec->Finished());
    auto r = dec->Pull(extra);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    auto replay = dec->Pull(last);
    ASSERT_FALSE(replay.has_value());
    EXPECT_EQ(replay.error().code, ErrorCode::kInvalidArgument);
}

TEST(SecretStream, WrongKeyOrHeaderIsUnauthenticated) {
    const SecretBytes key = GenerateStreamKey();
    const Stream s = Encrypt(key, 2);
    StreamDecryptor wrong_key = Decryptor(GenerateStreamKey(), s);
    EXPECT_EQ(wrong_key.Pull(s.chunks[0]).error().code, ErrorCode::kUnauthenticated);

    Stream other_header = s;
    other_header.header[0] ^= 0x01;
    StreamDecryptor wrong_header = Decryptor(key, other_header);
    EXPECT_EQ(wrong_header.Pull(s.chunks[0]).error().code, ErrorCode::kUnauthenticated);
}

TEST(SecretStream, BadKeyOrHeaderSizeIsInvalidArgument) {
    const SecretBytes short_key(16);
    EXPECT_EQ(StreamEncryptor::Create(short_key).error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(
        StreamDecryptor::Create(short_key, Bytes(kStreamHeaderBytes)).error().code,
        ErrorCode::kInvalidArgument
    );
    EXPECT_EQ(
        StreamDecryptor::Create(GenerateStreamKey(), Bytes(kStreamHeaderBytes - 1)).error().code,
        ErrorCode::kInvalidArgument
    );
}

TEST(SecretStream, MovedEncryptorContinuesTheStream) {
    const SecretBytes key = GenerateStreamKey();
    auto enc = StreamEncryptor::Create(key);
    ASSERT_TRUE(enc.has_value());
    const Bytes c0 = enc->Push(AsBytes("a"), false);
    StreamEncryptor moved = std::move(*enc);
    const Bytes c1 = moved.Push(AsBytes("b"), true);
    auto dec = StreamDecryptor::Create(key, moved.Header());
    ASSERT_TRUE(dec.has_value());
    EXPECT_EQ(dec->Pull(c0).value(), ToBytes("a"));
    EXPECT_EQ(dec->Pull(c1).value(), ToBytes("b"));
    EXPECT_TRUE(dec->Finished());
}

TEST(SecretStream, AnEncryptorContinuedAfterPulledChunksPushesWhatTheFirstWouldHave) {
    const SecretBytes key = GenerateStreamKey();
    const Stream s = Encrypt(key, 6);
    for (std::size_t kept = 0; kept < s.chunks.size(); ++kept) {
        StreamDecryptor dec = Decryptor(key, s);
        for (std::size_t i = 0; i < kept; ++i) {
            ASSERT_TRUE(dec.Pull(s.chunks[i]).has_value());
        }
        auto continued = StreamEncryptor::ContinueAfter(dec, s.header);
        ASSERT_TRUE(continued.has_value()) << kept;
        EXPECT_EQ(continued->Header(), s.header);
        for (std::size_t i = kept; i < s.chunks.size(); ++i) {
            // Byte for byte the chunks of the original stream, the final tag included.
            EXPECT_EQ(continued->Push(s.plaintexts[i], i + 1 == s.chunks.size()), s.chunks[i])
                << "kept " << kept << ", chunk " << i;
        }
    }
}

TEST(SecretStream, AFinishedStreamCannotBeContinued) {
    const SecretBytes key = GenerateStreamKey();
    const Stream s = Encrypt(key, 2);
    StreamDecryptor dec = Decryptor(key, s);
    EXPECT_EQ(
        StreamEncryptor::ContinueAfter(dec, AsBytes("short")).error().code,
        ErrorCode::kInvalidArgument
    );
    for (const Bytes& c : s.chunks) {
        ASSERT_TRUE(dec.Pull(c).has_value());
    }
    EXPECT_EQ(
        StreamEncryptor::ContinueAfter(dec, s.header).error().code, ErrorCode::kInvalidArgument
    );
}

}  // namespace
}  // namespace concord::crypto
