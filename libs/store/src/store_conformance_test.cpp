// The one conformance suite every Store backend passes (SQLite and PostgreSQL). Each test gets an
// empty database: a fresh file for SQLite, a freshly created database for PostgreSQL.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <ostream>
#include <random>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "concord/store/store.hpp"
#include "concord/store/testing/pg_test.hpp"

#include <stdlib.h>

namespace concord::store {

/// Names the parameter in test output ("... GetParam() = sqlite").
void PrintTo(Backend backend, std::ostream* os) {
    *os << (backend == Backend::kSqlite ? "sqlite" : "postgres");
}

namespace {

/// Columns used by most tests; the DDL differs per backend only in the blob type.
Migration ItemsTable() {
    return {
        .component = "conformance",
        .version = 1,
        .sqlite_sql =
            "CREATE TABLE items (id BIGINT PRIMARY KEY, i BIGINT, s TEXT, b BLOB);"
            "CREATE TABLE counter (id BIGINT PRIMARY KEY, n BIGINT NOT NULL);"
            "INSERT INTO counter (id, n) VALUES (1, 0);",
        .postgres_sql =
            "CREATE TABLE items (id BIGINT PRIMARY KEY, i BIGINT, s TEXT, b BYTEA);"
            "CREATE TABLE counter (id BIGINT PRIMARY KEY, n BIGINT NOT NULL);"
            "INSERT INTO counter (id, n) VALUES (1, 0);",
    };
}

std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
    return info.param == Backend::kSqlite ? "sqlite" : "postgres";
}

class StoreConformance : public ::testing::TestWithParam<Backend> {
protected:
    void SetUp() override {
        if (GetParam() == Backend::kSqlite) {
            std::string pattern =
                (std::filesystem::temp_directory_path() / "concord-store-XXXXXX").string();
            ASSERT_NE(mkdtemp(pattern.data()), nullptr);
            dir_ = pattern;
            url_ = "sqlite:" + (dir_ / "store.db").string();
        } else {
            CONCORD_FRESH_PG_DSN_OR_SKIP(dsn);
            url_ = dsn;
        }
        Reopen();
    }

    void TearDown() override {
        store_.reset();
        if (!dir_.empty()) {
            std::filesystem::remove_all(dir_);
        }
    }

    void Reopen() {
        store_.reset();
        auto opened = Store::Open(url_);
        ASSERT_TRUE(opened.has_value()) << opened.error().ToString();
        store_ = std::move(*opened);
        ASSERT_EQ(store_->Backend(), GetParam());
    }

    void CreateItems() {
        auto migrated = store_->Migrate(std::vector<Migration>{ItemsTable()});
        ASSERT_TRUE(migrated.has_value()) << migrated.error().ToString();
    }

    std::unique_ptr<Transaction> BeginOrDie() {
        auto tx = store_->Begin();
        EXPECT_TRUE(tx.has_value()) << tx.error().ToString();
        return tx.has_value() ? std::move(*tx) : nullptr;
    }

    /// Number of rows in `items` with this id, read in a transaction of its own.
    std::int64_t CountItems(std::int64_t id) {
        auto tx = BeginOrDie();
        auto rows = tx->Query("SELECT COUNT(*) FROM items WHERE id = $1", {Value(id)});
        EXPECT_TRUE(rows.has_value()) << rows.error().ToString();
        return rows.has_value() ? rows->at(0).Int(0) : -1;
    }

    std::filesystem::path dir_;
    std::string url_;
    std::unique_ptr<Store> store_;
};

INSTANTIATE_TEST_SUITE_P(
    Backends, StoreConformance, ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName
);

Migration MakeMigration(int version, const std::string& sql) {
    return {.component = "m", .version = version, .sqlite_sql = sql, .postgres_sql = sql};
}

TEST_P(StoreConformance, SchemaVersionIsZeroBeforeAnyMigration) {
    auto version = store_->SchemaVersion("m");
    ASSERT_TRUE(version.has_value()) << version.error().ToString();
    EXPECT_EQ(*version, 0);
}

TEST_P(StoreConformance, MigrationsApplyOnceInOrderAndReportVersions) {
    const std::vector<Migration> migrations = {
        MakeMigration(1, "CREATE TABLE a (x BIGINT)"),
        MakeMigration(2, "CREATE TABLE b (x BIGINT); INSERT INTO b (x) VALUES (7);"),
    };
    ASSERT_TRUE(store_->Migrate(migrations).has_value());
    ASSERT_TRUE(store_->Migrate(migrations).has_value());
    Reopen();
    ASSERT_TRUE(store_->Migrate(migrations).has_value());

    EXPECT_EQ(store_->SchemaVersion("m").value(), 2);
    EXPECT_EQ(store_->SchemaVersion("other").value(), 0);
    auto tx = BeginOrDie();
    EXPECT_EQ(tx->Query("SELECT COUNT(*) FROM b").value().at(0).Int(0), 1);
    auto recorded = tx->Query(
        "SELECT version FROM schema_migrations WHERE component = $1 ORDER BY version",
        {Value(std::string("m"))}
    );
    ASSERT_TRUE(recorded.has_value()) << recorded.error().ToString();
    ASSERT_EQ(recorded->size(), 2U);
    EXPECT_EQ(recorded->at(0).Int(0), 1);
    EXPECT_EQ(recorded->at(1).Int(0), 2);
}

TEST_P(StoreConformance, LaterMigrationIsAppliedOnTopOfEarlierOnes) {
    std::vector<Migration> migrations = {MakeMigration(1, "CREATE TABLE a (x BIGINT)")};
    ASSERT_TRUE(store_->Migrate(migrations).has_value());
    migrations.push_back(MakeMigration(2, "ALTER TABLE a ADD COLUMN y BIGINT"));
    ASSERT_TRUE(store_->Migrate(migrations).has_value());
    EXPECT_EQ(store_->SchemaVersion("m").value(), 2);
    auto tx = BeginOrDie();
    EXPECT_TRUE(tx->Execute("INSERT INTO a (x, y) VALUES (1, 2)").has_value());
}

TEST_P(StoreConformance, FailingMigrationLeavesNothingOfItself) {
    std::vector<Migration> migrations = {
        MakeMigration(1, "CREATE TABLE a (x BIGINT)"),
        MakeMigration(2, "CREATE TABLE c (x BIGINT); INSERT INTO a (x) VALUES (1); NOT SQL AT ALL"),
    };
    auto migrated = store_->Migrate(migrations);
    ASSERT_FALSE(migrated.has_value());
    EXPECT_EQ(migrated.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(migrated.error().message.find("version 2"), std::string::npos)
        << migrated.error().message;

    EXPECT_EQ(store_->SchemaVersion("m").value(), 1);
    {
        auto tx = BeginOrDie();
        EXPECT_EQ(tx->Query("SELECT COUNT(*) FROM a").value().at(0).Int(0), 0);
        auto missing = tx->Query("SELECT COUNT(*) FROM c");
        ASSERT_FALSE(missing.has_value());
        EXPECT_EQ(missing.error().code, ErrorCode::kInvalidArgument);
    }
    migrations[1] = MakeMigration(2, "CREATE TABLE c (x BIGINT)");
    ASSERT_TRUE(store_->Migrate(migrations).has_value());
    EXPECT_EQ(store_->SchemaVersion("m").value(), 2);
}

TEST_P(StoreConformance, MigrationsOutOfOrderAreRejected) {
    const std::vector<Migration> migrations = {
        MakeMigration(2, "CREATE TABLE b (x BIGINT)"),
        MakeMigration(1, "CREATE TABLE a (x BIGINT)"),
    };
    auto migrated = store_->Migrate(migrations);
    ASSERT_FALSE(migrated.has_value());
    EXPECT_EQ(migrated.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(store_->SchemaVersion("m").value(), 0);
}

TEST_P(StoreConformance, ConcurrentMigrationsFromTwoStoresApplyEachVersionOnce) {
    const std::vector<Migration> migrations = {
        MakeMigration(1, "CREATE TABLE a (x BIGINT)"),
        MakeMigration(2, "INSERT INTO a (x) VALUES (1)"),
        MakeMigration(3, "INSERT INTO a (x) VALUES (2)"),
    };
    auto other = Store::Open(url_);
    ASSERT_TRUE(other.has_value()) << other.error().ToString();
    Result<void> first;
    Result<void> second;
    std::thread t1([&] { first = store_->Migrate(migrations); });
    std::thread t2([&] { second = (*other)->Migrate(migrations); });
    t1.join();
    t2.join();
    ASSERT_TRUE(first.has_value()) << first.error().ToString();
    ASSERT_TRUE(second.has_value()) << second.error().ToString();
    EXPECT_EQ(store_->SchemaVersion("m").value(), 3);
    auto tx = BeginOrDie();
    EXPECT_EQ(tx->Query("SELECT COUNT(*) FROM a").value().at(0).Int(0), 2);
}

TEST_P(StoreConformance, CommitMakesDataVisible) {
    CreateItems();
    auto tx = BeginOrDie();
    auto changed = tx->Execute("INSERT INTO items (id, s) VALUES ($1, $2)", {std::int64_t{1}, "a"});
    ASSERT_TRUE(changed.has_value()) << changed.error().ToString();
    EXPECT_EQ(*changed, 1);
    ASSERT_TRUE(tx->Commit().has_value());
    EXPECT_EQ(CountItems(1), 1);
}

TEST_P(StoreConformance, ExecuteReportsRowsChanged) {
    CreateItems();
    auto tx = BeginOrDie();
    for (std::int64_t id = 1; id <= 3; ++id) {
        ASSERT_TRUE(tx->Execute("INSERT INTO items (id, i) VALUES ($1, 0)", {id}).has_value());
    }
    EXPECT_EQ(
        tx->Execute("UPDATE items SET i = i + 1 WHERE id >= $1", {std::int64_t{2}}).value(), 2
    );
    EXPECT_EQ(tx->Execute("DELETE FROM items WHERE id = $1", {std::int64_t{9}}).value(), 0);
    EXPECT_EQ(tx->Execute("SELECT id FROM items").value(), 0);
}

TEST_P(StoreConformance, RollbackDiscardsWrites) {
    CreateItems();
    auto tx = BeginOrDie();
    ASSERT_TRUE(tx->Execute("INSERT INTO items (id) VALUES ($1)", {std::int64_t{1}}).has_value());
    tx->Rollback();
    EXPECT_FALSE(tx->Commit().has_value());
    tx.reset();
    EXPECT_EQ(CountItems(1), 0);
}

TEST_P(StoreConformance, DestructorDiscardsUncommittedWrites) {
    CreateItems();
    {
        auto tx = BeginOrDie();
        ASSERT_TRUE(tx->Execute("INSERT INTO items (id) VALUES ($1)", {std::int64_t{1}}).has_value()
        );
    }
    EXPECT_EQ(CountItems(1), 0);
}

TEST_P(StoreConformance, ValuesRoundTrip) {
    CreateItems();
    std::mt19937_64 rng(42);
    Bytes mebibyte(1 << 20);
    for (auto& b : mebibyte) {
        b = static_cast<std::uint8_t>(rng());
    }
    const Bytes with_nuls = {0x00, 0x01, 0x00, 0xff, 0x00};
    const std::string utf8 = "h\xC3\xA9llo \xE2\x9C\x93 \xF0\x9D\x84\x9E \xE4\xB8\xAD\xE6\x96\x87";
    struct Case {
        std::int64_t id;
        Value i, s, b;
    };
    const std::vector<Case> cases = {
        {1, Null{}, Null{}, Null{}},
        {2, std::numeric_limits<std::int64_t>::min(), std::string(), Bytes{}},
        {3, std::numeric_limits<std::int64_t>::max(), utf8, with_nuls},
        {4, std::int64_t{0}, std::string("plain"), mebibyte},
        {5, std::int64_t{-1}, std::string(10000, 'x'), Bytes{0x00}},
    };
    {
        auto tx = BeginOrDie();
        for (const Case& c : cases) {
            auto inserted = tx->Execute(
                "INSERT INTO items (id, i, s, b) VALUES ($1, $2, $3, $4)", {c.id, c.i, c.s, c.b}
            );
            ASSERT_TRUE(inserted.has_value()) << inserted.error().ToString();
        }
        ASSERT_TRUE(tx->Commit().has_value());
    }
    Reopen();
    auto tx = BeginOrDie();
    auto rows = tx->Query("SELECT id, i, s, b FROM items ORDER BY id");
    ASSERT_TRUE(rows.has_value()) << rows.error().ToString();
    ASSERT_EQ(rows->size(), cases.size());
    for (std::size_t k = 0; k < cases.size(); ++k) {
        const Row& row = rows->at(k);
        ASSERT_EQ(row.Size(), 4U);
        EXPECT_EQ(row.Int(0), cases[k].id);
        EXPECT_EQ(row.At(1), cases[k].i) << "row " << k;
        EXPECT_EQ(row.At(2), cases[k].s) << "row " << k;
        EXPECT_EQ(row.At(3), cases[k].b) << "row " << k;
    }
    EXPECT_TRUE(rows->at(0).IsNull(1));
    EXPECT_FALSE(rows->at(1).IsNull(2));
    EXPECT_FALSE(rows->at(1).IsNull(3));
    EXPECT_EQ(rows->at(2).Blob(3).size(), 5U);
}

TEST_P(StoreConformance, ParametersBindByNumberInAnyOrder) {
    CreateItems();
    auto tx = BeginOrDie();
    ASSERT_TRUE(tx->Execute(
                      "INSERT INTO items (s, id, i) VALUES ($2, $1, $1)",
                      {std::int64_t{5}, std::string("five")}
    )
                    .has_value());
    auto rows = tx->Query(
        "SELECT i, s FROM items WHERE s = $2 AND id = $1", {std::int64_t{5}, std::string("five")}
    );
    ASSERT_TRUE(rows.has_value()) << rows.error().ToString();
    ASSERT_EQ(rows->size(), 1U);
    EXPECT_EQ(rows->at(0).Int(0), 5);
    EXPECT_EQ(rows->at(0).Text(1), "five");
}

TEST_P(StoreConformance, ColumnsReadByNameAndAlias) {
    CreateItems();
    auto tx = BeginOrDie();
    ASSERT_TRUE(tx->Execute(
                      "INSERT INTO items (id, s, i) VALUES ($1, $2, $3)",
                      {std::int64_t{7}, std::string("seven"), std::int64_t{70}}
    ).has_value());
    auto rows = tx->Query("SELECT s, i, id AS item_id, COUNT(*) AS n FROM items GROUP BY s, i, id");
    ASSERT_TRUE(rows.has_value()) << rows.error().ToString();
    ASSERT_EQ(rows->size(), 1U);
    const Row& row = rows->front();
    EXPECT_EQ(row.Text("s"), "seven");
    EXPECT_EQ(row.Int("i"), 70);
    EXPECT_EQ(row.Int("item_id"), 7);
    EXPECT_EQ(row.Int("n"), 1);
    EXPECT_EQ(row.Index("item_id"), 2U);
    EXPECT_FALSE(row.IsNull("s"));
}

TEST_P(StoreConformance, CommonDialectFeaturesWork) {
    CreateItems();
    auto tx = BeginOrDie();
    auto upsert = [&](std::int64_t id, std::string s) {
        return tx->Query(
            "INSERT INTO items (id, s) VALUES ($1, $2) "
            "ON CONFLICT (id) DO UPDATE SET s = excluded.s RETURNING id, s",
            {id, std::move(s)}
        );
    };
    auto first = upsert(1, "a");
    ASSERT_TRUE(first.has_value()) << first.error().ToString();
    auto second = upsert(1, "b");
    ASSERT_TRUE(second.has_value()) << second.error().ToString();
    ASSERT_EQ(second->size(), 1U);
    EXPECT_EQ(second->at(0).Text(1), "b");
    auto rows = tx->Query("SELECT COUNT(*), SUM(id), MAX(s) FROM items LIMIT 1");
    ASSERT_TRUE(rows.has_value()) << rows.error().ToString();
    EXPECT_EQ(rows->at(0).Int(0), 1);
    EXPECT_EQ(rows->at(0).Int(1), 1);
    EXPECT_EQ(rows->at(0).Text(2), "b");
}

TEST_P(StoreConformance, DuplicatePrimaryKeyIsAlreadyExistsAndCommitsNothing) {
    CreateItems();
    {
        auto tx = BeginOrDie();
        ASSERT_TRUE(tx->Execute("INSERT INTO items (id) VALUES (1)").has_value());
        ASSERT_TRUE(tx->Commit().has_value());
    }
    auto tx = BeginOrDie();
    ASSERT_TRUE(tx->Execute("INSERT INTO items (id) VALUES (2)").has_value());
    auto duplicate = tx->Execute("INSERT INTO items (id) VALUES (1)");
    ASSERT_FALSE(duplicate.has_value());
    EXPECT_EQ(duplicate.error().code, ErrorCode::kAlreadyExists) << duplicate.error().ToString();
    // After an error the transaction can only be rolled back.
    auto later = tx->Execute("INSERT INTO items (id) VALUES (3)");
    ASSERT_FALSE(later.has_value());
    EXPECT_EQ(later.error().code, ErrorCode::kInvalidArgument);
    auto committed = tx->Commit();
    ASSERT_FALSE(committed.has_value());
    tx.reset();
    EXPECT_EQ(CountItems(1), 1);
    EXPECT_EQ(CountItems(2), 0);
    EXPECT_EQ(CountItems(3), 0);
}

TEST_P(StoreConformance, SqlErrorsAreInvalidArgument) {
    CreateItems();
    const std::vector<std::string> bad = {
        "SELEKT 1",
        "SELECT * FROM no_such_table",
        "SELECT nope FROM items",
        "INSERT INTO items (id) VALUES (1); INSERT INTO items (id) VALUES (2)",
        "SELECT $1, $2",  // two parameters used, one given
    };
    for (const std::string& sql : bad) {
        auto tx = BeginOrDie();
        auto result = tx->Query(sql, {std::int64_t{1}});
        ASSERT_FALSE(result.has_value()) << sql;
        EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument)
            << sql << ": " << result.error().ToString();
    }
    EXPECT_EQ(CountItems(1), 0);
}

TEST_P(StoreConformance, NotNullViolationIsInvalidArgument) {
    CreateItems();
    auto tx = BeginOrDie();
    auto result = tx->Execute("INSERT INTO counter (id, n) VALUES (2, NULL)");
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
}

TEST_P(StoreConformance, OnCommitHooksRunOnlyAfterCommit) {
    CreateItems();
    std::vector<std::string> events;
    {
        auto tx = BeginOrDie();
        tx->OnCommit([&] { events.push_back("first"); });
        ASSERT_TRUE(tx->Execute("INSERT INTO items (id) VALUES (1)").has_value());
        tx->OnCommit([&] { events.push_back("second"); });
        EXPECT_TRUE(events.empty());
        ASSERT_TRUE(tx->Commit().has_value());
        EXPECT_EQ(events, (std::vector<std::string>{"first", "second"}));
    }
    {
        auto tx = BeginOrDie();
        tx->OnCommit([&] { events.push_back("rolled back"); });
        tx->Rollback();
    }
    {
        auto tx = BeginOrDie();
        tx->OnCommit([&] { events.push_back("destroyed"); });
    }
    {
        auto tx = BeginOrDie();
        tx->OnCommit([&] { events.push_back("failed"); });
        EXPECT_FALSE(tx->Execute("INSERT INTO items (id) VALUES (1)").has_value());
        EXPECT_FALSE(tx->Commit().has_value());
    }
    EXPECT_EQ(events, (std::vector<std::string>{"first", "second"}));
}

TEST_P(StoreConformance, ConcurrentWritersLoseNoUpdate) {
    CreateItems();
    constexpr int kThreads = 4;
    constexpr int kIncrements = 200;
    std::atomic<int> failures{0};
    std::vector<std::int64_t> seen[kThreads];
    std::vector<std::thread> threads;
    threads.reserve(kThreads);
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int k = 0; k < kIncrements; ++k) {
                auto tx = store_->Begin();
                if (!tx) {
                    ++failures;
                    continue;
                }
                auto rows = (*tx)->Query("UPDATE counter SET n = n + 1 WHERE id = 1 RETURNING n");
                if (!rows || rows->size() != 1 || !(*tx)->Commit()) {
                    ++failures;
                    continue;
                }
                seen[t].push_back(rows->at(0).Int(0));
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    EXPECT_EQ(failures.load(), 0);
    auto tx = BeginOrDie();
    EXPECT_EQ(
        tx->Query("SELECT n FROM counter WHERE id = 1").value().at(0).Int(0), kThreads * kIncrements
    );
    std::set<std::int64_t> all;
    for (const auto& values : seen) {
        all.insert(values.begin(), values.end());
    }
    EXPECT_EQ(all.size(), static_cast<std::size_t>(kThreads * kIncrements));
}

TEST_P(StoreConformance, DataSurvivesCloseAndReopen) {
    CreateItems();
    {
        auto tx = BeginOrDie();
        ASSERT_TRUE(tx->Execute("INSERT INTO items (id, s) VALUES (1, 'kept')").has_value());
        ASSERT_TRUE(tx->Commit().has_value());
    }
    Reopen();
    EXPECT_EQ(store_->SchemaVersion("conformance").value(), 1);
    auto tx = BeginOrDie();
    auto rows = tx->Query("SELECT s FROM items WHERE id = 1");
    ASSERT_TRUE(rows.has_value()) << rows.error().ToString();
    ASSERT_EQ(rows->size(), 1U);
    EXPECT_EQ(rows->at(0).Text(0), "kept");
}

TEST_P(StoreConformance, CheckIntegrityPasses) {
    CreateItems();
    {
        auto tx = BeginOrDie();
        ASSERT_TRUE(tx->Execute("INSERT INTO items (id) VALUES (1)").has_value());
        ASSERT_TRUE(tx->Commit().has_value());
    }
    auto checked = store_->CheckIntegrity();
    EXPECT_TRUE(checked.has_value()) << checked.error().ToString();
}

/// A temporary folder for backup files, whatever the backend.
std::filesystem::path ScratchFolder() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "concord-backup-XXXXXX").string();
    EXPECT_NE(mkdtemp(pattern.data()), nullptr);
    return pattern;
}

TEST_P(StoreConformance, ABackupRestoresIntoAnEmptyStoreAsItWasWhenTaken) {
    CreateItems();
    {
        auto tx = BeginOrDie();
        for (std::int64_t id = 1; id <= 200; ++id) {
            ASSERT_TRUE(tx->Execute(
                "INSERT INTO items (id, i, s, b) VALUES ($1, $2, $3, $4)",
                {Value(id),
                 Value(id * 7),
                 Value("item " + std::to_string(id)),
                 Value(Bytes{static_cast<std::uint8_t>(id), 0, 255})}
            ));
        }
        ASSERT_TRUE(tx->Commit());
    }
    const std::filesystem::path scratch = ScratchFolder();
    const std::filesystem::path copy = scratch / "copy";
    auto backed_up = store_->BackupTo(copy);
    ASSERT_TRUE(backed_up) << backed_up.error().ToString();
    // Written after the copy: not in it.
    {
        auto tx = BeginOrDie();
        ASSERT_TRUE(tx->Execute("INSERT INTO items (id, i) VALUES (999, 1)"));
        ASSERT_TRUE(tx->Commit());
    }
    EXPECT_EQ(store_->BackupTo(copy).error().code, ErrorCode::kAlreadyExists);

    std::string target_url;
    if (GetParam() == Backend::kSqlite) {
        target_url = "sqlite:" + (scratch / "restored.db").string();
    } else {
        CONCORD_FRESH_PG_DSN_OR_SKIP(dsn);
        target_url = dsn;
    }
    auto target = Store::Open(target_url);
    ASSERT_TRUE(target) << target.error().ToString();
    // Not a copy: refused, and the target stays empty.
    std::ofstream(scratch / "not-a-copy") << "these bytes are no database";
    auto bad = (*target)->RestoreFrom(scratch / "not-a-copy");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument) << bad.error().ToString();
    EXPECT_EQ((*target)->SchemaVersion("conformance").value(), 0);
    EXPECT_EQ((*target)->RestoreFrom(scratch / "missing").error().code, ErrorCode::kNotFound);

    auto restored = (*target)->RestoreFrom(copy);
    ASSERT_TRUE(restored) << restored.error().ToString();
    EXPECT_EQ((*target)->SchemaVersion("conformance").value(), 1);
    {
        auto tx = (*target)->Begin();
        ASSERT_TRUE(tx);
        auto rows = (*tx)->Query("SELECT id, i, s, b FROM items ORDER BY id");
        ASSERT_TRUE(rows) << rows.error().ToString();
        ASSERT_EQ(rows->size(), 200u);
        EXPECT_EQ(rows->at(41).Int(0), 42);
        EXPECT_EQ(rows->at(41).Int(1), 294);
        EXPECT_EQ(rows->at(41).Text(2), "item 42");
        EXPECT_EQ(rows->at(41).Blob(3), (Bytes{42, 0, 255}));
        // The restored store takes writes like any other.
        ASSERT_TRUE((*tx)->Execute("INSERT INTO items (id, i) VALUES (999, 2)"));
        ASSERT_TRUE((*tx)->Commit());
    }
    EXPECT_TRUE((*target)->CheckIntegrity());
    // A store that holds tables is never overwritten.
    auto again = (*target)->RestoreFrom(copy);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
    {
        // Its rows are as they were: the row written after the restore is still there.
        auto tx = (*target)->Begin();
        ASSERT_TRUE(tx);
        auto rows = (*tx)->Query("SELECT i FROM items WHERE id = 999");
        ASSERT_TRUE(rows) << rows.error().ToString();
        ASSERT_EQ(rows->size(), 1u);
        EXPECT_EQ(rows->at(0).Int(0), 2);
    }
    target->reset();
    std::filesystem::remove_all(scratch);
}

}  // namespace
}  // namespace concord::store
