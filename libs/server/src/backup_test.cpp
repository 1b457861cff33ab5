// Backup and restore of a real node (NodeService in this process, SQLite store, blob folder,
// sealed node.key): the backup taken, the node's disk lost, the backup restored into the fresh
// node, which starts and keeps shredded what its retention shredded.

#include "concord/server/backup.hpp"

#include <filesystem>
#include <fstream>
#include <random>

#include <gtest/gtest.h>

#include "concord/app/blob_store.hpp"
#include "concord/core/id.hpp"
#include "concord/core/time.hpp"
#include "concord/crypto/base64.hpp"
#include "concord/crypto/init.hpp"
#include "concord/server/config.hpp"
#include "concord/server/init.hpp"
#include "concord/server/service.hpp"
#include "concord/server/testing/two_nodes.hpp"
#include "concord/store/store.hpp"

namespace concord::server {
namespace {

constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;

Bytes RandomBytes(std::size_t n, unsigned seed) {
    std::mt19937 gen(seed);
    Bytes out(n);
    for (auto& b : out) {
        b = static_cast<std::uint8_t>(gen());
    }
    return out;
}

class BackupTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(crypto::Initialize());
        dir_ = std::filesystem::temp_directory_path() /
               ("concord-backup-" + std::to_string(std::random_device{}()));
        auto inits = test_util::InitTwoNodes(dir_, directory_key_);
        ASSERT_TRUE(inits) << inits.error().ToString();
        inits_ = std::move(*inits);
        ASSERT_TRUE(test_util::WriteDirectory(dir_, inits_, directory_key_, 1));
        auto config = LoadConfig(inits_[0].config_file);
        ASSERT_TRUE(config) << config.error().ToString();
        config_ = *config;
        // A first start applies every component's schema.
        auto service = NodeService::Start(config_);
        ASSERT_TRUE(service) << service.error().ToString();
    }

    void TearDown() override { std::filesystem::remove_all(dir_); }

    /// A package of one file in the blob folder and the store, created `age_ms` ago.
    std::string AddPackage(std::int64_t age_ms, const Bytes& blob) {
        auto blobs = app::DirectoryBlobStore::OpenFolder(config_.evidence_blob_dir).value();
        auto writer = blobs->Create().value();
        EXPECT_TRUE(writer->Append(blob));
        const std::string address = writer->Commit().value();
        const std::string package = NewUuidV7();
        auto store = store::Store::Open(config_.store_url).value();
        auto tx = store->Begin().value();
        const std::int64_t created = NowMillis() - age_ms;
        EXPECT_TRUE(tx->Execute(
            "INSERT INTO app_evidence_packages (package, case_id, recipient, state, created_ms, "
            "created_by, chunk_bytes, sealed_key) VALUES ($1, 'FR-2026-0001', 'hu.poc', 'draft', "
            "$2, 'k.nowak', 65536, $3)",
            {package, created, Bytes(72, 7)}
        ));
        EXPECT_TRUE(tx->Execute(
            "INSERT INTO app_evidence_files (package, seq, name, media_type, size, sha256, "
            "encrypted_sha256, added_by, added_ms) VALUES ($1, 0, 'records.bin', "
            "'application/octet-stream', $2, $3, $3, 'k.nowak', $4)",
            {package, static_cast<std::int64_t>(blob.size()), address, created}
        ));
        EXPECT_TRUE(tx->Commit());
        addresses_[package] = address;
        return package;
    }

    std::string StateOf(const std::string& package) {
        auto store = store::Store::Open(config_.store_url).value();
        auto tx = store->Begin().value();
        auto rows =
            tx->Query("SELECT state FROM app_evidence_packages WHERE package = $1", {package})
                .value();
        return rows.empty() ? "none" : rows[0].Text(0);
    }

    std::filesystem::path BlobPath(const std::string& package) {
        const std::string& a = addresses_.at(package);
        return config_.evidence_blob_dir / "sha256" / a.substr(0, 2) / a;
    }

    void LoseTheDisk() { test_util::LoseNodeDisk(config_.file, config_.evidence_blob_dir); }

    std::filesystem::path dir_;
    crypto::SigningKey directory_key_ = crypto::SigningKey::Generate();
    std::vector<InitResult> inits_;
    Config config_;
    std::map<std::string, std::string> addresses_;
};

TEST_F(BackupTest, ARestoredNodeHasItsLogAndEvidenceAndKeepsShreddedWhatRetentionShredded) {
    const Bytes expired_bytes = RandomBytes(300000, 1);
    const Bytes kept_bytes = RandomBytes(200000, 2);
    // Past the default retention (1827 days) by a day, and one day old.
    const std::string expired = AddPackage(1828 * kDayMs, expired_bytes);
    const std::string kept = AddPackage(kDayMs, kept_bytes);

    // Taken while the node was down, before the sweep shredded the expired package.
    auto before = BackUpNode(config_, dir_ / "backup-1");
    ASSERT_TRUE(before) << before.error().ToString();
    EXPECT_EQ(before->packages, 2u);
    EXPECT_EQ(before->blobs, 2u);
    EXPECT_EQ(before->blob_bytes, expired_bytes.size() + kept_bytes.size());
    EXPECT_GT(before->ledger_size, 0u);
    EXPECT_EQ(
        std::filesystem::status(dir_ / "backup-1").permissions(), std::filesystem::perms::owner_all
    );
    {
        // The node starts, shreds the expired package, and is backed up while it runs.
        auto service = NodeService::Start(config_);
        ASSERT_TRUE(service) << service.error().ToString();
        EXPECT_EQ(StateOf(expired), "shredded");
        auto live = BackUpNode(config_, dir_ / "backup-2");
        ASSERT_TRUE(live) << live.error().ToString();
        EXPECT_EQ(live->packages, 1u);
        EXPECT_GT(live->ledger_size, before->ledger_size);
        // A folder that exists is never written into.
        EXPECT_EQ(BackUpNode(config_, dir_ / "backup-2").error().code, ErrorCode::kAlreadyExists);
    }

    LoseTheDisk();
    auto restored = RestoreNode(config_, dir_ / "backup-1");
    ASSERT_TRUE(restored) << restored.error().ToString();
    EXPECT_EQ(restored->packages, 2u);
    EXPECT_EQ(restored->files, 2u);
    EXPECT_EQ(restored->ledger_size, before->ledger_size);
    EXPECT_EQ(StateOf(expired), "draft");
    // Into a node that holds a store already: refused.
    EXPECT_EQ(RestoreNode(config_, dir_ / "backup-1").error().code, ErrorCode::kAlreadyExists);
    {
        // The restored node starts and, before it serves anyone, shreds again the package its
        // retention had shredded; the other one is there byte for byte.
        auto service = NodeService::Start(config_);
        ASSERT_TRUE(service) << service.error().ToString();
    }
    EXPECT_EQ(StateOf(expired), "shredded");
    EXPECT_FALSE(std::filesystem::exists(BlobPath(expired)));
    EXPECT_EQ(StateOf(kept), "draft");
    std::ifstream in(BlobPath(kept), std::ios::binary);
    const Bytes read((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(read, kept_bytes);
}

TEST_F(BackupTest, ABackupThatDoesNotCheckIsRefusedBeforeAnythingIsWritten) {
    AddPackage(kDayMs, RandomBytes(100000, 3));
    ASSERT_TRUE(BackUpNode(config_, dir_ / "backup"));
    LoseTheDisk();
    const auto copy = [&](const std::string& name) {
        std::filesystem::copy(
            dir_ / "backup", dir_ / name, std::filesystem::copy_options::recursive
        );
        return dir_ / name;
    };
    const auto node = config_.file.parent_path();
    const auto nothing_written = [&] {
        EXPECT_FALSE(std::filesystem::exists(node / "node.db"));
        EXPECT_FALSE(std::filesystem::exists(node / "node.key"));
        EXPECT_FALSE(std::filesystem::exists(config_.evidence_blob_dir / "sha256"));
    };

    // A damaged blob.
    const auto damaged = copy("damaged");
    for (const auto& e : std::filesystem::directory_iterator(damaged / "blobs")) {
        std::fstream f(e.path(), std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(1000);
        f.put('\x55');
    }
    auto r = RestoreNode(config_, damaged);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kCorruption) << r.error().ToString();
    EXPECT_NE(r.error().message.find("blobs/"), std::string::npos) << r.error().message;
    nothing_written();

    // A blob replaced by a symbolic link to a copy of itself: never followed.
    const auto linked = copy("linked");
    for (const auto& e : std::filesystem::directory_iterator(linked / "blobs")) {
        std::filesystem::copy_file(e.path(), dir_ / "elsewhere.bin");
        std::filesystem::remove(e.path());
        std::filesystem::create_symlink(dir_ / "elsewhere.bin", e.path());
    }
    r = RestoreNode(config_, linked);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kCorruption) << r.error().ToString();
    nothing_written();

    // backup.json changed (its log head moved back): the signature no longer verifies.
    const auto edited = copy("edited");
    {
        std::ifstream in(edited / "backup.json");
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        const auto at = text.find("\"size\":");
        ASSERT_NE(at, std::string::npos);
        text.insert(at + 7, "1");
        std::ofstream(edited / "backup.json", std::ios::trunc) << text;
    }
    r = RestoreNode(config_, edited);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated) << r.error().ToString();
    nothing_written();

    // The backup of another node.
    auto other = LoadConfig(inits_[1].config_file);
    ASSERT_TRUE(other);
    auto wrong = RestoreNode(*other, dir_ / "backup");
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().code, ErrorCode::kUnauthenticated) << wrong.error().ToString();

    // A wrong passphrase opens no key and writes nothing.
    Config bad_pass = config_;
    std::ofstream(dir_ / "wrong-passphrase") << "not the passphrase\n";
    std::filesystem::permissions(dir_ / "wrong-passphrase", std::filesystem::perms::owner_read);
    bad_pass.passphrase_file = dir_ / "wrong-passphrase";
    r = RestoreNode(bad_pass, dir_ / "backup");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated) << r.error().ToString();
    nothing_written();

    // Signed by the node's key but recording a log head the store does not hold: the check
    // after the load fails, and what the restore wrote is removed again.
    const auto ahead = copy("ahead");
    {
        std::ifstream in(ahead / "backup.json");
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        const auto at = text.find("\"size\":");
        ASSERT_NE(at, std::string::npos);
        text.insert(at + 7, "9");
        std::ofstream(ahead / "backup.json", std::ios::trunc) << text;
        auto keys = LoadNodeKeys(ahead / "keys" / "node.key", "test passphrase");
        ASSERT_TRUE(keys) << keys.error().ToString();
        const auto sig = keys->signing.Sign(AsBytes(text));
        std::ofstream(ahead / "backup.sig", std::ios::trunc)
            << crypto::Base64Encode(ByteSpan(sig.data(), sig.size())) << "\n";
    }
    r = RestoreNode(config_, ahead);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kCorruption) << r.error().ToString();
    EXPECT_NE(r.error().message.find("nothing of the backup was kept"), std::string::npos);
    nothing_written();

    // The intact backup restores.
    auto ok = RestoreNode(config_, dir_ / "backup");
    ASSERT_TRUE(ok) << ok.error().ToString();
    EXPECT_EQ(ok->packages, 1u);
}

}  // namespace
}  // namespace concord::server
