#include <set>
#include <utility>

#include <gtest/gtest.h>

#include "concord/crypto/base64.hpp"
#include "concord/crypto/compare.hpp"
#include "concord/crypto/init.hpp"
#include "concord/crypto/random.hpp"
#include "concord/crypto/secret_bytes.hpp"

namespace concord::crypto {
namespace {

TEST(Initialize, IsIdempotent) {
    EXPECT_TRUE(Initialize().has_value());
    EXPECT_TRUE(Initialize().has_value());
}

// RFC 4648 §10.
TEST(Base64, Rfc4648Vectors) {
    const std::pair<const char*, const char*> vectors[] = {
        {"", ""},
        {"f", "Zg=="},
        {"fo", "Zm8="},
        {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="},
        {"fooba", "Zm9vYmE="},
        {"foobar", "Zm9vYmFy"},
    };
    for (const auto& [plain, encoded] : vectors) {
        EXPECT_EQ(Base64Encode(AsBytes(plain)), encoded);
        auto decoded = Base64Decode(encoded);
        ASSERT_TRUE(decoded.has_value()) << encoded;
        EXPECT_EQ(*decoded, ToBytes(plain));
    }
}

TEST(Base64, RoundTripsRandomData) {
    for (std::size_t n = 0; n < 70; ++n) {
        const Bytes data = RandomBytes(n);
        const std::string text = Base64Encode(data);
        EXPECT_EQ(text.size() % 4, 0u);
        auto back = Base64Decode(text);
        ASSERT_TRUE(back.has_value()) << text;
        EXPECT_EQ(*back, data);
    }
    const Bytes all_values = [] {
        Bytes b;
        for (int i = 0; i < 256; ++i) {
            b.push_back(static_cast<std::uint8_t>(i));
        }
        return b;
    }();
    EXPECT_EQ(Base64Decode(Base64Encode(all_values)).value(), all_values);
}

TEST(Base64, RejectsNonStrictInput) {
    const char* const bad[] = {
        "Zg",            // missing padding
        "Zg=",           // short padding
        "Zg===",         // too much padding
        "Zm9vYg==x",     // trailing garbage
        "Zm9vYg==Zg==",  // data after padding
        "Zh==",          // non-zero bits after the last byte
        "Zm9v\n",        // whitespace
        " Zm9v",
        "Zm 9v",
        "Zm9v!A==",  // not in the alphabet
        "-_-_",      // URL-safe alphabet
        "=",
        "====",
    };
    for (const char* text : bad) {
        auto r = Base64Decode(text);
        ASSERT_FALSE(r.has_value()) << '"' << text << '"';
        EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    }
}

TEST(ConstantTimeEqual, ComparesContentsAndLengths) {
    const Bytes a = ToBytes("0123456789abcdef");
    Bytes b = a;
    EXPECT_TRUE(ConstantTimeEqual(a, b));
    b.back() ^= 0x01;
    EXPECT_FALSE(ConstantTimeEqual(a, b));
    b = a;
    b.front() ^= 0x80;
    EXPECT_FALSE(ConstantTimeEqual(a, b));
    EXPECT_FALSE(ConstantTimeEqual(a, ByteSpan(a).first(15)));
    EXPECT_FALSE(ConstantTimeEqual({}, a));
    EXPECT_TRUE(ConstantTimeEqual({}, {}));
}

TEST(Random, UniformStaysInBoundsAndCoversRange) {
    for (int i = 0; i < 100; ++i) {
        EXPECT_EQ(RandomUniform(1), 0u);
    }
    std::set<std::uint32_t> seen;
    for (int i = 0; i < 2000; ++i) {
        const std::uint32_t v = RandomUniform(10);
        ASSERT_LT(v, 10u);
        seen.insert(v);
    }
    EXPECT_EQ(seen.size(), 10u);  // each value missed with probability 0.9^2000
    const std::uint32_t big = 0xffffffffu;
    for (int i = 0; i < 100; ++i) {
        ASSERT_LT(RandomUniform(big), big);
    }
}

TEST(Random, BytesHaveRequestedSizeAndDiffer) {
    EXPECT_TRUE(RandomBytes(0).empty());
    const Bytes a = RandomBytes(32);
    const Bytes b = RandomBytes(32);
    EXPECT_EQ(a.size(), 32u);
    EXPECT_NE(a, b);
    Bytes zeros(64);
    RandomFill(zeros);
    EXPECT_NE(zeros, Bytes(64));
}

TEST(SecretBytes, AllocatesZeroedAndCopies) {
    const SecretBytes zeroed(48);
    ASSERT_EQ(zeroed.Size(), 48u);
    EXPECT_EQ(Bytes(zeroed.Span().begin(), zeroed.Span().end()), Bytes(48));
    const Bytes data = ToBytes("key material");
    const SecretBytes copy = SecretBytes::CopyFrom(data);
    EXPECT_EQ(Bytes(copy.Span().begin(), copy.Span().end()), data);
    EXPECT_TRUE(SecretBytes().Empty());
    EXPECT_TRUE(SecretBytes::CopyFrom({}).Empty());
}

TEST(SecretBytes, MoveTransfersOwnership) {
    SecretBytes a = SecretBytes::CopyFrom(ToBytes("abc"));
    const std::uint8_t* p = a.Data();
    SecretBytes b(std::move(a));
    EXPECT_EQ(b.Data(), p);
    EXPECT_EQ(b.Size(), 3u);
    EXPECT_TRUE(a.Empty());  // NOLINT(bugprone-use-after-move): the moved-from state is specified
    SecretBytes c = SecretBytes::CopyFrom(ToBytes("xy"));
    c = std::move(b);
    EXPECT_EQ(c.Data(), p);
    EXPECT_EQ(ToString(c.Span()), "abc");
    c.MutableSpan()[0] = 'z';
    EXPECT_EQ(ToString(c.Span()), "zbc");
}

}  // namespace
}  // namespace concord::crypto
