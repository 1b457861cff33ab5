#include <filesystem>
#include <fstream>
#include <random>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "concord/app/approval.hpp"
#include "concord/core/time.hpp"
#include "concord/crypto/base64.hpp"
#include "concord/crypto/init.hpp"
#include "concord/federation/directory.hpp"

#include "cli_test_util.hpp"

namespace concord::cli {
namespace {

using testing::Output;
using testing::RunCli;

std::string B64(const crypto::PublicKey& key) {
    return crypto::Base64Encode(ByteSpan(key.Bytes().data(), key.Bytes().size()));
}

class ApprovalCommandsTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(crypto::Initialize());
        dir_ = std::filesystem::temp_directory_path() /
               ("concord-cli-approval-" + std::to_string(std::random_device{}()));
        std::filesystem::create_directories(dir_);

        Write(
            "directory.json",
            testing::SignedDirectory(
                directory_key_,
                {testing::CentralAuthority(
                    "aa.central",
                    "AA",
                    node_.PublicKey(),
                    crypto::BoxKeyPair::Generate().PublicKey()
                )}
            )
        );

        request_.case_id = "AA-2026-0001";
        request_.request_type = "preservation";
        request_.from = "aa.central";
        request_.to = "bb.central";
        request_.priority = "emergency";
        request_.body_sha256 = app::BodySha256(R"({"ask":"preserve"})").value();
        app::UserCertificate c;
        c.node = "aa.central";
        c.serial = 4;
        c.user = "alice";
        c.name = "Alice Martin";
        c.roles = {app::Role::kApprover};
        c.party = "AA";
        c.unit = "Cybercrime unit";
        c.public_key = alice_.PublicKey();
        c.not_before_ms = ParseTimestamp("2026-11-29T10:00:00.000Z").value();
        c.not_after_ms = ParseTimestamp("2026-11-30T10:00:00.000Z").value();
        const std::string certificate = app::SignUserCertificate(c, node_).value();
        Write(
            "approval.json",
            app::SignApproval(
                request_, certificate, alice_, ParseTimestamp("2026-11-29T10:01:00.000Z").value()
            )
                    .value() +
                "\n"
        );
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    void Write(const std::string& name, const std::string& text) {
        std::ofstream(dir_ / name) << text;
    }
    std::string P(const std::string& name) { return (dir_ / name).string(); }
    Output Verify(std::vector<std::string> extra = {}) {
        std::vector<std::string> args = {
            "approval",
            "verify",
            P("approval.json"),
            "--directory",
            P("directory.json"),
            "--trusted-key",
            B64(directory_key_.PublicKey())};
        args.insert(args.end(), extra.begin(), extra.end());
        return RunCli(args);
    }

    std::filesystem::path dir_;
    crypto::SigningKey directory_key_ = crypto::SigningKey::Generate();
    crypto::SigningKey node_ = crypto::SigningKey::Generate();
    crypto::SigningKey alice_ = crypto::SigningKey::Generate();
    app::ApprovalRequest request_;
};

TEST_F(ApprovalCommandsTest, PrintsWhoApprovedWhatWhenTheChainHolds) {
    Output ok = Verify();
    ASSERT_EQ(ok.status, 0) << ok.err;
    EXPECT_NE(
        ok.out.find("OK: approved by Alice Martin, approver, Central authority of AA (Cybercrime "
                    "unit), node aa.central, certificate 4"),
        std::string::npos
    ) << ok.out;
    EXPECT_NE(ok.out.find("case AA-2026-0001, preservation, emergency"), std::string::npos)
        << ok.out;
    // The request the receiver holds, given as a file in any JSON layout.
    Write("request.json", " " + app::CanonicalRequest(request_).value());
    EXPECT_EQ(Verify({"--request", P("request.json")}).status, 0);
}

TEST_F(ApprovalCommandsTest, RefusesWithTheBrokenLink) {
    app::ApprovalRequest normal = request_;
    normal.priority = "normal";
    Write("request.json", app::CanonicalRequest(normal).value());
    Output mismatch = Verify({"--request", P("request.json")});
    EXPECT_EQ(mismatch.status, 1);
    EXPECT_NE(mismatch.err.find("request_mismatch"), std::string::npos) << mismatch.err;

    Output expired = Verify({"--at", "2026-11-30T10:00:00.000Z"});
    EXPECT_EQ(expired.status, 1);
    EXPECT_NE(expired.err.find("certificate_not_valid"), std::string::npos) << expired.err;

    Write("approval.json", "{\"v\":1}");
    Output malformed = Verify();
    EXPECT_EQ(malformed.status, 2);
    EXPECT_NE(malformed.err.find("malformed"), std::string::npos) << malformed.err;

    // A directory signed by a key the caller does not trust.
    Output untrusted = RunCli(
        {"approval",
         "verify",
         P("approval.json"),
         "--directory",
         P("directory.json"),
         "--trusted-key",
         B64(node_.PublicKey())}
    );
    EXPECT_EQ(untrusted.status, 1);
    EXPECT_NE(untrusted.err.find("trusted"), std::string::npos) << untrusted.err;
}

}  // namespace
}  // namespace concord::cli
