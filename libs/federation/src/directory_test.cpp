#include "concord/federation/directory.hpp"

#include <boost/json/parse.hpp>
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
    const crypto::PublicKey trusted[] = {authority_.PublicKey()};
    auto dir = VerifyDirectory(*signed_text, trusted);
    ASSERT_TRUE(dir) << dir.error().ToString();
    EXPECT_EQ(dir->serial, 7u);
    ASSERT_NE(dir->FindNode("bb.poc"), nullptr);
    EXPECT_EQ(dir->FindNode("bb.poc")->signing_key, b_.keys.signing.PublicKey());
    EXPECT_TRUE(dir->FindNode("aa.central")->HasRole("central_authority"));
    EXPECT_EQ(dir->FindNode("zz"), nullptr);

    const crypto::PublicKey other[] = {crypto::SigningKey::Generate().PublicKey()};
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

// Issue 13, item 7: a pin or endpoint that could never work is refused when the directory is
// loaded, not found out at the first delivery (which would then retry for ten days).
TEST_F(DirectoryTest, NodesWithoutAUsablePinOrEndpointAreRefusedAtLoad) {
    auto check = [&](auto edit, std::string_view expected) {
        auto body = DirectoryBody({&a_.entry, &b_.entry});
        edit(body["nodes"].as_array()[1].as_object());
        auto parsed = ParseDirectoryBody(body);
        ASSERT_FALSE(parsed) << expected;
        EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
        EXPECT_NE(parsed.error().message.find(expected), std::string::npos)
            << parsed.error().message;
    };
    check([](auto& n) { n.erase("tls_sha256"); }, "nodes[1]: field 'tls_sha256': required");
    check([](auto& n) { n["tls_sha256"] = ""; }, "nodes[1]: field 'tls_sha256': required");
    check([](auto& n) { n["tls_sha256"] = std::string(64, 'g'); }, "64 lower-case hex");
    check([](auto& n) { n["tls_sha256"] = std::string(63, 'a'); }, "64 lower-case hex");
    check([](auto& n) { n["tls_sha256"] = std::string(66, 'a'); }, "64 lower-case hex");
    check([](auto& n) { n["tls_sha256"] = std::string(64, 'A'); }, "64 lower-case hex");
    check([](auto& n) { n["endpoint"] = "http://203.0.113.7:7101"; }, "only for loopback");
    check([](auto& n) { n["endpoint"] = "http://localhost.example:80"; }, "only for loopback");
    check([](auto& n) { n["endpoint"] = "ftp://127.0.0.1"; }, "expected an http(s) URL");
    check([](auto& n) { n["endpoint"] = "https://"; }, "no host");
    check([](auto& n) { n["roles"] = boost::json::array{}; }, "at least one role");
    check([](auto& n) { n.erase("authority"); }, "authority");
    check([](auto& n) { n.erase("endpoint"); }, "endpoint");

    // Loopback over plain HTTP needs no pin; https with a good pin loads.
    auto body = DirectoryBody({&a_.entry, &b_.entry});
    auto& node = body["nodes"].as_array()[1].as_object();
    for (const char* endpoint :
         {"http://127.0.0.1:7101", "http://[::1]:7101", "http://localhost"}) {
        node["endpoint"] = endpoint;
        node.erase("tls_sha256");
        auto parsed = ParseDirectoryBody(body);
        EXPECT_TRUE(parsed) << endpoint << ": " << parsed.error().ToString();
    }
    node["endpoint"] = "https://node.example:7101";
    node["tls_sha256"] = std::string(64, 'f');
    EXPECT_TRUE(ParseDirectoryBody(body));
}

// Issue 13, item 4: who may send what is data of the signed directory.
TEST_F(DirectoryTest, MessagePolicyDefaultsAndIsReadFromTheDirectory) {
    testing::TestIdentity provider = MakeIdentity("bb.provider", "BB", {"service_provider"});
    auto body = DirectoryBody({&a_.entry, &b_.entry, &provider.entry});
    auto dir = ParseDirectoryBody(body);
    ASSERT_TRUE(dir) << dir.error().ToString();
    const NodeEntry& central = *dir->FindNode("aa.central");
    const NodeEntry& poc = *dir->FindNode("bb.poc");
    const NodeEntry& isp = *dir->FindNode("bb.provider");
    EXPECT_TRUE(dir->MayNodeSend(central, "request", "emergency", false));
    EXPECT_TRUE(dir->MayNodeSend(poc, "request", "emergency", false));
    EXPECT_TRUE(dir->MayNodeSend(isp, "response", "emergency", true));
    EXPECT_TRUE(dir->MayNodeSend(isp, "evidence.retrieval", "normal", true));
    auto denied = dir->MayNodeSend(isp, "request", "emergency", false);
    ASSERT_FALSE(denied);
    EXPECT_EQ(denied.error().code, ErrorCode::kPermissionDenied);
    EXPECT_NE(denied.error().message.find("service_provider"), std::string::npos);
    EXPECT_FALSE(dir->MayNodeSend(isp, "request", "normal", false));
    EXPECT_FALSE(dir->MayNodeSend(isp, "response", "normal", false));  // answers only
    EXPECT_FALSE(dir->MayNodeSend(central, "no.such.type", "normal", false));

    // A directory's own table replaces the default.
    body["message_policy"] = boost::json::parse(
        R"([{"type":"request","roles":["service_provider"],"emergency_roles":[]}])"
    );
    dir = ParseDirectoryBody(body);
    ASSERT_TRUE(dir) << dir.error().ToString();
    EXPECT_TRUE(dir->MayNodeSend(*dir->FindNode("bb.provider"), "request", "normal", false));
    EXPECT_FALSE(dir->MayNodeSend(*dir->FindNode("bb.provider"), "request", "emergency", false));
    EXPECT_FALSE(dir->MayNodeSend(*dir->FindNode("aa.central"), "request", "normal", false));

    auto refused = [&](std::string_view policy, std::string_view expected) {
        body["message_policy"] = boost::json::parse(policy);
        auto parsed = ParseDirectoryBody(body);
        ASSERT_FALSE(parsed) << policy;
        EXPECT_NE(parsed.error().message.find(expected), std::string::npos)
            << parsed.error().message;
    };
    refused(R"([{"type":"request","roles":["judge"]}])", "unknown role 'judge'");
    refused(R"([{"type":"Request","roles":[]}])", "field 'type'");
    refused(
        R"([{"type":"x","roles":["central_authority"],"emergency_roles":["service_provider"]}])",
        "is not in 'roles'"
    );
    refused(R"([{"type":"x","roles":[]},{"type":"x","roles":[]}])", "duplicate type 'x'");
    refused(R"([{"type":"x","roles":[],"extra":1}])", "unknown field 'extra'");
    refused(R"({"type":"x"})", "expected an array");
}

}  // namespace
}  // namespace concord::federation
