// Test support for the approval tests: a store on each backend, node identities and a directory.
#pragma once

#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <gtest/gtest.h>

#include "concord/app/user_certificate.hpp"
#include "concord/app/user_keys.hpp"
#include "concord/core/time.hpp"
#include "concord/crypto/init.hpp"
#include "concord/federation/directory.hpp"
#include "concord/store/store.hpp"
#include "concord/store/testing/pg_test.hpp"

namespace concord::app::testing {

/// 2026-11-29T10:00:00.000Z, the time the tests run at.
inline std::int64_t T0() {
    return ParseTimestamp("2026-11-29T10:00:00.000Z").value();
}
inline constexpr std::int64_t kHourMs = 3600 * 1000;

/// A node's keys and directory entry.
struct TestNode {
    crypto::SigningKey signing;
    federation::NodeEntry entry;
};

inline TestNode MakeNode(const std::string& id, const std::string& party) {
    TestNode node{crypto::SigningKey::Generate(), {}};
    node.entry.id = id;
    node.entry.party = party;
    node.entry.authority = "Central authority of " + party;
    node.entry.roles = {"central_authority"};
    node.entry.endpoint = "https://127.0.0.1:1";
    node.entry.tls_sha256 = std::string(64, 'a');
    node.entry.signing_key = node.signing.PublicKey();
    node.entry.box_key = crypto::BoxKeyPair::Generate().PublicKey();
    node.entry.languages = {"en"};
    return node;
}

/// A verified-shape directory with parties AA and BB and `nodes`.
inline federation::Directory MakeDirectory(const std::vector<const federation::NodeEntry*>& nodes) {
    boost::json::object body;
    body["format"] = "concord-directory/1";
    body["serial"] = 1;
    body["issued"] = "2026-11-29T09:00:00.000Z";
    boost::json::array parties;
    for (const char* code : {"AA", "BB"}) {
        boost::json::object p;
        p["code"] = code;
        p["name"] = std::string("State ") + code;
        p["languages"] = boost::json::array{"en"};
        p["instruments"] = boost::json::array{};
        parties.push_back(std::move(p));
    }
    body["parties"] = std::move(parties);
    boost::json::array list;
    for (const auto* n : nodes) {
        list.push_back(federation::NodeEntryToJson(*n));
    }
    body["nodes"] = std::move(list);
    auto directory = federation::ParseDirectoryBody(body);
    EXPECT_TRUE(directory) << directory.error().ToString();
    return std::move(*directory);
}

/// A fixture run once per backend ("sqlite", "postgres") with a migrated store.
class StoreTest : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        ASSERT_TRUE(crypto::Initialize());
        std::string url;
        if (GetParam() == "postgres") {
            CONCORD_FRESH_PG_DSN_OR_SKIP(dsn);
            url = dsn;
        } else {
            dir_ = std::filesystem::temp_directory_path() /
                   ("concord-app-" + std::to_string(std::random_device{}()));
            std::filesystem::create_directories(dir_);
            url = "sqlite:" + (dir_ / "app.db").string();
        }
        auto opened = store::Store::Open(url);
        ASSERT_TRUE(opened) << opened.error().ToString();
        store_ = std::move(*opened);
        std::vector<store::Migration> migrations = UserKeys::Migrations();
        for (auto& m : UserCertifier::Migrations()) {
            migrations.push_back(std::move(m));
        }
        ASSERT_TRUE(store_->Migrate(migrations));
    }
    void TearDown() override {
        store_.reset();
        if (!dir_.empty()) {
            std::filesystem::remove_all(dir_);
        }
    }
    std::unique_ptr<store::Transaction> Begin() {
        auto tx = store_->Begin();
        EXPECT_TRUE(tx) << tx.error().ToString();
        return std::move(*tx);
    }

    std::filesystem::path dir_;
    std::unique_ptr<store::Store> store_;
};

}  // namespace concord::app::testing
