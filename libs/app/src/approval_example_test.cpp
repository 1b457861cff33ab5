// Reproduces the worked example of docs/formats/approval.md from the document itself.

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

#include "concord/app/approval.hpp"
#include "concord/core/time.hpp"
#include "concord/crypto/base64.hpp"
#include "concord/crypto/init.hpp"

#include "approval_test_util.hpp"

namespace concord::app {
namespace {

// The fenced blocks of the document whose info string is "<lang> example:<name>", by name.
std::map<std::string, std::string> ExampleBlocks() {
    std::ifstream in(std::filesystem::path(CONCORD_SOURCE_DIR) / "docs/formats/approval.md");
    std::map<std::string, std::string> blocks;
    std::string line;
    std::string name;
    std::string text;
    bool inside = false;
    while (std::getline(in, line)) {
        if (!inside && line.rfind("```", 0) == 0 && line.find(" example:") != std::string::npos) {
            name = line.substr(line.find(" example:") + 9);
            text.clear();
            inside = true;
        } else if (inside && line == "```") {
            if (!text.empty() && text.back() == '\n') {
                text.pop_back();
            }
            blocks[name] = text;
            inside = false;
        } else if (inside) {
            text += line + "\n";
        }
    }
    return blocks;
}

// "name value" lines of a block.
std::map<std::string, std::string> Pairs(const std::string& block) {
    std::map<std::string, std::string> out;
    std::istringstream in(block);
    std::string key;
    std::string value;
    while (in >> key >> value) {
        out[key] = value;
    }
    return out;
}

TEST(ApprovalExampleTest, DocumentedExampleReproducesAndVerifies) {
    ASSERT_TRUE(crypto::Initialize());
    auto blocks = ExampleBlocks();
    for (const char* name :
         {"keys",
          "public-keys",
          "body",
          "body-sha256",
          "canonical-request",
          "certificate",
          "approval",
          "verified"}) {
        ASSERT_TRUE(blocks.contains(name)) << "docs/formats/approval.md lacks example:" << name;
    }
    auto keys = Pairs(blocks["keys"]);
    auto publics = Pairs(blocks["public-keys"]);
    auto node_key =
        crypto::SigningKey::FromSeed(HexDecode(keys.at("aa.central.signing_seed")).value()).value();
    auto alice = crypto::SigningKey::FromSeed(HexDecode(keys.at("alice.seed")).value()).value();
    auto b64 = [](const crypto::PublicKey& k) {
        return crypto::Base64Encode(ByteSpan(k.Bytes().data(), k.Bytes().size()));
    };
    EXPECT_EQ(publics.at("aa.central.signing_key"), b64(node_key.PublicKey()));
    EXPECT_EQ(publics.at("alice.public_key"), b64(alice.PublicKey()));

    auto body_sha256 = BodySha256(blocks["body"]);
    ASSERT_TRUE(body_sha256) << body_sha256.error().ToString();
    EXPECT_EQ(*body_sha256, blocks["body-sha256"]);

    ApprovalRequest request;
    request.case_id = "AA-2026-0001";
    request.request_type = "preservation";
    request.from = "aa.central";
    request.to = "bb.central";
    request.priority = "emergency";
    request.body_sha256 = *body_sha256;
    EXPECT_EQ(CanonicalRequest(request).value(), blocks["canonical-request"]);

    UserCertificate c;
    c.node = "aa.central";
    c.serial = 1;
    c.user = "alice";
    c.name = "Alice Martin";
    c.roles = {Role::kOfficer, Role::kApprover};
    c.party = "AA";
    c.unit = "Cybercrime unit";
    c.public_key = alice.PublicKey();
    c.not_before_ms = ParseTimestamp("2026-11-29T10:00:00.000Z").value();
    c.not_after_ms = ParseTimestamp("2026-11-30T10:00:00.000Z").value();
    auto certificate = SignUserCertificate(c, node_key);
    ASSERT_TRUE(certificate) << certificate.error().ToString();
    EXPECT_EQ(*certificate, blocks["certificate"]);

    auto approval = SignApproval(
        request, blocks["certificate"], alice, ParseTimestamp("2026-11-29T10:01:00.000Z").value()
    );
    ASSERT_TRUE(approval) << approval.error().ToString();
    EXPECT_EQ(*approval, blocks["approval"]);

    testing::TestNode aa = testing::MakeNode("aa.central", "AA");
    aa.entry.signing_key = node_key.PublicKey();
    testing::TestNode bb = testing::MakeNode("bb.central", "BB");
    const federation::Directory directory = testing::MakeDirectory({&aa.entry, &bb.entry});
    auto verified = VerifyApproval(
        directory,
        "aa.central",
        blocks["approval"],
        blocks["canonical-request"],
        ParseTimestamp("2026-11-29T10:01:30.000Z").value()
    );
    ASSERT_TRUE(verified) << verified.error().message;
    EXPECT_EQ(DescribeApproval(*verified), blocks["verified"]);
}

}  // namespace
}  // namespace concord::app
