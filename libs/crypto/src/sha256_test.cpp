#include "concord/crypto/sha256.hpp"

#include <string>

#include <gtest/gtest.h>

#include "concord/crypto/random.hpp"

#include "crypto_test_util.hpp"

namespace concord::crypto {
namespace {

using testing::Hex;

Bytes ToVec(const Hash256& h) {
    return {h.begin(), h.end()};
}

// FIPS 180-2, Appendix B.1 and B.2, plus the empty message.
TEST(Sha256, MatchesFips180KnownAnswers) {
    EXPECT_EQ(
        ToVec(Sha256(AsBytes("abc"))),
        Hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    );
    EXPECT_EQ(
        ToVec(Sha256(AsBytes(""))),
        Hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    );
    EXPECT_EQ(
        ToVec(Sha256(AsBytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
        Hex("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    );
}

TEST(Sha256, EmptySpanWithNullDataHashesAsEmpty) {
    EXPECT_EQ(
        ToVec(Sha256(ByteSpan{})),
        Hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    );
}

TEST(Sha256Hasher, IncrementalEqualsOneShotOverRandomSplits) {
    const Bytes data = RandomBytes(4096 + 17);
    const Hash256 expected = Sha256(data);
    Sha256Hasher hasher;
    for (int round = 0; round < 50; ++round) {
        std::size_t pos = 0;
        while (pos < data.size()) {
            const std::size_t n =
                std::min<std::size_t>(RandomUniform(300), data.size() - pos);  // may be 0
            hasher.Update(ByteSpan(data).subspan(pos, n));
            pos += n;
        }
        ASSERT_EQ(hasher.Finish(), expected) << "round " << round;
    }
}

TEST(Sha256Hasher, FinishResetsForReuse) {
    Sha256Hasher hasher;
    hasher.Update(AsBytes("garbage that must not leak into the next digest"));
    (void)hasher.Finish();
    EXPECT_EQ(hasher.Update(AsBytes("ab")).Update(AsBytes("c")).Finish(), Sha256(AsBytes("abc")));
    EXPECT_EQ(hasher.Finish(), Sha256(AsBytes("")));
}

TEST(Sha256Hasher, MoveKeepsState) {
    Sha256Hasher a;
    a.Update(AsBytes("a"));
    Sha256Hasher b(std::move(a));
    b.Update(AsBytes("bc"));
    Sha256Hasher c;
    c = std::move(b);
    EXPECT_EQ(c.Finish(), Sha256(AsBytes("abc")));
}

}  // namespace
}  // namespace concord::crypto
