#include "concord/crypto/secretbox.hpp"

#include <gtest/gtest.h>

#include "concord/crypto/random.hpp"

namespace concord::crypto {
namespace {

SecretBytes Key(std::uint8_t first) {
    Bytes bytes(kSecretKeyBytes);
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        bytes[i] = static_cast<std::uint8_t>(first + i);
    }
    return SecretBytes::CopyFrom(bytes);
}

TEST(DeriveSubkey, IsKeyedBlake2b256OfTheLabel) {
    // Computed independently with Python's hashlib:
    //   hashlib.blake2b(b"concord-test-label", key=bytes(range(32)), digest_size=32).hexdigest()
    auto subkey = DeriveSubkey(Key(0), "concord-test-label");
    ASSERT_TRUE(subkey) << subkey.error().ToString();
    EXPECT_EQ(
        HexEncode(subkey->span()),
        "0bd947b86af90c06bf43fac5f3a34e3a03d174279fab54aba1c4f4d69ff37f70"
    );
}

TEST(DeriveSubkey, SeparatesLabelsAndMastersAndRefusesBadSizes) {
    auto a = DeriveSubkey(Key(0), "purpose-a").value();
    auto b = DeriveSubkey(Key(0), "purpose-b").value();
    auto c = DeriveSubkey(Key(1), "purpose-a").value();
    EXPECT_NE(HexEncode(a.span()), HexEncode(b.span()));
    EXPECT_NE(HexEncode(a.span()), HexEncode(c.span()));
    EXPECT_EQ(HexEncode(a.span()), HexEncode(DeriveSubkey(Key(0), "purpose-a")->span()));
    EXPECT_EQ(DeriveSubkey(SecretBytes(15), "x").error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(DeriveSubkey(SecretBytes(65), "x").error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(DeriveSubkey(Key(0), "").error().code, ErrorCode::kInvalidArgument);
    EXPECT_TRUE(DeriveSubkey(SecretBytes(16), "x"));
    EXPECT_TRUE(DeriveSubkey(SecretBytes(64), "x"));
}

TEST(SecretSeal, RoundTripsAndBindsKeyAndAssociatedData) {
    const Bytes secret = RandomBytes(32);
    const Bytes ad = ToBytes("context");
    auto sealed = SecretSeal(Key(7), secret, ad);
    ASSERT_TRUE(sealed);
    EXPECT_EQ(sealed->size(), 24 + secret.size() + 16);
    auto opened = SecretOpen(Key(7), *sealed, ad);
    ASSERT_TRUE(opened) << opened.error().ToString();
    EXPECT_EQ(HexEncode(opened->span()), HexEncode(secret));
    // Random nonce: sealing twice gives different bytes.
    EXPECT_NE(*sealed, SecretSeal(Key(7), secret, ad).value());

    EXPECT_EQ(SecretOpen(Key(8), *sealed, ad).error().code, ErrorCode::kUnauthenticated);
    EXPECT_EQ(
        SecretOpen(Key(7), *sealed, ToBytes("other")).error().code, ErrorCode::kUnauthenticated
    );
    Bytes flipped = *sealed;
    flipped[30] ^= 1;
    EXPECT_EQ(SecretOpen(Key(7), flipped, ad).error().code, ErrorCode::kUnauthenticated);
    EXPECT_EQ(
        SecretOpen(Key(7), ByteSpan(sealed->data(), 39), ad).error().code,
        ErrorCode::kInvalidArgument
    );
    EXPECT_EQ(SecretSeal(SecretBytes(16), secret, ad).error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(SecretOpen(SecretBytes(16), *sealed, ad).error().code, ErrorCode::kInvalidArgument);
}

TEST(SecretSeal, EmptyPlaintextOpensToEmpty) {
    auto sealed = SecretSeal(Key(3), {}, {}).value();
    EXPECT_EQ(sealed.size(), 40u);
    auto opened = SecretOpen(Key(3), sealed, {});
    ASSERT_TRUE(opened);
    EXPECT_TRUE(opened->empty());
}

}  // namespace
}  // namespace concord::crypto
