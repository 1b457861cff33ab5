#include "concord/app/statistics_eu.hpp"

#include <map>
#include <string>
#include <tuple>
#include <vector>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "concord/app/case_service.hpp"
#include "concord/app/domain_events.hpp"

#include "app_test_support.hpp"
#include "case_test_support.hpp"

namespace concord::app {
namespace {

using testing::BackendTest;
using testing::Person;

constexpr std::int64_t kT0 = 1'800'000'000'000;  // 2027-01-15
constexpr std::int64_t kMinute = 60'000;
constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kDay = 24 * kHour;

// One request as its domain events tell it.
struct Order {
    std::string id;
    std::string type;
    std::string direction;
    std::string peer;
    std::string priority;
    std::vector<std::string> categories;
    std::int64_t sent_ms;
    std::string answer;  // "respond", "refuse", "withdraw" or "" (open)
    std::int64_t answered_ms{0};
    std::vector<std::string> grounds{};
};

class EuArt28Test : public BackendTest {
protected:
    void SetUp() override {
        BackendTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        store_ = OpenStore("eu-statistics");
        ASSERT_NE(store_, nullptr);
        ASSERT_TRUE(store_->Migrate(CaseService::Migrations()));
        ASSERT_TRUE(store_->Migrate(StatisticsService::Migrations()));
        statistics_ = std::make_unique<StatisticsService>(*store_);
        reporter_ = std::make_unique<EuArt28Reporter>(*store_, *statistics_);
    }

    void Append(const Order& o, const std::string& kind, std::int64_t at_ms, std::string to) {
        DomainEvent e;
        e.at_ms = at_ms;
        e.actor = "node";
        e.kind = kind;
        e.case_id = o.id;
        e.request_type = o.type;
        e.requesting_party = "FR";
        e.requested_party = "IE";
        e.priority = o.priority;
        e.to_state = std::move(to);
        e.direction = o.direction;
        e.data_categories = o.categories;
        e.peer_node = o.peer;
        if (kind == "refuse") {
            e.grounds = o.grounds;
        }
        auto tx = store_->Begin();
        ASSERT_TRUE(tx);
        ASSERT_TRUE(AppendDomainEvent(**tx, e));
        ASSERT_TRUE((*tx)->Commit());
    }

    void Record(const Order& o) {
        Append(o, o.direction == "in" ? "received" : "send", o.sent_ms, "sent");
        if (o.answer == "respond") {
            Append(o, "respond", o.answered_ms, "responded");
        } else if (o.answer == "refuse") {
            Append(o, "refuse", o.answered_ms, "refused");
        } else if (o.answer == "withdraw") {
            Append(o, "withdraw", o.answered_ms, "withdrawn");
        }
    }

    // Six EPOCs for subscriber data to provider.ie, five answered after 1 to 5 hours and one
    // refused; two emergency EPOCs for traffic and content answered after 30 minutes; three
    // EPOC-PRs naming no category to host.ie, one withdrawn. Outside the report: an EPOC this
    // node received, an outgoing MLA request, and an EPOC sent the day before.
    void Scenario() {
        for (int i = 0; i < 6; ++i) {
            const bool refused = i == 5;
            Record(
                {"epoc-" + std::to_string(i),
                 "epoc",
                 "out",
                 "provider.ie",
                 "normal",
                 {"subscriber"},
                 kT0 + i * kMinute,
                 refused ? "refuse" : "respond",
                 kT0 + i * kMinute + (refused ? kHour : (i + 1) * kHour),
                 refused ? std::vector<std::string>{"immunity", "fundamental_rights"}
                         : std::vector<std::string>{}}
            );
        }
        for (int i = 0; i < 2; ++i) {
            Record(
                {"urgent-" + std::to_string(i),
                 "epoc",
                 "out",
                 "provider.ie",
                 "emergency",
                 {"traffic", "content"},
                 kT0 + kHour,
                 "respond",
                 kT0 + kHour + 30 * kMinute}
            );
        }
        for (int i = 0; i < 3; ++i) {
            Record(
                {"preserve-" + std::to_string(i),
                 "epoc_pr",
                 "out",
                 "host.ie",
                 "normal",
                 {},
                 kT0 + 2 * kHour,
                 i == 0 ? "withdraw" : "",
                 kT0 + 3 * kHour}
            );
        }
        Record({"received", "epoc", "in", "fr.central", "normal", {"subscriber"}, kT0, "", 0});
        Record({"mla", "mla_stored_data", "out", "ie.central", "normal", {}, kT0, "", 0});
        Record({"early", "epoc", "out", "provider.ie", "normal", {"subscriber"}, kT0 - kHour, "", 0}
        );
    }

    EuArt28Report Report(std::int64_t threshold) {
        auto report = reporter_->Report(statistician_, StatisticsQuery{kT0, kT0 + kDay, threshold});
        EXPECT_TRUE(report) << report.error().ToString();
        return report ? *report : EuArt28Report{};
    }

    static const EuOrderFigures* Row(
        const EuArt28Report& r,
        const std::string& order,
        const std::string& category,
        const std::string& addressee,
        const std::string& situation
    ) {
        for (const EuOrderFigures& f : r.orders) {
            if (std::tie(f.order, f.data_category, f.addressee, f.situation) ==
                std::tie(order, category, addressee, situation)) {
                return &f;
            }
        }
        return nullptr;
    }

    std::unique_ptr<store::Store> store_;
    std::unique_ptr<StatisticsService> statistics_;
    std::unique_ptr<EuArt28Reporter> reporter_;
    Actor statistician_ = Person("stat", "statistics", {Role::kStatistician});
};

TEST_P(EuArt28Test, TheOrdersThisNodeIssuedAreCountedByTypeOfDataAddresseeAndSituation) {
    Scenario();
    const EuArt28Report r = Report(1);
    EXPECT_EQ(r.emergency_epocs, Figure{2});

    const EuOrderFigures* all = Row(r, "epoc", "all", "provider.ie", "normal");
    ASSERT_NE(all, nullptr);
    EXPECT_EQ(all->issued, Figure{6});  // not the one sent the day before
    EXPECT_EQ(all->fulfilled, Figure{5});
    EXPECT_EQ(all->not_fulfilled, Figure{1});
    EXPECT_EQ(all->open, Figure{0});
    EXPECT_EQ(all->average_ms, Figure{3 * kHour});  // (1 + 2 + 3 + 4 + 5) / 5 hours
    const EuOrderFigures* subscriber = Row(r, "epoc", "subscriber", "provider.ie", "normal");
    ASSERT_NE(subscriber, nullptr);
    EXPECT_EQ(subscriber->issued, Figure{6});

    // An order naming two categories counts under each, and once under "all".
    for (const char* category : {"traffic", "content", "all"}) {
        const EuOrderFigures* urgent = Row(r, "epoc", category, "provider.ie", "emergency");
        ASSERT_NE(urgent, nullptr) << category;
        EXPECT_EQ(urgent->issued, Figure{2}) << category;
        EXPECT_EQ(urgent->average_ms, Figure{30 * kMinute}) << category;
    }

    const EuOrderFigures* preserve = Row(r, "epoc_pr", "unspecified", "host.ie", "normal");
    ASSERT_NE(preserve, nullptr);
    EXPECT_EQ(preserve->issued, Figure{3});
    EXPECT_EQ(preserve->withdrawn, Figure{1});
    EXPECT_EQ(preserve->open, Figure{2});
    EXPECT_EQ(preserve->average_ms, Figure{});  // (e) is of EPOCs only

    for (const EuOrderFigures& f : r.orders) {
        EXPECT_NE(f.addressee, "fr.central") << "an incoming EPOC was counted";
        EXPECT_NE(f.order, "mla_stored_data");
    }
    // (d): the refused EPOC under each of its two grounds.
    ASSERT_EQ(r.refusals.size(), 2U);
    for (const EuRefusalFigures& f : r.refusals) {
        EXPECT_EQ(f.addressee, "provider.ie");
        EXPECT_EQ(f.refusals, Figure{1});
    }
}

TEST_P(EuArt28Test, SmallFiguresAreHiddenAndTheirComplementWithThem) {
    Scenario();
    const EuArt28Report r = Report(5);
    EXPECT_EQ(r.emergency_epocs, Figure{});  // 2 < 5
    const EuOrderFigures* all = Row(r, "epoc", "all", "provider.ie", "normal");
    ASSERT_NE(all, nullptr);
    EXPECT_EQ(all->issued, Figure{6});
    // One refusal alone would be 6 − 5: the fulfilled count is hidden with it.
    EXPECT_EQ(all->not_fulfilled, Figure{});
    EXPECT_EQ(all->fulfilled, Figure{});
    EXPECT_EQ(all->average_ms, Figure{3 * kHour});  // five durations: enough
    const EuOrderFigures* preserve = Row(r, "epoc_pr", "unspecified", "host.ie", "normal");
    ASSERT_NE(preserve, nullptr);
    EXPECT_EQ(preserve->issued, Figure{});
    EXPECT_EQ(preserve->withdrawn, Figure{});
    EXPECT_EQ(preserve->open, Figure{});
    for (const EuRefusalFigures& f : r.refusals) {
        EXPECT_EQ(f.refusals, Figure{});
    }
}

TEST_P(EuArt28Test, WholeDaysComeFromTheRollupAndAddUpToTheirHalves) {
    Scenario();
    // The day of kT0 (08:00 UTC) as a whole day: read from the rollup of the EU tables. Its
    // halves are read from the requests themselves. The EPOC sent at 07:00 is in this day.
    const std::int64_t midnight = (kT0 / kDay) * kDay;
    const auto report = [&](std::int64_t from, std::int64_t to) {
        auto r = reporter_->Report(statistician_, StatisticsQuery{from, to, 1});
        EXPECT_TRUE(r) << r.error().ToString();
        return r ? *r : EuArt28Report{};
    };
    const EuArt28Report day = report(midnight, midnight + kDay);
    const EuArt28Report morning = report(midnight, midnight + kDay / 2);
    const EuArt28Report afternoon = report(midnight + kDay / 2, midnight + kDay);
    EXPECT_TRUE(afternoon.orders.empty());
    ASSERT_EQ(day.orders.size(), morning.orders.size());
    for (std::size_t i = 0; i < day.orders.size(); ++i) {
        const EuOrderFigures& d = day.orders[i];
        const EuOrderFigures& m = morning.orders[i];
        EXPECT_EQ(
            std::tie(d.order, d.data_category, d.addressee, d.situation),
            std::tie(m.order, m.data_category, m.addressee, m.situation)
        );
        EXPECT_EQ(
            std::tie(d.issued, d.fulfilled, d.not_fulfilled, d.withdrawn, d.open, d.average_ms),
            std::tie(m.issued, m.fulfilled, m.not_fulfilled, m.withdrawn, m.open, m.average_ms)
        ) << d.order
          << " " << d.data_category << " " << d.situation;
    }
    ASSERT_EQ(day.refusals.size(), 2U);
    EXPECT_EQ(day.emergency_epocs, Figure{2});
    const EuOrderFigures* all = Row(day, "epoc", "all", "provider.ie", "normal");
    ASSERT_NE(all, nullptr);
    EXPECT_EQ(all->issued, Figure{7});
    EXPECT_EQ(all->open, Figure{1});
    EXPECT_EQ(all->average_ms, Figure{3 * kHour});

    // The EPOC sent at 07:00 answered after six hours: the fold moves the day's rollup.
    Append(
        {"early", "epoc", "out", "provider.ie", "normal", {"subscriber"}, kT0 - kHour, "", 0},
        "respond",
        kT0 + 5 * kHour,
        "responded"
    );
    const EuArt28Report moved = report(midnight, midnight + kDay);
    all = Row(moved, "epoc", "all", "provider.ie", "normal");
    ASSERT_NE(all, nullptr);
    EXPECT_EQ(all->fulfilled, Figure{6});
    EXPECT_EQ(all->open, Figure{0});
    EXPECT_EQ(all->average_ms, Figure{(15 + 6) * kHour / 6});

    // A rollup row whose times do not decode: the rollup is built again and the figures stay.
    {
        auto tx = store_->Begin();
        ASSERT_TRUE(tx);
        ASSERT_TRUE((*tx)->Execute("UPDATE app_stats_eu_days SET to_answer = $1", {Bytes{0x80}}));
        ASSERT_TRUE((*tx)->Commit());
    }
    const EuArt28Report rebuilt = report(midnight, midnight + kDay);
    all = Row(rebuilt, "epoc", "all", "provider.ie", "normal");
    ASSERT_NE(all, nullptr);
    EXPECT_EQ(all->average_ms, Figure{(15 + 6) * kHour / 6});
    EXPECT_EQ(rebuilt.orders.size(), moved.orders.size());
}

TEST_P(EuArt28Test, TheJsonNamesThePointsConcordDoesNotRecord) {
    Scenario();
    const auto doc = boost::json::parse(EuArt28Json(Report(5))).as_object();
    EXPECT_EQ(doc.at("format").as_string(), "concord-eu-art28/1");
    EXPECT_TRUE(doc.at("emergency_epocs").is_null());
    std::vector<std::string> points;
    for (const auto& n : doc.at("not_recorded").as_array()) {
        points.emplace_back(n.at("point").as_string());
        EXPECT_FALSE(n.at("why").as_string().empty());
    }
    EXPECT_EQ(
        points,
        (std::vector<std::string>{
            "28(2)(d)", "28(2)(f)", "28(2)(g)", "28(2)(h)", "28(2)(i)", "28(2)(j)"})
    );
    bool hidden_row = false;
    for (const auto& row : doc.at("orders").as_array()) {
        hidden_row = hidden_row || row.at("issued").is_null();
    }
    EXPECT_TRUE(hidden_row);
}

TEST_P(EuArt28Test, OnlyAStatisticianReadsItAndTheQueryIsChecked) {
    auto officer = reporter_->Report(
        Person("officer", "unit-a", {Role::kOfficer}), StatisticsQuery{kT0, kT0 + kDay, 5}
    );
    ASSERT_FALSE(officer);
    EXPECT_EQ(officer.error().code, ErrorCode::kPermissionDenied);
    for (const StatisticsQuery& bad :
         {StatisticsQuery{kT0, kT0, 5},
          StatisticsQuery{kT0, kT0 + kDay, 0},
          StatisticsQuery{-1, kT0, 5}}) {
        auto r = reporter_->Report(statistician_, bad);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    }
}

INSTANTIATE_TEST_SUITE_P(
    Backends,
    EuArt28Test,
    ::testing::Values("sqlite", "postgres"),
    [](const auto& param_info) { return std::string(param_info.param); }
);

}  // namespace
}  // namespace concord::app
