#include "concord/crypto/secret_box.hpp"

#include <gtest/gtest.h>

#include "concord/crypto/random.hpp"

namespace concord::crypto {
namespace {

SecretBytes RandomKey() {
    const Bytes bytes = RandomBytes(32);
    return SecretBytes::CopyFrom(bytes);
}

Bytes Copy(const SecretBytes& s) {
    return Bytes(s.Data(), s.Data() + s.Size());
}

TEST(SecretBox, SealOpenRoundTripWithAssociatedData) {
    const SecretBytes key = RandomKey();
    const Bytes plaintext = RandomBytes(20);
    const Bytes ad = ToBytes("user:alice");
    auto sealed = SecretSeal(plaintext, ad, key);
    ASSERT_TRUE(sealed) << sealed.error().message;
    EXPECT_EQ(sealed->size(), plaintext.size() + 40);
    auto opened = SecretOpen(*sealed, ad, key);
    ASSERT_TRUE(opened) << opened.error().message;
    EXPECT_EQ(Copy(*opened), plaintext);
    // A fresh nonce each time: the same plaintext seals differently.
    EXPECT_NE(*SecretSeal(plaintext, ad, key), *sealed);
}

TEST(SecretBox, EmptyPlaintextRoundTrips) {
    const SecretBytes key = RandomKey();
    auto sealed = SecretSeal({}, {}, key);
    ASSERT_TRUE(sealed);
    auto opened = SecretOpen(*sealed, {}, key);
    ASSERT_TRUE(opened);
    EXPECT_TRUE(opened->Empty());
}

TEST(SecretBox, DamageWrongKeyOrWrongAssociatedDataIsRefused) {
    const SecretBytes key = RandomKey();
    const Bytes ad = ToBytes("user:alice");
    const Bytes sealed = *SecretSeal(ToBytes("secret"), ad, key);
    for (std::size_t i = 0; i < sealed.size(); ++i) {
        Bytes damaged = sealed;
        damaged[i] ^= 0x01;
        auto opened = SecretOpen(damaged, ad, key);
        ASSERT_FALSE(opened) << i;
        EXPECT_EQ(opened.error().code, ErrorCode::kUnauthenticated);
    }
    EXPECT_EQ(
        SecretOpen(sealed, ToBytes("user:bob"), key).error().code, ErrorCode::kUnauthenticated
    );
    EXPECT_EQ(SecretOpen(sealed, ad, RandomKey()).error().code, ErrorCode::kUnauthenticated);
    EXPECT_EQ(
        SecretOpen(Bytes(sealed.begin(), sealed.begin() + 39), ad, key).error().code,
        ErrorCode::kInvalidArgument
    );
    EXPECT_EQ(
        SecretSeal({}, {}, SecretBytes::CopyFrom(RandomBytes(16))).error().code,
        ErrorCode::kInvalidArgument
    );
}

TEST(SecretBox, SubkeysAreDeterministicAndDifferByContextAndId) {
    const SecretBytes master = RandomKey();
    const Bytes a = Copy(*DeriveSubkey(master, "totp-key", 1));
    EXPECT_EQ(a.size(), 32u);
    EXPECT_EQ(Copy(*DeriveSubkey(master, "totp-key", 1)), a);
    EXPECT_NE(Copy(*DeriveSubkey(master, "totp-key", 2)), a);
    EXPECT_NE(Copy(*DeriveSubkey(master, "other-ky", 1)), a);
    EXPECT_NE(Copy(*DeriveSubkey(RandomKey(), "totp-key", 1)), a);
    EXPECT_NE(a, Copy(master));
    EXPECT_EQ(DeriveSubkey(master, "short", 1).error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(
        DeriveSubkey(SecretBytes::CopyFrom(RandomBytes(31)), "totp-key", 1).error().code,
        ErrorCode::kInvalidArgument
    );
}

}  // namespace
}  // namespace concord::crypto
