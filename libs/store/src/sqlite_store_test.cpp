// SQLite-specific behaviour: URL dispatch, durability refusals, and fault injection (failed fsync,
// full disk) through the FaultVfs shim.

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "concord/store/store.hpp"
#include "concord/store/testing/fault_vfs.hpp"

#include <stdlib.h>

namespace concord::store {
namespace {

StoreOptions OptionsWithVfs(std::string url, std::string vfs) {
    StoreOptions options;
    options.url = std::move(url);
    options.sqlite_vfs = std::move(vfs);
    return options;
}

using testing::FaultVfs;

Migration RowsTable() {
    return {
        .component = "fault",
        .version = 1,
        .sqlite_sql = "CREATE TABLE rows (id INTEGER PRIMARY KEY, payload BLOB NOT NULL)",
        .postgres_sql = "",
    };
}

class SqliteStoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "concord-sqlite-XXXXXX").string();
        ASSERT_NE(mkdtemp(pattern.data()), nullptr);
        dir_ = pattern;
        url_ = "sqlite:" + (dir_ / "store.db").string();
        FaultVfs::Reset();
    }
    void TearDown() override {
        FaultVfs::Reset();
        std::filesystem::remove_all(dir_);
    }

    std::unique_ptr<Store> OpenOrDie(const std::string& vfs = "") {
        auto store = Store::Open(OptionsWithVfs(url_, vfs));
        EXPECT_TRUE(store.has_value()) << store.error().ToString();
        return store.has_value() ? std::move(*store) : nullptr;
    }

    /// A store on the fault-injection VFS whose `rows` table holds the committed row 1; null
    /// (with a test failure) if that could not be set up.
    std::unique_ptr<Store> OpenOnFaultVfsWithOneRow() {
        auto store = OpenOrDie(FaultVfs::Register());
        if (store == nullptr) {
            return nullptr;
        }
        auto migrated = store->Migrate(std::vector<Migration>{RowsTable()});
        EXPECT_TRUE(migrated.has_value()) << migrated.error().ToString();
        auto tx = store->Begin();
        EXPECT_TRUE(tx.has_value());
        if (!migrated || !tx) {
            return nullptr;
        }
        auto inserted = (*tx)->Execute("INSERT INTO rows (id, payload) VALUES (1, x'01')");
        auto committed = inserted ? (*tx)->Commit() : Result<void>(inserted.error());
        EXPECT_TRUE(committed.has_value()) << committed.error().ToString();
        return committed ? std::move(store) : nullptr;
    }

    /// Ids in `rows`, read through a fresh store on the normal VFS.
    std::vector<std::int64_t> IdsAfterReopen() {
        auto store = OpenOrDie();
        auto checked = store->CheckIntegrity();
        EXPECT_TRUE(checked.has_value()) << checked.error().ToString();
        auto tx = store->Begin();
        EXPECT_TRUE(tx.has_value());
        auto rows = (*tx)->Query("SELECT id FROM rows ORDER BY id");
        EXPECT_TRUE(rows.has_value()) << rows.error().ToString();
        std::vector<std::int64_t> ids;
        for (const Row& row : *rows) {
            ids.push_back(row.Int(0));
        }
        return ids;
    }

    std::filesystem::path dir_;
    std::string url_;
};

TEST(StoreOpen, RejectsUnknownUrls) {
    for (const std::string url : {"", "mysql://localhost/x", "sqlite", "sqlite:", "file:x.db"}) {
        auto store = Store::Open(url);
        ASSERT_FALSE(store.has_value()) << url;
        EXPECT_EQ(store.error().code, ErrorCode::kInvalidArgument) << url;
    }
}

TEST(StoreOpen, RefusesInMemorySqlite) {
    auto store = Store::Open("sqlite::memory:");
    ASSERT_FALSE(store.has_value());
    EXPECT_EQ(store.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(store.error().message.find("wal"), std::string::npos) << store.error().message;
}

TEST(StoreOpen, RejectsMalformedPostgresConnectionString) {
    auto store = Store::Open("host=/tmp dbname='unterminated");
    ASSERT_FALSE(store.has_value());
    EXPECT_EQ(store.error().code, ErrorCode::kInvalidArgument) << store.error().ToString();
}

TEST_F(SqliteStoreTest, RunsInWalModeWithFullSyncAndForeignKeys) {
    auto store = OpenOrDie();
    ASSERT_EQ(store->Backend(), Backend::kSqlite);
    auto tx = store->Begin();
    ASSERT_TRUE(tx.has_value());
    EXPECT_EQ((*tx)->Query("PRAGMA journal_mode").value().at(0).Text(0), "wal");
    EXPECT_EQ((*tx)->Query("PRAGMA synchronous").value().at(0).Int(0), 2);
    EXPECT_EQ((*tx)->Query("PRAGMA foreign_keys").value().at(0).Int(0), 1);
}

TEST_F(SqliteStoreTest, ForeignKeysAreEnforced) {
    auto store = OpenOrDie();
    const Migration schema{
        .component = "fk",
        .version = 1,
        .sqlite_sql =
            "CREATE TABLE p (id INTEGER PRIMARY KEY);"
            "CREATE TABLE c (id INTEGER PRIMARY KEY, p INTEGER REFERENCES p(id))",
        .postgres_sql = "",
    };
    ASSERT_TRUE(store->Migrate(std::span(&schema, 1)).has_value());
    auto tx = store->Begin();
    ASSERT_TRUE(tx.has_value());
    auto inserted = (*tx)->Execute("INSERT INTO c (id, p) VALUES (1, 99)");
    ASSERT_FALSE(inserted.has_value());
    EXPECT_EQ(inserted.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(SqliteStoreTest, NotADatabaseIsCorruption) {
    {
        std::ofstream out(dir_ / "store.db", std::ios::binary);
        out << std::string(8192, 'g');
    }
    auto store = Store::Open(url_);
    ASSERT_FALSE(store.has_value());
    EXPECT_EQ(store.error().code, ErrorCode::kCorruption) << store.error().ToString();
}

TEST_F(SqliteStoreTest, UnknownVfsIsRejected) {
    auto store = Store::Open(OptionsWithVfs(url_, "no-such-vfs"));
    ASSERT_FALSE(store.has_value());
    EXPECT_EQ(store.error().code, ErrorCode::kInvalidArgument) << store.error().ToString();
}

TEST_F(SqliteStoreTest, AnonymousParametersAreRejected) {
    auto store = OpenOrDie();
    auto tx = store->Begin();
    ASSERT_TRUE(tx.has_value());
    auto result = (*tx)->Query("SELECT ?", {std::int64_t{1}});
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(SqliteStoreTest, FailedFsyncAtCommitStopsTheStore) {
    auto store = OpenOnFaultVfsWithOneRow();
    ASSERT_NE(store, nullptr);
    bool hook_ran = false;
    {
        auto tx = store->Begin();
        ASSERT_TRUE(tx.has_value());
        (*tx)->OnCommit([&] { hook_ran = true; });
        for (std::int64_t id = 2; id <= 50; ++id) {
            ASSERT_TRUE((*tx)
                            ->Execute(
                                "INSERT INTO rows (id, payload) VALUES ($1, $2)",
                                {id, Bytes(3000, static_cast<std::uint8_t>(id))}
                            )
                            .has_value());
        }
        const int injected_before = FaultVfs::InjectedFaults();
        FaultVfs::FailNextSync();
        auto committed = (*tx)->Commit();
        ASSERT_EQ(FaultVfs::InjectedFaults(), injected_before + 1);
        ASSERT_FALSE(committed.has_value());
        EXPECT_EQ(committed.error().code, ErrorCode::kUnavailable) << committed.error().ToString();
    }
    EXPECT_FALSE(hook_ran);

    // Stopped: no further transaction, even though the next fsync would succeed.
    for (int attempt = 0; attempt < 2; ++attempt) {
        auto tx = store->Begin();
        ASSERT_FALSE(tx.has_value());
        EXPECT_EQ(tx.error().code, ErrorCode::kUnavailable);
        EXPECT_NE(tx.error().message.find("restart required"), std::string::npos)
            << tx.error().message;
    }
    EXPECT_FALSE(store->Migrate(std::vector<Migration>{RowsTable()}).has_value());
    store.reset();

    // The unacknowledged transaction is all there or not at all.
    auto ids = IdsAfterReopen();
    ASSERT_FALSE(ids.empty());
    EXPECT_EQ(ids.front(), 1);
    EXPECT_TRUE(ids.size() == 1 || ids.size() == 50) << ids.size() << " rows";
}

TEST_F(SqliteStoreTest, DiskFullIsUnavailableAndCommitsNothing) {
    auto store = OpenOnFaultVfsWithOneRow();
    ASSERT_NE(store, nullptr);
    FaultVfs::FailWritesAfter(std::int64_t{16} * 1024);
    Result<void> outcome;
    {
        auto tx = store->Begin();
        ASSERT_TRUE(tx.has_value());
        for (std::int64_t id = 2; id <= 20 && outcome.has_value(); ++id) {
            auto inserted = (*tx)->Execute(
                "INSERT INTO rows (id, payload) VALUES ($1, $2)",
                {id, Bytes(std::size_t{64} * 1024, static_cast<std::uint8_t>(id))}
            );
            if (!inserted) {
                outcome = std::move(inserted).error();
            }
        }
        if (outcome.has_value()) {
            outcome = (*tx)->Commit();
        }
    }
    ASSERT_FALSE(outcome.has_value());
    EXPECT_EQ(outcome.error().code, ErrorCode::kUnavailable) << outcome.error().ToString();
    auto tx = store->Begin();
    ASSERT_FALSE(tx.has_value());
    EXPECT_EQ(tx.error().code, ErrorCode::kUnavailable);
    store.reset();
    FaultVfs::Reset();

    EXPECT_EQ(IdsAfterReopen(), (std::vector<std::int64_t>{1}));
}

}  // namespace
}  // namespace concord::store
