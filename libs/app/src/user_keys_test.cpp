#include "concord/app/user_keys.hpp"

#include <gtest/gtest.h>

#include "approval_test_util.hpp"

namespace concord::app {
namespace {

using testing::StoreTest;

class UserKeysTest : public StoreTest {
protected:
    crypto::SigningKey node_key_ = crypto::SigningKey::Generate();
};

TEST_P(UserKeysTest, CreatesAKeyOnFirstUseAndKeepsIt) {
    UserKeys keys(node_key_);
    auto tx = Begin();
    auto alice = keys.PublicKeyFor(*tx, "alice");
    ASSERT_TRUE(alice) << alice.error().ToString();
    auto bob = keys.PublicKeyFor(*tx, "bob");
    ASSERT_TRUE(bob);
    EXPECT_FALSE(*alice == *bob);
    ASSERT_TRUE(tx->Commit());

    // The same key in a later transaction, and from another instance on the same node key.
    tx = Begin();
    UserKeys again(node_key_);
    auto alice_again = again.PublicKeyFor(*tx, "alice");
    ASSERT_TRUE(alice_again) << alice_again.error().ToString();
    EXPECT_EQ(*alice_again, *alice);
    auto signature = again.Sign(*tx, "alice", AsBytes("message"));
    ASSERT_TRUE(signature);
    EXPECT_TRUE(crypto::Verify(*alice, AsBytes("message"), *signature));
    auto rows = tx->Query("SELECT COUNT(*) FROM app_user_keys");
    ASSERT_TRUE(rows);
    EXPECT_EQ(rows->front().Int(0), 2);
}

TEST_P(UserKeysTest, TheStoredSeedIsSealedAndBoundToItsRow) {
    UserKeys keys(node_key_);
    auto tx = Begin();
    auto alice = keys.KeyFor(*tx, "alice");
    ASSERT_TRUE(alice);
    ASSERT_TRUE(keys.KeyFor(*tx, "bob"));
    auto rows = tx->Query("SELECT sealed_seed FROM app_user_keys WHERE login = 'alice'");
    ASSERT_TRUE(rows);
    const Bytes& sealed = rows->front().Blob(0);
    EXPECT_EQ(sealed.size(), 24u + 32u + 16u);
    const ByteSpan seed = alice->Seed().Span();
    EXPECT_EQ(std::search(sealed.begin(), sealed.end(), seed.begin(), seed.end()), sealed.end())
        << "the seed is stored in clear";

    // Bob's sealed seed copied into Alice's row does not open as Alice's key.
    ASSERT_TRUE(tx->Execute(
        "UPDATE app_user_keys SET sealed_seed = (SELECT sealed_seed FROM app_user_keys WHERE "
        "login = 'bob') WHERE login = 'alice'"
    ));
    auto swapped = keys.KeyFor(*tx, "alice");
    ASSERT_FALSE(swapped);
    EXPECT_EQ(swapped.error().code, ErrorCode::kUnauthenticated);
}

TEST_P(UserKeysTest, AnotherNodeKeyCannotOpenTheStoredKeys) {
    auto tx = Begin();
    ASSERT_TRUE(UserKeys(node_key_).KeyFor(*tx, "alice"));
    auto other = UserKeys(crypto::SigningKey::Generate()).KeyFor(*tx, "alice");
    ASSERT_FALSE(other);
    EXPECT_EQ(other.error().code, ErrorCode::kUnauthenticated);
}

TEST_P(UserKeysTest, ReplaceGivesTheUserANewKey) {
    UserKeys keys(node_key_);
    auto tx = Begin();
    auto before = keys.PublicKeyFor(*tx, "alice").value();
    auto replaced = keys.Replace(*tx, "alice");
    ASSERT_TRUE(replaced) << replaced.error().ToString();
    EXPECT_FALSE(*replaced == before);
    EXPECT_EQ(keys.PublicKeyFor(*tx, "alice").value(), *replaced);
}

TEST_P(UserKeysTest, ABadLoginIsRefusedAndWritesNothing) {
    UserKeys keys(node_key_);
    auto tx = Begin();
    for (std::string login :
         {std::string(),
          std::string(65, 'a'),
          std::string("al ice"),
          std::string("al\nice"),
          std::string("alïce")}) {
        auto key = keys.KeyFor(*tx, login);
        ASSERT_FALSE(key) << login;
        EXPECT_EQ(key.error().code, ErrorCode::kInvalidArgument);
    }
    EXPECT_TRUE(keys.KeyFor(*tx, std::string(64, 'a')));
    EXPECT_TRUE(keys.KeyFor(*tx, "first.last-2@unit_x"));
    auto rows = tx->Query("SELECT COUNT(*) FROM app_user_keys");
    ASSERT_TRUE(rows);
    EXPECT_EQ(rows->front().Int(0), 2);
}

TEST_P(UserKeysTest, AKeyCreatedInARolledBackTransactionIsGone) {
    UserKeys keys(node_key_);
    crypto::PublicKey first;
    {
        auto tx = Begin();
        first = keys.PublicKeyFor(*tx, "alice").value();
        tx->Rollback();
    }
    auto tx = Begin();
    EXPECT_FALSE(keys.PublicKeyFor(*tx, "alice").value() == first);
}

INSTANTIATE_TEST_SUITE_P(
    Backends,
    UserKeysTest,
    ::testing::Values("sqlite", "postgres"),
    [](const auto& param_info) { return std::string(param_info.param); }
);

}  // namespace
}  // namespace concord::app
