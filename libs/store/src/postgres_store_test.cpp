// PostgreSQL-specific behaviour: durability refusal, lost and stale connections.

#include <gtest/gtest.h>

#include "concord/store/store.hpp"
#include "concord/store/testing/pg_test.hpp"

namespace concord::store {
namespace {

std::int64_t BackendPid(Transaction& tx) {
    auto rows = tx.Query("SELECT pg_backend_pid()");
    EXPECT_TRUE(rows.has_value()) << rows.error().ToString();
    return rows.has_value() ? rows->at(0).Int(0) : -1;
}

TEST(PostgresStore, RefusesSynchronousCommitOff) {
    CONCORD_FRESH_PG_DSN_OR_SKIP(dsn);
    auto store = Store::Open(dsn + " options='-c synchronous_commit=off'");
    ASSERT_FALSE(store.has_value());
    EXPECT_EQ(store.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(store.error().message.find("synchronous_commit"), std::string::npos)
        << store.error().message;
}

TEST(PostgresStore, UnreachableServerIsUnavailable) {
    auto store = Store::Open("host=/nonexistent-concord-dir dbname=x connect_timeout=2");
    ASSERT_FALSE(store.has_value());
    EXPECT_EQ(store.error().code, ErrorCode::kUnavailable) << store.error().ToString();
}

TEST(PostgresStore, LostConnectionIsUnavailableAndNotReused) {
    CONCORD_FRESH_PG_DSN_OR_SKIP(dsn);
    auto store = Store::Open(dsn);
    ASSERT_TRUE(store.has_value()) << store.error().ToString();
    auto victim = (*store)->Begin();
    ASSERT_TRUE(victim.has_value());
    const std::int64_t victim_pid = BackendPid(**victim);
    {
        auto killer = (*store)->Begin();
        ASSERT_TRUE(killer.has_value());
        ASSERT_TRUE(
            (*killer)->Query("SELECT pg_terminate_backend($1::int)", {victim_pid}).has_value()
        );
        ASSERT_TRUE((*killer)->Commit().has_value());
    }
    auto lost = (*victim)->Query("SELECT 1");
    ASSERT_FALSE(lost.has_value());
    EXPECT_EQ(lost.error().code, ErrorCode::kUnavailable) << lost.error().ToString();
    victim->reset();

    // Every connection handed out now is alive.
    std::vector<std::unique_ptr<Transaction>> open;
    for (int i = 0; i < 3; ++i) {
        auto tx = (*store)->Begin();
        ASSERT_TRUE(tx.has_value()) << tx.error().ToString();
        EXPECT_NE(BackendPid(**tx), victim_pid);
        open.push_back(std::move(*tx));
    }
}

TEST(PostgresStore, IdleConnectionKilledByServerIsReplaced) {
    CONCORD_FRESH_PG_DSN_OR_SKIP(dsn);
    auto store = Store::Open(dsn);
    ASSERT_TRUE(store.has_value()) << store.error().ToString();
    std::int64_t idle_pid = 0;
    {
        auto tx = (*store)->Begin();
        ASSERT_TRUE(tx.has_value());
        idle_pid = BackendPid(**tx);
        ASSERT_TRUE((*tx)->Commit().has_value());
    }
    {
        auto other = Store::Open(dsn);
        ASSERT_TRUE(other.has_value());
        auto tx = (*other)->Begin();
        ASSERT_TRUE(tx.has_value());
        ASSERT_TRUE((*tx)->Query("SELECT pg_terminate_backend($1::int)", {idle_pid}).has_value());
        ASSERT_TRUE((*tx)->Commit().has_value());
    }
    auto tx = (*store)->Begin();
    ASSERT_TRUE(tx.has_value()) << tx.error().ToString();
    EXPECT_NE(BackendPid(**tx), idle_pid);
}

TEST(PostgresStore, SerializationFailureIsUnavailable) {
    CONCORD_FRESH_PG_DSN_OR_SKIP(dsn);
    auto store = Store::Open(dsn);
    ASSERT_TRUE(store.has_value()) << store.error().ToString();
    auto tx = (*store)->Begin();
    ASSERT_TRUE(tx.has_value());
    auto raised = (*tx)->Execute(
        "DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = 'serialization_failure'; END $$"
    );
    ASSERT_FALSE(raised.has_value());
    EXPECT_EQ(raised.error().code, ErrorCode::kUnavailable) << raised.error().ToString();
}

TEST(PostgresStore, PreparedStatementsSurviveRollbackTypeChangesAndManyTexts) {
    CONCORD_FRESH_PG_DSN_OR_SKIP(dsn);
    auto store = Store::Open(dsn);
    ASSERT_TRUE(store.has_value()) << store.error().ToString();
    ASSERT_TRUE((*store)
                    ->Migrate(std::vector<Migration>{{
                        .component = "prepared",
                        .version = 1,
                        .sqlite_sql = "",
                        .postgres_sql = "CREATE TABLE t (id BIGINT PRIMARY KEY, v TEXT)",
                    }})
                    .has_value());
    constexpr std::string_view kInsert = "INSERT INTO t (id, v) VALUES ($1, $2)";
    {
        auto tx = (*store)->Begin();
        ASSERT_TRUE(tx.has_value());
        ASSERT_TRUE((*tx)->Execute(kInsert, {std::int64_t{1}, std::string("a")}).has_value());
        (*tx)->Rollback();
    }
    auto tx = (*store)->Begin();
    ASSERT_TRUE(tx.has_value());
    // The same text after a rollback, then with a NULL where text was.
    ASSERT_TRUE((*tx)->Execute(kInsert, {std::int64_t{1}, std::string("a")}).has_value());
    ASSERT_TRUE((*tx)->Execute(kInsert, {std::int64_t{2}, Null{}}).has_value());
    // More distinct statements than one connection prepares: the rest run unprepared.
    for (int i = 0; i < 300; ++i) {
        auto rows = (*tx)->Query("SELECT $1::bigint + " + std::to_string(i), {std::int64_t{1000}});
        ASSERT_TRUE(rows.has_value()) << rows.error().ToString();
        EXPECT_EQ(rows->at(0).Int(0), 1000 + i);
    }
    auto rows = (*tx)->Query("SELECT id, v FROM t ORDER BY id");
    ASSERT_TRUE(rows.has_value());
    ASSERT_EQ(rows->size(), 2u);
    EXPECT_EQ(rows->at(0).Text(1), "a");
    EXPECT_TRUE(rows->at(1).IsNull(1));
    ASSERT_TRUE((*tx)->Commit().has_value());
}

}  // namespace
}  // namespace concord::store
