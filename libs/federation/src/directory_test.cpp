#include "concord/federation/directory.hpp"

#include <gtest/gtest.h>

#include "test_util.hpp"

namespace concord::federation {
namespace {

using testing::DirectoryBody;
using testing::MakeIdentity;

class DirectoryTest : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_TRUE(crypto::Initialize()); }
    testing::TestIdentity a_ = MakeIdentity("aa.central", "AA", {"central_authority"});
    testing::TestIdentity b_ = MakeIdentity("bb.poc", "BB", {"point_of_contact_24_7"});
    crypto::SigningKey authority_ = crypto::SigningKey::Generate();
};

TEST_F(DirectoryTest, SignedDirectoryVerifiesUnderATrustedKeyOnly) {
    const std::string body = CanonicalText(DirectoryBody({&a_.entry, &b_.entry}, 7));
    const crypto::SigningKey* keys[] = {&authority_};
    auto signed_text = SignDirectory(body, keys);
    ASSERT_TRUE(signed_text) << signed_text.error().ToString();
    const crypto::PublicKey trusted[] = {authority_.public_key()};
    auto dir = VerifyDirectory(*signed_text, trusted);
    ASSERT_TRUE(dir) << dir.error().ToString();
    EXPECT_EQ(dir->serial, 7u);
    ASSERT_NE(dir->FindNode("bb.poc"), nullptr);
    EXPECT_EQ(dir->FindNode("bb.poc")->signing_key, b_.keys.signing.public_key());
    EXPECT_TRUE(dir->FindNode("aa.central")->HasRole("central_authority"));
    EXPECT_EQ(dir->FindNode("zz"), nullptr);

    const crypto::PublicKey other[] = {crypto::SigningKey::Generate().public_key()};
    EXPECT_EQ(VerifyDirectory(*signed_text, other).error().code, ErrorCode::kUnauthenticated);

    // Changing any byte of the body breaks the signature.
    std::string tampered = *signed_text;
    const auto pos = tampered.find("Authority of bb.poc");
    ASSERT_NE(pos, std::string::npos);
    tampered[pos] = 'a';
    EXPECT_EQ(VerifyDirectory(tampered, trusted).error().code, ErrorCode::kUnauthenticated);
}

TEST_F(DirectoryTest, MalformedEntriesAreNamed) {
    auto check = [&](auto edit, std::string_view expected) {
        auto body = DirectoryBody({&a_.entry, &b_.entry});
        edit(body);
        auto parsed = ParseDirectoryBody(body);
        ASSERT_FALSE(parsed) << expected;
        EXPECT_NE(parsed.error().message.find(expected), std::string::npos)
            << parsed.error().message;
    };
    check([](auto& b) { b["format"] = "x"; }, "format");
    check([](auto& b) { b["serial"] = 0; }, "serial");
    check([](auto& b) { b["issued"] = "2026-11-29"; }, "issued");
    check(
        [](auto& b) {
            b["nodes"].as_array()[1].as_object()["roles"] = boost::json::array{"judge"};
        },
        "nodes[1]: field 'roles': unknown role 'judge'"
    );
    check(
        [](auto& b) { b["nodes"].as_array()[0].as_object()["party"] = "ZZ"; },
        "nodes[0]: party 'ZZ' is not listed"
    );
    check([](auto& b) { b["nodes"].as_array()[0].as_object()["id"] = "Bad Id"; }, "node id");
    check(
        [](auto& b) { b["nodes"].as_array()[0].as_object()["signing_key"] = "AAAA"; }, "signing_key"
    );
    check(
        [](auto& b) { b["nodes"].as_array()[1].as_object()["id"] = "aa.central"; },
        "duplicate node id"
    );
}

}  // namespace
}  // namespace concord::federation
