#include "concord/app/access_log.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "case_test_support.hpp"

namespace concord::app {
namespace {

class AccessLogTest : public testing::TwoNodes {
protected:
    void SetUp() override {
        TwoNodes::SetUp();
        if (IsSkipped() || HasFailure()) {
            return;
        }
        case_id_ =
            a_.cases->Draft(alice_, DraftInput{testing::ExampleRequest(), b_.id, "normal", ""})
                .value()
                .id;
    }

    /// The audit leaf at `index` of A's log.
    boost::json::object Leaf(std::uint64_t index) {
        auto tx = a_.store->Begin().value();
        auto rows = tx->Query(
                          "SELECT data FROM ledger_entries WHERE idx = $1",
                          {static_cast<std::int64_t>(index)}
        )
                        .value();
        EXPECT_EQ(rows.size(), 1U);
        tx->Rollback();
        return rows.empty() ? boost::json::object{}
                            : boost::json::parse(ToString(rows[0].Blob(0))).as_object();
    }

    std::string case_id_;
    const Actor auditor_ = testing::Person("ines", "dpo", {Role::kAuditor});
};

TEST_P(AccessLogTest, EveryReadOfACaseIsRecordedAndTheAuditorListsThemWithoutContent) {
    ASSERT_TRUE(a_.cases->Read(alice_, case_id_));
    ASSERT_TRUE(a_.cases->Read(dora_, case_id_));
    ASSERT_TRUE(a_.cases->Read(alice_, case_id_));
    // A summary (no request content) is not recorded; a refused read is not a read.
    auto summary = a_.cases->Summary(alice_, case_id_);
    ASSERT_TRUE(summary);
    EXPECT_TRUE(summary->body.empty());
    EXPECT_EQ(summary->peer_node, b_.id);
    const Actor carol = testing::Person("carol", "fraud", {Role::kOfficer});
    EXPECT_EQ(a_.cases->Read(carol, case_id_).error().code, ErrorCode::kPermissionDenied);
    EXPECT_EQ(a_.cases->Summary(carol, case_id_).error().code, ErrorCode::kPermissionDenied);

    auto all = ListAccess(*a_.store, auditor_, AccessFilter{case_id_, "", 100, std::nullopt});
    ASSERT_TRUE(all) << all.error().ToString();
    ASSERT_EQ(all->size(), 3U);
    // Newest first, each pointing at the audit leaf that proves it.
    EXPECT_EQ((*all)[0].actor, "user:alice");
    EXPECT_EQ((*all)[1].actor, "user:dora");
    EXPECT_GT((*all)[0].ledger_index, (*all)[1].ledger_index);
    for (const AccessRecord& r : *all) {
        EXPECT_EQ(r.event, "case.read");
        EXPECT_EQ(r.case_id, case_id_);
        EXPECT_EQ(r.object, "case");
        const auto leaf = Leaf(r.ledger_index);
        EXPECT_EQ(leaf.at("event").as_string(), "case.read");
        EXPECT_EQ(leaf.at("case").as_string(), case_id_);
        EXPECT_EQ(leaf.at("actor").as_string(), r.actor);
        EXPECT_FALSE(leaf.contains("request"));  // metadata only
    }

    auto by_dora = ListAccess(*a_.store, auditor_, AccessFilter{"", "user:dora", 100, {}});
    ASSERT_TRUE(by_dora);
    ASSERT_EQ(by_dora->size(), 1U);
    EXPECT_EQ((*by_dora)[0].actor, "user:dora");

    // Pages: the newest one, then the ones before it.
    auto first = ListAccess(*a_.store, auditor_, AccessFilter{case_id_, "", 1, {}}).value();
    ASSERT_EQ(first.size(), 1U);
    auto rest =
        ListAccess(*a_.store, auditor_, AccessFilter{case_id_, "", 100, first[0].ledger_index})
            .value();
    ASSERT_EQ(rest.size(), 2U);
    EXPECT_EQ(rest[0].ledger_index, (*all)[1].ledger_index);

    auto none = ListAccess(*a_.store, auditor_, AccessFilter{"no-such-case", "", 100, {}});
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->empty());
}

TEST_P(AccessLogTest, OnlyTheAuditorListsReadsAndTheLimitIsBounded) {
    ASSERT_TRUE(a_.cases->Read(alice_, case_id_));
    EXPECT_EQ(
        ListAccess(*a_.store, alice_, AccessFilter{}).error().code, ErrorCode::kPermissionDenied
    );
    EXPECT_EQ(
        ListAccess(*a_.store, Actor::Node(), AccessFilter{}).value().size(), 1U
    );  // the node token holds every role
    for (std::uint64_t bad : {std::uint64_t{0}, kMaxAccessRecords + 1}) {
        AccessFilter f;
        f.limit = bad;
        EXPECT_EQ(ListAccess(*a_.store, auditor_, f).error().code, ErrorCode::kInvalidArgument);
    }
}

INSTANTIATE_TEST_SUITE_P(
    Backends,
    AccessLogTest,
    ::testing::Values("sqlite", "postgres"),
    [](const auto& param_info) { return std::string(param_info.param); }
);

}  // namespace
}  // namespace concord::app
