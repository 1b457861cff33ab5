#pragma once

// Test support of libs/app: a store on each backend and a fake clock.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "concord/store/store.hpp"
#include "concord/store/testing/pg_test.hpp"

namespace concord::app::testing {

/// A clock the test moves by hand.
class FakeClock {
public:
    explicit FakeClock(std::int64_t start_ms) : now_(start_ms) {}
    std::int64_t Now() const { return now_.load(); }
    void Set(std::int64_t ms) { now_.store(ms); }
    void Advance(std::int64_t ms) { now_.fetch_add(ms); }
    std::function<std::int64_t()> Function() {
        return [this] { return now_.load(); };
    }

private:
    std::atomic<std::int64_t> now_;
};

/// A fixture parameterised by backend ("sqlite", "postgres"); OpenStore() gives a fresh store.
class BackendTest : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("concord-app-" + std::to_string(std::random_device{}()));
        std::filesystem::create_directories(dir_);
        if (GetParam() == "postgres") {
            CONCORD_FRESH_PG_DSN_OR_SKIP(dsn);
            pg_dsn_ = dsn;
        }
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    /// A store for `name`: the same name reopens the same database (a SQLite file, or on
    /// PostgreSQL a fresh database created the first time the name is used).
    std::unique_ptr<store::Store> OpenStore(const std::string& name) {
        std::string url = "sqlite:" + (dir_ / (name + ".db")).string();
        if (GetParam() == "postgres") {
            auto it = pg_dsns_.find(name);
            if (it == pg_dsns_.end()) {
                auto dsn = pg_dsns_.empty() ? Result<std::string>(pg_dsn_)
                                            : store::testing::CreateFreshPgDatabase();
                EXPECT_TRUE(dsn) << dsn.error().ToString();
                it = pg_dsns_.emplace(name, dsn ? *dsn : "").first;
            }
            url = it->second;
        }
        auto store = store::Store::Open(url);
        EXPECT_TRUE(store) << store.error().ToString();
        return store ? std::move(*store) : nullptr;
    }

    std::filesystem::path dir_;
    std::string pg_dsn_;
    std::map<std::string, std::string> pg_dsns_;
};

/// Polls `done` every 5 ms until it holds or a generous hang guard (30 s) ends.
inline bool WaitFor(const std::function<bool()>& done) {
    const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < limit) {
        if (done()) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return done();
}

}  // namespace concord::app::testing
