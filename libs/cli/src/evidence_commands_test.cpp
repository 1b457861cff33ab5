#include <filesystem>
#include <fstream>
#include <random>

#include <gtest/gtest.h>

#include "concord/app/evidence_package.hpp"
#include "concord/core/id.hpp"
#include "concord/core/time.hpp"
#include "concord/crypto/base64.hpp"
#include "concord/crypto/init.hpp"

#include "cli_test_util.hpp"

namespace concord::cli {
namespace {

using testing::Output;
using testing::RunCli;

std::int64_t T0() {
    return ParseTimestamp("2026-11-29T10:00:00.000Z").value();
}

/// A package from aa.central to bb.central, downloaded into `dir/package`, and the directory.
class EvidenceCommandsTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(crypto::Initialize());
        dir_ = std::filesystem::temp_directory_path() /
               ("concord-cli-evidence-" + std::to_string(std::random_device{}()));
        std::filesystem::create_directories(dir_);
        std::ofstream(dir_ / "directory.json") << testing::SignedDirectory(
            directory_key_,
            {testing::CentralAuthority(
                 "aa.central", "AA", node_.PublicKey(), node_box_.PublicKey()
             ),
             testing::CentralAuthority(
                 "bb.central",
                 "BB",
                 crypto::SigningKey::Generate().PublicKey(),
                 peer_box_.PublicKey()
             )}
        );
        app::UserCertificate c;
        c.node = "aa.central";
        c.serial = 12;
        c.user = "k.nowak";
        c.name = "Karolina Nowak";
        c.roles = {app::Role::kOfficer};
        c.party = "AA";
        c.unit = "Cybercrime unit";
        c.public_key = officer_.PublicKey();
        c.not_before_ms = T0() - 3600 * 1000;
        c.not_after_ms = T0() + 3600 * 1000;
        const std::string certificate = app::SignUserCertificate(c, node_).value();

        auto blobs = app::DirectoryBlobStore::OpenFolder(dir_ / "blobs").value();
        auto builder = app::PackageBuilder::Create(*blobs).value();
        std::ofstream(dir_ / "log.txt") << "2026-11-29T09:58:12Z login 203.0.113.7\n";
        ASSERT_TRUE(builder.AddFile(
            "log.txt", "text/plain", "k.nowak", T0(), app::FileSource(dir_ / "log.txt").value()
        ));
        const auto manifest = builder
                                  .Finish(
                                      NewUuidV7At(T0()),
                                      "AA-2026-0007",
                                      "aa.central",
                                      "bb.central",
                                      T0(),
                                      peer_box_.PublicKey(),
                                      node_box_
                                  )
                                  .value();
        const std::string text =
            app::SignManifest(manifest, certificate, officer_, T0() + 1000, node_).value();
        ASSERT_TRUE(app::ExportPackage(
            *blobs, app::ParseManifest(text).value(), text, builder.Key(), dir_ / "package"
        ));
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    Output Verify(const crypto::PublicKey& trusted) {
        return RunCli(
            {"evidence",
             "verify",
             (dir_ / "package").string(),
             "--directory",
             (dir_ / "directory.json").string(),
             "--trusted-key",
             crypto::Base64Encode(ByteSpan(trusted.Bytes().data(), trusted.Bytes().size()))}
        );
    }

    std::filesystem::path dir_;
    crypto::SigningKey directory_key_ = crypto::SigningKey::Generate();
    crypto::SigningKey node_ = crypto::SigningKey::Generate();
    crypto::SigningKey officer_ = crypto::SigningKey::Generate();
    crypto::BoxKeyPair node_box_ = crypto::BoxKeyPair::Generate();
    crypto::BoxKeyPair peer_box_ = crypto::BoxKeyPair::Generate();
};

TEST_F(EvidenceCommandsTest, PrintsWhoSignedAndEveryFileWhenAllHolds) {
    const Output ok = Verify(directory_key_.PublicKey());
    ASSERT_EQ(ok.status, 0) << ok.err;
    EXPECT_NE(ok.out.find("of case AA-2026-0007, aa.central → bb.central"), std::string::npos)
        << ok.out;
    EXPECT_NE(
        ok.out.find("by Karolina Nowak (k.nowak, Cybercrime unit), certificate 12"),
        std::string::npos
    ) << ok.out;
    EXPECT_NE(ok.out.find("log.txt (text/plain, added by k.nowak"), std::string::npos) << ok.out;
    EXPECT_NE(ok.out.find("1 file, 39 bytes: every hash matches"), std::string::npos) << ok.out;
}

TEST_F(EvidenceCommandsTest, AChangedFileOrAnUntrustedDirectoryExitsOneAndAMalformedManifestTwo) {
    EXPECT_EQ(Verify(crypto::SigningKey::Generate().PublicKey()).status, 1);

    std::ofstream(dir_ / "package" / "files" / "log.txt")
        << "2026-11-29T09:58:12Z login 198.51.100.9\n";
    const Output changed = Verify(directory_key_.PublicKey());
    EXPECT_EQ(changed.status, 1);
    EXPECT_NE(changed.err.find("log.txt"), std::string::npos) << changed.err;

    std::ofstream(dir_ / "package" / "manifest.json") << "{\"v\":1}";
    const Output malformed = Verify(directory_key_.PublicKey());
    EXPECT_EQ(malformed.status, 2);
    EXPECT_NE(malformed.err.find("malformed"), std::string::npos) << malformed.err;
}

}  // namespace
}  // namespace concord::cli
