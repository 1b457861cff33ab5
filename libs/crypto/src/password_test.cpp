#include "concord/crypto/password.hpp"

#include <gtest/gtest.h>

#include "concord/crypto/random.hpp"

namespace concord::crypto {
namespace {

TEST(Password, HashThenVerify) {
    auto hash = HashPassword("correct horse", MinimumArgon2Params());
    ASSERT_TRUE(hash.has_value());
    EXPECT_TRUE(hash->starts_with("$argon2id$v=19$")) << *hash;
    EXPECT_TRUE(VerifyPassword("correct horse", *hash).has_value());
}

TEST(Password, HashesAreSalted) {
    auto a = HashPassword("pw", MinimumArgon2Params());
    auto b = HashPassword("pw", MinimumArgon2Params());
    ASSERT_TRUE(a.has_value() && b.has_value());
    EXPECT_NE(*a, *b);
}

TEST(Password, WrongPasswordIsUnauthenticated) {
    auto hash = HashPassword("correct horse", MinimumArgon2Params());
    ASSERT_TRUE(hash.has_value());
    for (std::string_view wrong : {"correct hors", "correct horse ", "", "Correct horse"}) {
        auto r = VerifyPassword(wrong, *hash);
        ASSERT_FALSE(r.has_value()) << wrong;
        EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated) << wrong;
    }
}

TEST(Password, GarbageHashIsInvalidArgument) {
    auto hash = HashPassword("pw", MinimumArgon2Params());
    ASSERT_TRUE(hash.has_value());
    const std::string garbage[] = {
        "",
        "hello",
        "$argon2id$",
        "$argon2id$v=19$m=8,t=1,p=1$!!!$!!!",
        // an Argon2i string: valid for libsodium, but not what we store
        "$argon2i$v=19$m=32,t=2,p=1$c29tZXNhbHQ$ICo9/pIRVHbzwq8sHGoC5w",
        hash->substr(0, hash->size() / 2),
        std::string(200, 'a'),
    };
    for (const std::string& g : garbage) {
        auto r = VerifyPassword("pw", g);
        ASSERT_FALSE(r.has_value()) << g;
        EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << g;
    }
}

TEST(Password, OutOfRangeParamsAreInvalidArgument) {
    Argon2Params too_few_ops = MinimumArgon2Params();
    too_few_ops.ops_limit = 0;
    EXPECT_EQ(HashPassword("pw", too_few_ops).error().code, ErrorCode::kInvalidArgument);
    Argon2Params too_little_mem = MinimumArgon2Params();
    too_little_mem.mem_limit = 1024;
    EXPECT_EQ(HashPassword("pw", too_little_mem).error().code, ErrorCode::kInvalidArgument);
}

TEST(DeriveKey, DeterministicPerSaltAndDistinctAcrossSalts) {
    const Bytes salt = RandomBytes(16);
    Bytes other_salt = salt;
    other_salt[0] ^= 0x01;
    auto a = DeriveKey("passphrase", salt, MinimumArgon2Params());
    auto b = DeriveKey("passphrase", salt, MinimumArgon2Params());
    auto c = DeriveKey("passphrase", other_salt, MinimumArgon2Params());
    auto d = DeriveKey("passphrasf", salt, MinimumArgon2Params());
    ASSERT_TRUE(a.has_value() && b.has_value() && c.has_value() && d.has_value());
    EXPECT_EQ(a->Size(), 32u);
    const Bytes ka(a->Span().begin(), a->Span().end());
    EXPECT_EQ(ka, Bytes(b->Span().begin(), b->Span().end()));
    EXPECT_NE(ka, Bytes(c->Span().begin(), c->Span().end()));
    EXPECT_NE(ka, Bytes(d->Span().begin(), d->Span().end()));
}

TEST(DeriveKey, WrongSaltLengthIsInvalidArgument) {
    for (std::size_t n : {std::size_t{0}, std::size_t{15}, std::size_t{17}}) {
        auto r = DeriveKey("p", Bytes(n), MinimumArgon2Params());
        ASSERT_FALSE(r.has_value()) << n;
        EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    }
}

}  // namespace
}  // namespace concord::crypto
