// concord backup and concord restore on a real node started in-process (SQLite store, blob
// folder, sealed keys): backed up through the command line while it runs, its disk lost, restored
// through the command line into the fresh node, which starts with what the backup held and
// nothing after it.

#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "concord/crypto/init.hpp"
#include "concord/server/config.hpp"
#include "concord/server/init.hpp"
#include "concord/server/service.hpp"
#include "concord/server/testing/api_client.hpp"
#include "concord/server/testing/two_nodes.hpp"

#include "cli_test_util.hpp"

namespace concord::cli {
namespace {

using testing::Output;
using testing::RunCli;

constexpr const char* kNeed =
    R"({"topic":"digital_forensics","languages":["en"],"from":"2027-03-01","to":"2027-03-31",)"
    R"("description":"A forensic lab for a month"})";

class BackupCommandsTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(crypto::Initialize());
        dir_ = std::filesystem::temp_directory_path() /
               ("concord-cli-backup-" + std::to_string(std::random_device{}()));
        auto inits = server::test_util::InitTwoNodes(dir_, directory_key_);
        ASSERT_TRUE(inits) << inits.error().ToString();
        inits_ = std::move(*inits);
        ASSERT_TRUE(server::test_util::WriteDirectory(dir_, inits_, directory_key_, 1));
        config_file_ = inits_[0].config_file;
        auto config = server::LoadConfig(config_file_);
        ASSERT_TRUE(config) << config.error().ToString();
        config_ = *config;
    }

    void TearDown() override {
        service_.reset();
        std::filesystem::remove_all(dir_);
    }

    void Start() {
        auto service = server::NodeService::Start(config_);
        ASSERT_TRUE(service) << service.error().ToString();
        service_ = std::move(*service);
        client_ = std::make_unique<server::testing::ApiClient>(
            "https://127.0.0.1:" + std::to_string(service_->ApiPort()),
            inits_[0].api_token,
            inits_[0].entry.tls_sha256
        );
    }

    // The descriptions of the node's technical assistance postings, oldest first.
    std::vector<std::string> Postings() {
        auto r = client_->Call("GET", "/api/v1/assistance/postings");
        EXPECT_TRUE(r && r->status == 200);
        std::vector<std::string> out;
        if (r && r->status == 200) {
            for (const auto& p : r->json.at("postings").as_array()) {
                out.emplace_back(p.at("description").as_string());
            }
        }
        return out;
    }

    void Post(const std::string& description) {
        std::string body(kNeed);
        body.replace(body.find("A forensic lab for a month"), 26, description);
        auto r = client_->Call("POST", "/api/v1/assistance/needs", body);
        ASSERT_TRUE(r && r->status == 201) << (r ? r->body : r.error().ToString());
    }

    void LoseTheDisk() { server::test_util::LoseNodeDisk(config_.file, config_.evidence_blob_dir); }

    std::filesystem::path dir_;
    crypto::SigningKey directory_key_ = crypto::SigningKey::Generate();
    std::vector<server::InitResult> inits_;
    std::filesystem::path config_file_;
    server::Config config_;
    std::unique_ptr<server::NodeService> service_;
    std::unique_ptr<server::testing::ApiClient> client_;
};

TEST_F(BackupCommandsTest, ANodeBackedUpWhileItRunsIsRestoredWithWhatTheBackupHeld) {
    Start();
    Post("Before the backup");
    const auto backup = dir_ / "backup";
    Output taken = RunCli({"backup", "--config", config_file_.string(), "--out", backup.string()});
    ASSERT_EQ(taken.status, 0) << taken.err;
    EXPECT_EQ(taken.out.rfind("backup of fr.central in " + backup.string() + "\n", 0), 0U)
        << taken.out;
    EXPECT_NE(taken.out.find("audit log: at least "), std::string::npos) << taken.out;
    EXPECT_NE(taken.out.find("evidence: 0 packages"), std::string::npos) << taken.out;
    // A folder that exists is never written into (exit 2: not a failed check, a refusal).
    Output again = RunCli({"backup", "--config", config_file_.string(), "--out", backup.string()});
    EXPECT_EQ(again.status, 2) << again.out;
    EXPECT_NE(again.err.find("already_exists"), std::string::npos) << again.err;
    Post("After the backup");
    EXPECT_EQ(Postings().size(), 2U);
    client_.reset();
    service_.reset();

    // Into a node that still holds its store: refused, nothing changed.
    Output over = RunCli({"restore", "--config", config_file_.string(), "--from", backup.string()});
    EXPECT_EQ(over.status, 2) << over.out;
    EXPECT_NE(over.err.find("already_exists"), std::string::npos) << over.err;

    LoseTheDisk();
    // A backup whose signed list no longer matches its files is refused before anything is
    // written (exit 1: the check failed).
    const auto damaged = dir_ / "damaged";
    std::filesystem::copy(backup, damaged, std::filesystem::copy_options::recursive);
    for (const auto& e : std::filesystem::directory_iterator(damaged)) {
        if (e.path().filename().string().starts_with("store")) {
            std::filesystem::resize_file(e.path(), std::filesystem::file_size(e.path()) / 2);
        }
    }
    Output refused =
        RunCli({"restore", "--config", config_file_.string(), "--from", damaged.string()});
    EXPECT_EQ(refused.status, 1) << refused.out;
    EXPECT_FALSE(std::filesystem::exists(config_.file.parent_path() / "node.db"));

    Output restored =
        RunCli({"restore", "--config", config_file_.string(), "--from", backup.string()});
    ASSERT_EQ(restored.status, 0) << restored.err;
    EXPECT_EQ(restored.out.rfind("restored fr.central from " + backup.string() + "\n", 0), 0U)
        << restored.out;
    EXPECT_NE(restored.out.find("signed checkpoints: verified"), std::string::npos) << restored.out;
    Start();
    EXPECT_EQ(Postings(), std::vector<std::string>{"Before the backup"});
}

}  // namespace
}  // namespace concord::cli
