#include "concord/crypto/box.hpp"

#include <gtest/gtest.h>

#include "concord/crypto/random.hpp"

namespace concord::crypto {
namespace {

constexpr std::size_t kOverhead = 24 + 16;

TEST(Box, SealOpenRoundTrip) {
    const BoxKeyPair alice = BoxKeyPair::Generate();
    const BoxKeyPair bob = BoxKeyPair::Generate();
    const Bytes plaintext = RandomBytes(1000);
    const Bytes ad = ToBytes("federation/v1 message 42");
    auto sealed = BoxSeal(plaintext, ad, bob.PublicKey(), alice);
    ASSERT_TRUE(sealed.has_value());
    EXPECT_EQ(sealed->size(), plaintext.size() + kOverhead);
    auto opened = BoxOpen(*sealed, ad, alice.PublicKey(), bob);
    ASSERT_TRUE(opened.has_value()) << opened.error().message;
    EXPECT_EQ(*opened, plaintext);
}

TEST(Box, EmptyPlaintextAndAssociatedDataRoundTrip) {
    const BoxKeyPair alice = BoxKeyPair::Generate();
    const BoxKeyPair bob = BoxKeyPair::Generate();
    auto sealed = BoxSeal({}, {}, bob.PublicKey(), alice);
    ASSERT_TRUE(sealed.has_value());
    EXPECT_EQ(sealed->size(), kOverhead);
    auto opened = BoxOpen(*sealed, {}, alice.PublicKey(), bob);
    ASSERT_TRUE(opened.has_value());
    EXPECT_TRUE(opened->empty());
}

TEST(Box, NoncesAreFresh) {
    const BoxKeyPair alice = BoxKeyPair::Generate();
    const BoxKeyPair bob = BoxKeyPair::Generate();
    auto a = BoxSeal(AsBytes("same"), {}, bob.PublicKey(), alice);
    auto b = BoxSeal(AsBytes("same"), {}, bob.PublicKey(), alice);
    ASSERT_TRUE(a.has_value() && b.has_value());
    EXPECT_NE(Bytes(a->begin(), a->begin() + 24), Bytes(b->begin(), b->begin() + 24));
    EXPECT_NE(*a, *b);
}

TEST(Box, WrongAssociatedDataSenderOrBitFlipIsUnauthenticated) {
    const BoxKeyPair alice = BoxKeyPair::Generate();
    const BoxKeyPair bob = BoxKeyPair::Generate();
    const BoxKeyPair mallory = BoxKeyPair::Generate();
    const Bytes ad = ToBytes("ad");
    auto sealed = BoxSeal(AsBytes("secret"), ad, bob.PublicKey(), alice);
    ASSERT_TRUE(sealed.has_value());

    auto wrong_ad = BoxOpen(*sealed, AsBytes("ae"), alice.PublicKey(), bob);
    ASSERT_FALSE(wrong_ad.has_value());
    EXPECT_EQ(wrong_ad.error().code, ErrorCode::kUnauthenticated);

    auto wrong_sender = BoxOpen(*sealed, ad, mallory.PublicKey(), bob);
    ASSERT_FALSE(wrong_sender.has_value());
    EXPECT_EQ(wrong_sender.error().code, ErrorCode::kUnauthenticated);

    auto wrong_recipient = BoxOpen(*sealed, ad, alice.PublicKey(), mallory);
    ASSERT_FALSE(wrong_recipient.has_value());
    EXPECT_EQ(wrong_recipient.error().code, ErrorCode::kUnauthenticated);

    for (std::size_t i = 0; i < sealed->size(); ++i) {
        Bytes flipped = *sealed;
        flipped[i] ^= 0x80;
        auto r = BoxOpen(flipped, ad, alice.PublicKey(), bob);
        ASSERT_FALSE(r.has_value()) << "byte " << i;
        EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated) << "byte " << i;
    }
}

TEST(Box, ShortInputIsInvalidArgument) {
    const BoxKeyPair alice = BoxKeyPair::Generate();
    const BoxKeyPair bob = BoxKeyPair::Generate();
    for (std::size_t n : {std::size_t{0}, std::size_t{24}, kOverhead - 1}) {
        auto r = BoxOpen(Bytes(n), {}, alice.PublicKey(), bob);
        ASSERT_FALSE(r.has_value()) << n;
        EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << n;
    }
}

TEST(Box, SmallOrderRecipientIsInvalidArgument) {
    const BoxKeyPair alice = BoxKeyPair::Generate();
    const BoxPublicKey zero{};  // the X25519 point of order 1 (u = 0)
    auto r = BoxSeal(AsBytes("x"), {}, zero, alice);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

TEST(BoxKeyPair, FromSecretRebuildsThePublicKey) {
    const BoxKeyPair a = BoxKeyPair::Generate();
    auto b = BoxKeyPair::FromSecret(a.Secret().Span());
    ASSERT_TRUE(b.has_value());
    EXPECT_EQ(b->PublicKey(), a.PublicKey());
    EXPECT_EQ(BoxKeyPair::FromSecret(Bytes(31)).error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace concord::crypto
