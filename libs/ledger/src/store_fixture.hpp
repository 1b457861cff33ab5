#pragma once

// A test fixture that gives each test a fresh, empty Store on the backend named by the test
// parameter: "sqlite" (a file in a temporary directory) or "postgres" (a new database on the
// throwaway PostgreSQL cluster that CTest starts; see scripts/pg-test-cluster).

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "concord/crypto/init.hpp"
#include "concord/store/store.hpp"
#include "concord/store/testing/pg_test.hpp"

#include "test_util.hpp"

namespace concord::ledger::testing {

inline auto AllBackends() {
    return ::testing::Values(std::string("sqlite"), std::string("postgres"));
}

inline std::string BackendName(const ::testing::TestParamInfo<std::string>& info) {
    return info.param;
}

class StoreFixture : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        ASSERT_TRUE(crypto::Initialize());
        if (GetParam() == "sqlite") {
            url_ = "sqlite:" + (dir_.Path() / "store.db").string();
        } else {
            CONCORD_FRESH_PG_DSN_OR_SKIP(dsn);
            url_ = dsn;
        }
        auto opened = OpenStore();
        ASSERT_TRUE(opened) << opened.error().ToString();
        store_ = std::move(*opened);
    }

    /// Opens the test's store (again); for reopen tests.
    Result<std::unique_ptr<store::Store>> OpenStore() { return store::Store::Open(url_); }

    TempDir dir_;
    std::string url_;
    std::unique_ptr<store::Store> store_;
};

}  // namespace concord::ledger::testing
