#include "concord/crypto/ed25519.hpp"

#include <algorithm>

#include <gtest/gtest.h>

#include "concord/crypto/random.hpp"

#include "crypto_test_util.hpp"

namespace concord::crypto {
namespace {

using testing::Hex;

// RFC 8032 §7.1, TEST 1 (empty message).
constexpr std::string_view kRfcSeed =
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
constexpr std::string_view kRfcPublic =
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
constexpr std::string_view kRfcSignature =
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b4"
    "6bd25bf5f0595bbe24655141438e7a100b";

// The group order L = 2^252 + 27742317777372353535851937790883648493, little-endian.
constexpr std::array<std::uint8_t, 32> kOrderL = {
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
};

Signature ToSignature(const Bytes& b) {
    Signature s{};
    EXPECT_EQ(b.size(), s.size());
    std::copy_n(b.begin(), std::min(b.size(), s.size()), s.begin());
    return s;
}

TEST(Ed25519, SignVerifyRoundTrip) {
    const SigningKey key = SigningKey::Generate();
    const Bytes message = RandomBytes(100);
    const Signature sig = key.Sign(message);
    EXPECT_TRUE(Verify(key.PublicKey(), message, sig).has_value());
    EXPECT_TRUE(Verify(key.PublicKey(), message, ByteSpan(sig)).has_value());
}

TEST(Ed25519, Rfc8032TestVector1) {
    auto key = SigningKey::FromSeed(Hex(kRfcSeed));
    ASSERT_TRUE(key.has_value());
    const auto& pk = key->PublicKey().Bytes();
    EXPECT_EQ(Bytes(pk.begin(), pk.end()), Hex(kRfcPublic));
    const Signature sig = key->Sign({});
    EXPECT_EQ(Bytes(sig.begin(), sig.end()), Hex(kRfcSignature));

    auto public_key = PublicKey::FromBytes(Hex(kRfcPublic));
    ASSERT_TRUE(public_key.has_value());
    EXPECT_TRUE(Verify(*public_key, {}, ToSignature(Hex(kRfcSignature))).has_value());
}

TEST(Ed25519, TamperedMessageOrSignatureIsRejected) {
    const SigningKey key = SigningKey::Generate();
    Bytes message = ToBytes("transfer 10 to alice");
    Signature sig = key.Sign(message);

    Bytes other_message = message;
    other_message.back() ^= 0x01;
    auto r = Verify(key.PublicKey(), other_message, sig);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);

    for (std::size_t i : {std::size_t{0}, std::size_t{31}, std::size_t{32}, std::size_t{63}}) {
        Signature bad = sig;
        bad[i] ^= 0x04;
        auto rb = Verify(key.PublicKey(), message, bad);
        ASSERT_FALSE(rb.has_value()) << "byte " << i;
        EXPECT_EQ(rb.error().code, ErrorCode::kUnauthenticated);
    }

    const SigningKey other = SigningKey::Generate();
    EXPECT_FALSE(Verify(other.PublicKey(), message, sig).has_value());
}

TEST(Ed25519, NonCanonicalSIsRejected) {
    // S + L is congruent to S; lenient verifiers (reducing S mod L) would accept it.
    auto key = SigningKey::FromSeed(Hex(kRfcSeed));
    ASSERT_TRUE(key.has_value());
    const Bytes message = ToBytes("malleability");
    Signature sig = key->Sign(message);
    ASSERT_TRUE(Verify(key->PublicKey(), message, sig).has_value());
    unsigned carry = 0;
    for (std::size_t i = 0; i < 32; ++i) {
        const unsigned sum = unsigned{sig[32 + i]} + kOrderL[i] + carry;
        sig[32 + i] = static_cast<std::uint8_t>(sum);
        carry = sum >> 8;
    }
    ASSERT_EQ(carry, 0u);  // S < L < 2^253, so S + L < 2^254 fits
    auto r = Verify(key->PublicKey(), message, sig);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
}

TEST(Ed25519, SmallOrderAndNonCanonicalPublicKeysAreRejected) {
    const char* const bad_keys[] = {
        // identity (0, 1): order 1
        "0100000000000000000000000000000000000000000000000000000000000000",
        // (0, -1): order 2
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        // y = 0 encodes points of order 4
        "0000000000000000000000000000000000000000000000000000000000000000",
        // y = p + 1: a non-canonical encoding of the identity
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        // y = 2^255 - 1 >= p: not canonical
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    };
    for (const char* hex : bad_keys) {
        auto r = PublicKey::FromBytes(Hex(hex));
        ASSERT_FALSE(r.has_value()) << hex;
        EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << hex;
    }
    const SigningKey key = SigningKey::Generate();
    auto good = PublicKey::FromBytes(key.PublicKey().Bytes());
    ASSERT_TRUE(good.has_value());
    EXPECT_EQ(*good, key.PublicKey());
}

TEST(Ed25519, WrongLengthsAreInvalidArgument) {
    EXPECT_EQ(PublicKey::FromBytes(Bytes(31)).error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(PublicKey::FromBytes(Bytes(33)).error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(SigningKey::FromSeed(Bytes(31)).error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(SigningKey::FromSeed(Bytes(64)).error().code, ErrorCode::kInvalidArgument);
    const SigningKey key = SigningKey::Generate();
    const Signature sig = key.Sign(AsBytes("m"));
    auto r = Verify(key.PublicKey(), AsBytes("m"), ByteSpan(sig).first(63));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

TEST(Ed25519, SameSeedGivesSameKeyAndDeterministicSignatures) {
    const Bytes seed = RandomBytes(32);
    auto a = SigningKey::FromSeed(seed);
    auto b = SigningKey::FromSeed(seed);
    ASSERT_TRUE(a.has_value() && b.has_value());
    EXPECT_EQ(a->PublicKey(), b->PublicKey());
    EXPECT_EQ(a->Sign(AsBytes("x")), b->Sign(AsBytes("x")));
    EXPECT_EQ(Bytes(a->Seed().Span().begin(), a->Seed().Span().end()), seed);
    EXPECT_NE(SigningKey::Generate().PublicKey(), a->PublicKey());
}

}  // namespace
}  // namespace concord::crypto
