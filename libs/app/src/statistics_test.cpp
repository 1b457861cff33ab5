#include "concord/app/statistics.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "concord/app/case_service.hpp"
#include "concord/app/deadlines.hpp"
#include "concord/app/domain_events.hpp"
#include "concord/app/statistics_hearings.hpp"
#include "concord/core/bytes.hpp"

#include "app_test_support.hpp"
#include "case_test_support.hpp"
#include "statistics_rollup.hpp"

namespace concord::app {
namespace {

using testing::BackendTest;
using testing::FakeClock;
using testing::Person;

// 2027-01-15T00:00:00Z: a report of [kT0, kT0 + kDay) is one whole day, read from the rollup.
constexpr std::int64_t kT0 = 1'799'971'200'000;
constexpr std::int64_t kMinute = 60'000;
constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kDay = 24 * kHour;

class StatisticsTest : public BackendTest {
protected:
    void SetUp() override {
        BackendTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        store_ = OpenStore("statistics");
        ASSERT_NE(store_, nullptr);
        ASSERT_TRUE(store_->Migrate(CaseService::Migrations()));
        ASSERT_TRUE(store_->Migrate(StatisticsService::Migrations()));
    }

    // Appends one domain event of case `id` in its own transaction.
    void Event(
        const std::string& id,
        std::int64_t at_ms,
        const std::string& kind,
        const std::string& to_state,
        const std::string& direction,
        std::vector<std::string> grounds = {}
    ) {
        DomainEvent e;
        e.at_ms = at_ms;
        e.actor = "node";
        e.kind = kind;
        e.case_id = id;
        const bool in = direction == "in";
        e.request_type = in ? "mla" : "preservation";
        e.requesting_party = in ? "FR" : "JP";
        e.requested_party = in ? "JP" : "FR";
        e.priority = in ? "normal" : "emergency";
        e.to_state = to_state;
        e.grounds = std::move(grounds);
        e.direction = direction;
        e.offence = in ? "budapest:art-2" : "";
        e.data_categories = in && id.back() < '3'
                                ? std::vector<std::string>{"subscriber", "traffic"}
                                : std::vector<std::string>{};
        auto tx = store_->Begin();
        ASSERT_TRUE(tx);
        ASSERT_TRUE(AppendDomainEvent(**tx, e));
        ASSERT_TRUE((*tx)->Commit());
    }

    // Six incoming requests in the period (acknowledged after 10, 20, ... 60 minutes; answered
    // after 1 to 6 hours, the last by a refusal), two outgoing emergency ones, a draft never
    // sent, and a request of the day before.
    void Scenario() {
        for (int i = 0; i < 6; ++i) {
            const std::string id = "in-" + std::to_string(i);
            const std::int64_t start = kT0 + i * kMinute;
            Event(id, start, "received", "delivered", "in");
            Event(id, start + (i + 1) * 10 * kMinute, "acknowledge", "acknowledged", "in");
            if (i < 5) {
                Event(id, start + (i + 1) * kHour, "respond", "responded", "in");
            } else {
                Event(id, start + (i + 1) * kHour, "refuse", "refused", "in", {"nationality"});
            }
        }
        for (int i = 0; i < 2; ++i) {
            const std::string id = "out-" + std::to_string(i);
            Event(id, kT0, "drafted", "draft", "out");
            Event(id, kT0 + kMinute, "send", "sent", "out");
        }
        Event("out-1", kT0 + kHour, "withdraw", "withdrawn", "out");
        Event("draft", kT0, "drafted", "draft", "out");
        Event("old", kT0 - kDay, "received", "delivered", "in");
    }

    Result<StatisticsReport> Report(std::int64_t threshold) {
        StatisticsService stats(*store_);
        return stats.Report(statistician_, StatisticsQuery{kT0, kT0 + kDay, threshold});
    }

    static const RequestFigures* Row(const StatisticsReport& r, const std::string& direction) {
        for (const RequestFigures& f : r.requests) {
            if (f.direction == direction) {
                return &f;
            }
        }
        return nullptr;
    }

    // The rollup, row by row, as text.
    std::vector<std::string> DumpRollup() {
        std::vector<std::string> out;
        auto tx = store_->Begin();
        EXPECT_TRUE(tx);
        if (!tx) {
            return out;
        }
        auto rows = (*tx)->Query(
            "SELECT day, tab, k, n0, n1, n2, n3, n4, n5, n6, to_acknowledge, to_answer FROM "
            "app_stats_days ORDER BY day, tab, k"
        );
        EXPECT_TRUE(rows);
        if (!rows) {
            return out;
        }
        for (const store::Row& r : *rows) {
            std::string line = std::to_string(r.Int(0)) + " " + r.Text(1) + " " + r.Text(2);
            for (std::size_t i = 3; i < 10; ++i) {
                line += " " + std::to_string(r.Int(i));
            }
            for (std::size_t i = 10; i < 12; ++i) {
                line += " " + (r.IsNull(i) ? std::string("-") : HexEncode(r.Blob(i)));
            }
            out.push_back(line);
        }
        return out;
    }

    std::unique_ptr<store::Store> store_;
    Actor statistician_ = Person("stat", "statistics", {Role::kStatistician});
};

TEST_P(StatisticsTest, CountsAndNearestRankTimesOfThePeriodsRequests) {
    Scenario();
    auto report = Report(1);
    ASSERT_TRUE(report) << report.error().ToString();
    ASSERT_EQ(report->requests.size(), 2u);
    const RequestFigures* in = Row(*report, "in");
    ASSERT_NE(in, nullptr);
    EXPECT_EQ(in->requesting_party, "FR");
    EXPECT_EQ(in->requested_party, "JP");
    EXPECT_EQ(in->request_type, "mla");
    EXPECT_EQ(in->requests, 6);  // not the one of the day before
    EXPECT_EQ(in->acknowledged, 6);
    EXPECT_EQ(in->responded, 5);
    EXPECT_EQ(in->refused, 1);
    EXPECT_EQ(in->open, 0);
    // Nearest rank over 10..60 minutes: the 3rd of 6 is the median, the 6th the 90th percentile.
    EXPECT_EQ(in->acknowledge_median_ms, 30 * kMinute);
    EXPECT_EQ(in->acknowledge_p90_ms, 60 * kMinute);
    EXPECT_EQ(in->answer_median_ms, 3 * kHour);
    EXPECT_EQ(in->answer_p90_ms, 6 * kHour);

    const RequestFigures* out = Row(*report, "out");
    ASSERT_NE(out, nullptr);
    EXPECT_EQ(out->priority, "emergency");
    EXPECT_EQ(out->requests, 2);  // the draft never sent is no request
    EXPECT_EQ(out->withdrawn, 1);
    EXPECT_EQ(out->open, 1);
    EXPECT_EQ(out->acknowledge_median_ms, std::nullopt);

    ASSERT_EQ(report->refusals.size(), 1u);
    EXPECT_EQ(report->refusals[0].ground, "nationality");
    EXPECT_EQ(report->refusals[0].refusals, 1);
    int categories = 0;
    for (const DimensionFigures& d : report->dimensions) {
        if (d.dimension == "offence") {
            EXPECT_EQ(d.value, "budapest:art-2");
            EXPECT_EQ(d.requests, 6);
        } else {
            ++categories;
            EXPECT_EQ(d.dimension, "data_category");
            EXPECT_EQ(d.requests, 3) << d.value;  // in-0, in-1, in-2
        }
    }
    EXPECT_EQ(categories, 2);
}

TEST_P(StatisticsTest, SmallCountsAreSuppressedAndSoIsWhatWouldGiveThemAway) {
    Scenario();
    auto report = Report(5);
    ASSERT_TRUE(report) << report.error().ToString();
    const RequestFigures* in = Row(*report, "in");
    ASSERT_NE(in, nullptr);
    EXPECT_EQ(in->requests, 6);
    EXPECT_EQ(in->acknowledged, 6);
    // One refusal is below 5; 6 − 5 would reveal it, so the 5 responses are hidden too.
    EXPECT_EQ(in->refused, std::nullopt);
    EXPECT_EQ(in->responded, std::nullopt);
    EXPECT_EQ(in->open, 0);
    EXPECT_EQ(in->answer_median_ms, 3 * kHour);

    const RequestFigures* out = Row(*report, "out");
    ASSERT_NE(out, nullptr);
    // Two requests: the row's total and every part of it are hidden.
    EXPECT_EQ(out->requests, std::nullopt);
    EXPECT_EQ(out->withdrawn, std::nullopt);
    EXPECT_EQ(out->open, std::nullopt);
    EXPECT_EQ(out->acknowledged, std::nullopt);
    EXPECT_EQ(report->refusals[0].refusals, std::nullopt);
    for (const DimensionFigures& d : report->dimensions) {
        EXPECT_EQ(d.requests.has_value(), d.dimension == "offence") << d.value;
    }

    // In the published forms a hidden figure is null (JSON) or an empty field (CSV).
    const boost::json::value json = boost::json::parse(StatisticsJson(*report));
    bool seen = false;
    for (const auto& row : json.at("requests").as_array()) {
        if (row.at("direction") == "out") {
            seen = true;
            EXPECT_TRUE(row.at("requests").is_null());
        }
    }
    EXPECT_TRUE(seen);
    EXPECT_EQ(json.at("threshold").as_int64(), 5);
    const std::string csv = StatisticsCsv(*report);
    EXPECT_NE(csv.find("in,FR,JP,mla,normal,6,6,,,0,0,"), std::string::npos) << csv;
}

TEST_P(StatisticsTest, EachReportFoldsOnlyWhatWasWrittenSince) {
    Scenario();
    auto first = Report(1);
    ASSERT_TRUE(first);
    Event("out-0", kT0 + 2 * kHour, "acknowledge", "acknowledged", "out");
    Event("out-0", kT0 + 3 * kHour, "respond", "responded", "out");
    auto second = Report(1);
    ASSERT_TRUE(second);
    EXPECT_EQ(second->events_through, first->events_through + 2);
    const RequestFigures* out = Row(*second, "out");
    ASSERT_NE(out, nullptr);
    EXPECT_EQ(out->responded, 1);
    EXPECT_EQ(out->open, 0);
    EXPECT_EQ(out->acknowledge_median_ms, 2 * kHour - kMinute);

    // Two folds at once: whichever loses the cursor retries; nothing is counted twice.
    Event("in-9", kT0 + 5 * kHour, "received", "delivered", "in");
    auto fold = [this] {
        StatisticsService stats(*store_);
        for (;;) {
            auto r = stats.Refresh();
            if (r || r.error().code != ErrorCode::kUnavailable) {
                EXPECT_TRUE(r) << r.error().ToString();
                return;
            }
        }
    };
    std::thread a(fold);
    std::thread b(fold);
    a.join();
    b.join();
    auto third = Report(1);
    ASSERT_TRUE(third);
    EXPECT_EQ(Row(*third, "in")->requests, 7);
}

TEST_P(StatisticsTest, AnOldRowWithTheKeySeparatorCountsAsOtherOnEveryPath) {
    // A row folded before values were reduced to labels, found by the rollup's first build.
    {
        auto tx = store_->Begin();
        ASSERT_TRUE(tx);
        ASSERT_TRUE((*tx)->Execute(
            "INSERT INTO app_stats_requests (case_id, direction, requesting_party, "
            "requested_party, request_type, priority, offence, data_categories, started_ms, "
            "acknowledged_ms, answered_ms, outcome, grounds) VALUES ('old', 'in', 'FR|DE', 'JP', "
            "'mla', 'normal', '', '[\"a|b\"]', $1, 0, 0, 'open', '[]')",
            {kT0 + kHour}
        ));
        ASSERT_TRUE((*tx)->Execute("UPDATE app_stats_rollup SET ready = 0"));
        ASSERT_TRUE((*tx)->Commit());
    }
    StatisticsService stats(*store_);
    for (const auto& [from, to] :
         {std::pair{kT0, kT0 + kDay}, std::pair{kT0 + kMinute, kT0 + kDay - kMinute}}) {
        auto report = stats.Report(statistician_, StatisticsQuery{from, to, 1});
        ASSERT_TRUE(report) << report.error().ToString();
        ASSERT_EQ(report->requests.size(), 1U);
        EXPECT_EQ(report->requests[0].requesting_party, "other") << from - kT0;
        ASSERT_EQ(report->dimensions.size(), 1U);
        EXPECT_EQ(report->dimensions[0].value, "other") << from - kT0;
    }
}

TEST_P(StatisticsTest, HearingsByWhereTheyStandAndTheTimeToThem) {
    // Seven hearing requests from FR: one with no time proposed, one proposed, one scheduled,
    // four held after 3 to 6 days (three with a recording); an MLA request and a hearing
    // request of the day before, which do not count.
    const auto request = [&](const std::string& id, const std::string& type, std::int64_t start) {
        auto tx = store_->Begin();
        ASSERT_TRUE(tx);
        ASSERT_TRUE((*tx)->Execute(
            "INSERT INTO app_stats_requests (case_id, direction, requesting_party, "
            "requested_party, request_type, priority, offence, data_categories, started_ms, "
            "acknowledged_ms, answered_ms, outcome, grounds) VALUES ($1, 'in', 'FR', 'JP', $2, "
            "'normal', '', '[]', $3, 0, 0, 'open', '[]')",
            {id, type, start}
        ));
        ASSERT_TRUE((*tx)->Commit());
    };
    const auto hearing = [&](const std::string& id,
                             const std::string& state,
                             std::int64_t proposal,
                             std::int64_t held_ms,
                             const std::string& recording) {
        auto tx = store_->Begin();
        ASSERT_TRUE(tx);
        ASSERT_TRUE((*tx)->Execute(
            "INSERT INTO app_hearings (case_id, state, proposal, proposed_by, slots, agreed, "
            "meeting_address, participants, held_ms, recording_sha256, minutes_sha256, "
            "recorded_by, record_leaf, updated_ms) VALUES ($1, $2, $3, 'requesting', '[]', '', "
            "'', '[]', $4, $5, '', '', -1, 1)",
            {id, state, proposal, held_ms, recording}
        ));
        ASSERT_TRUE((*tx)->Commit());
    };
    for (int i = 0; i < 7; ++i) {
        request("h" + std::to_string(i), "video_hearing", kT0 + i * kMinute);
    }
    request("mla", "mla", kT0);
    request("old", "video_hearing", kT0 - kDay);
    hearing("old", "held", 1, kT0, "ab");
    hearing("h1", "proposed", 1, 0, "");
    hearing("h2", "scheduled", 2, 0, "");
    const std::int64_t proposals[] = {1, 1, 3, 1};
    for (int i = 3; i < 7; ++i) {
        hearing(
            "h" + std::to_string(i),
            "held",
            proposals[i - 3],
            kT0 + i * kMinute + i * kDay,
            i < 6 ? std::string(64, 'a') : ""
        );
    }
    StatisticsService stats(*store_);
    HearingStatistics hearings(*store_, stats);
    auto all = hearings.Report(statistician_, StatisticsQuery{kT0, kT0 + kDay, 1});
    ASSERT_TRUE(all) << all.error().ToString();
    ASSERT_EQ(all->hearings.size(), 1U);
    const HearingFigures& f = all->hearings[0];
    EXPECT_EQ(
        std::tuple(f.direction, f.requesting_party, f.requested_party), std::tuple("in", "FR", "JP")
    );
    EXPECT_EQ(
        std::tuple(f.requests, f.none, f.proposed, f.scheduled, f.held, f.recorded),
        std::tuple(Figure{7}, Figure{1}, Figure{1}, Figure{1}, Figure{4}, Figure{3})
    );
    // Nearest rank over 3, 4, 5, 6 days: the 2nd is the median, the 4th the 90th percentile.
    EXPECT_EQ(f.to_held_median_ms, 4 * kDay);
    EXPECT_EQ(f.to_held_p90_ms, 6 * kDay);
    EXPECT_EQ(f.proposals_median, 1);  // of 1, 1, 1, 2, 3
    const auto json = boost::json::parse(HearingStatisticsJson(*all));
    EXPECT_EQ(json.at("format").as_string(), "concord-statistics-hearings/1");
    EXPECT_EQ(json.at("hearings").at(0).at("held").as_int64(), 4);

    // At the default threshold every part below 5 is hidden, and so is what would give it away.
    auto hidden = hearings.Report(statistician_, StatisticsQuery{kT0, kT0 + kDay, 5});
    ASSERT_TRUE(hidden);
    const HearingFigures& h = hidden->hearings.at(0);
    EXPECT_EQ(h.requests, 7);
    for (const Figure* part :
         {&h.none, &h.proposed, &h.scheduled, &h.held, &h.recorded, &h.to_held_median_ms}) {
        EXPECT_FALSE(part->has_value());
    }
    EXPECT_EQ(h.proposals_median, 1);  // five values: shown
    // Nobody without the statistics right reads them.
    EXPECT_EQ(
        hearings
            .Report(Person("o", "officer", {Role::kOfficer}), StatisticsQuery{kT0, kT0 + kDay, 5})
            .error()
            .code,
        ErrorCode::kPermissionDenied
    );
}

TEST(StatisticsTimesTest, ListsOfTimesComeBackSortedAndBadOnesAreRefused) {
    std::mt19937_64 random(7);
    for (int round = 0; round < 200; ++round) {
        std::vector<std::int64_t> times;
        const int n = round % 17;
        for (int i = 0; i < n; ++i) {
            const auto r = static_cast<std::int64_t>(random());
            times.push_back(round % 3 == 0 ? r : r % 100'000'000);
        }
        if (round == 1) {
            times = {
                std::numeric_limits<std::int64_t>::min(),
                -1,
                0,
                0,
                1,
                std::numeric_limits<std::int64_t>::max()};
        }
        std::vector<std::int64_t> back{42};  // decoding appends
        ASSERT_TRUE(detail::DecodeTimes(detail::EncodeTimes(times), back));
        std::sort(times.begin(), times.end());
        times.insert(times.begin(), 42);
        EXPECT_EQ(back, times) << round;
    }
    std::vector<std::int64_t> out;
    const Bytes cut = {0x80};
    EXPECT_EQ(detail::DecodeTimes(cut, out).error().code, ErrorCode::kCorruption);
    const Bytes overlong(11, 0xFF);
    EXPECT_EQ(detail::DecodeTimes(overlong, out).error().code, ErrorCode::kCorruption);
    EXPECT_TRUE(detail::EncodeTimes({}).empty());
}

// Random requests over a week, folded in three stages (started; acknowledged; answered or
// withdrawn), each stage moving what earlier ones put in the rollup.
struct Generated {
    std::string id;
    std::string direction;
    std::int64_t started{0};
    std::int64_t acknowledged{0};  // 0: never
    std::int64_t answered{0};      // 0: never
    bool refused{false};
    bool withdrawn{false};  // never answered
};

TEST_P(StatisticsTest, ReportsOfWholeDaysFromTheRollupAgreeWithTheRequests) {
    std::mt19937_64 random(20261207);
    const auto below = [&random](std::int64_t n) {
        return static_cast<std::int64_t>(random() % static_cast<std::uint64_t>(n));
    };
    const std::int64_t base = (kT0 / kDay) * kDay;  // a UTC midnight
    std::vector<Generated> requests;
    for (int i = 0; i < 120; ++i) {
        Generated g;
        g.id = "r-" + std::to_string(i);
        g.direction = i % 3 == 0 ? "out" : "in";
        g.started = base + below(7 * kDay);
        if (below(10) < 8) {
            g.acknowledged = g.started + 1 + below(20 * kHour);
        }
        if (below(10) < 6) {
            g.answered = g.started + kHour + below(3 * kDay);
            g.refused = below(4) == 0;
        } else {
            g.withdrawn = below(3) == 0;
        }
        requests.push_back(g);
    }
    StatisticsService stats(*store_);
    const auto refresh = [&] {
        auto r = stats.Refresh();
        ASSERT_TRUE(r) << r.error().ToString();
    };
    for (const Generated& g : requests) {
        Event(g.id, g.started, g.direction == "in" ? "received" : "send", "sent", g.direction);
    }
    refresh();
    for (const Generated& g : requests) {
        if (g.acknowledged != 0) {
            Event(g.id, g.acknowledged, "acknowledge", "acknowledged", g.direction);
        }
    }
    refresh();
    for (const Generated& g : requests) {
        if (g.answered != 0) {
            Event(
                g.id,
                g.answered,
                g.refused ? "refuse" : "respond",
                g.refused ? "refused" : "responded",
                g.direction,
                g.refused ? std::vector<std::string>{"nationality"} : std::vector<std::string>{}
            );
        } else if (g.withdrawn) {
            Event(g.id, g.started + 2 * kHour, "withdraw", "withdrawn", g.direction);
        }
    }
    refresh();

    // The figures of one direction as a reader would count them from the list above.
    const auto expected = [&](const std::string& direction, std::int64_t from, std::int64_t to) {
        std::int64_t n = 0;
        std::int64_t refused = 0;
        std::int64_t withdrawn = 0;
        std::vector<std::int64_t> ack;
        std::vector<std::int64_t> answer;
        for (const Generated& g : requests) {
            if (g.direction != direction || g.started < from || g.started >= to) {
                continue;
            }
            ++n;
            refused += g.refused ? 1 : 0;
            withdrawn += g.withdrawn ? 1 : 0;
            if (g.acknowledged != 0) {
                ack.push_back(g.acknowledged - g.started);
            }
            if (g.answered != 0) {
                answer.push_back(g.answered - g.started);
            }
        }
        std::sort(ack.begin(), ack.end());
        std::sort(answer.begin(), answer.end());
        const auto rank = [](const std::vector<std::int64_t>& v, std::int64_t p) {
            const auto k =
                std::max<std::int64_t>((p * static_cast<std::int64_t>(v.size()) + 99) / 100, 1);
            return v.empty() ? Figure{} : Figure{v.at(static_cast<std::size_t>(k - 1))};
        };
        return std::tuple(
            Figure{n},
            Figure{static_cast<std::int64_t>(ack.size())},
            Figure{refused},
            Figure{withdrawn},
            rank(ack, 50),
            rank(ack, 90),
            rank(answer, 50),
            rank(answer, 90)
        );
    };
    // Whole days, whole days with parts of days at both ends, one part of a day, all of it.
    for (const auto& [from, to] :
         {std::pair{base + kDay, base + 4 * kDay},
          std::pair{base + kDay / 2 + 7 * kMinute, base + 5 * kDay + 11 * kHour},
          std::pair{base + 2 * kDay + kHour, base + 2 * kDay + 9 * kHour},
          std::pair{base - kDay, base + 8 * kDay}}) {
        auto report = stats.Report(statistician_, StatisticsQuery{from, to, 1});
        ASSERT_TRUE(report) << report.error().ToString();
        for (const std::string direction : {"in", "out"}) {
            const RequestFigures* f = Row(*report, direction);
            const auto want = expected(direction, from, to);
            if (std::get<0>(want) == 0) {
                EXPECT_EQ(f, nullptr);
                continue;
            }
            ASSERT_NE(f, nullptr) << direction << " " << from;
            EXPECT_EQ(
                std::tuple(
                    f->requests,
                    f->acknowledged,
                    f->refused,
                    f->withdrawn,
                    f->acknowledge_median_ms,
                    f->acknowledge_p90_ms,
                    f->answer_median_ms,
                    f->answer_p90_ms
                ),
                want
            ) << direction
              << " from " << from - base << " to " << to - base;
        }
    }

    // What the fold kept up step by step equals the rollup built anew from the rows.
    const auto dump = [this] { return DumpRollup(); };
    const std::vector<std::string> kept = dump();
    EXPECT_GT(kept.size(), 14U);  // at least a key of each direction on each of 7 days
    {
        auto tx = store_->Begin();
        ASSERT_TRUE(tx);
        ASSERT_TRUE((*tx)->Execute("UPDATE app_stats_rollup SET ready = 0"));
        ASSERT_TRUE((*tx)->Commit());
    }
    refresh();
    EXPECT_EQ(dump(), kept);

    // A rollup row whose times do not decode (a cut varint) is found by the report that reads
    // it: the rollup is built again from the rows and the report is the one before.
    const StatisticsQuery week{base, base + 7 * kDay, 1};
    auto before = stats.Report(statistician_, week);
    ASSERT_TRUE(before) << before.error().ToString();
    {
        auto tx = store_->Begin();
        ASSERT_TRUE(tx);
        ASSERT_TRUE((*tx)->Execute(
            "UPDATE app_stats_days SET to_acknowledge = $1 WHERE to_acknowledge IS NOT NULL",
            {Bytes{0x80}}
        ));
        ASSERT_TRUE((*tx)->Commit());
    }
    EXPECT_NE(dump(), kept);
    auto after = stats.Report(statistician_, week);
    ASSERT_TRUE(after) << after.error().ToString();
    EXPECT_EQ(after->requests.size(), before->requests.size());
    for (const std::string direction : {"in", "out"}) {
        const RequestFigures* a = Row(*after, direction);
        const RequestFigures* b = Row(*before, direction);
        ASSERT_NE(a, nullptr);
        ASSERT_NE(b, nullptr);
        EXPECT_EQ(
            std::tuple(a->requests, a->acknowledge_median_ms, a->acknowledge_p90_ms),
            std::tuple(b->requests, b->acknowledge_median_ms, b->acknowledge_p90_ms)
        ) << direction;
    }
    EXPECT_EQ(dump(), kept);
}

TEST_P(StatisticsTest, FoldsBetweenTheStepsOfABuildLeaveTheRollupItWouldBeBuiltAs) {
    const std::int64_t base = (kT0 / kDay) * kDay;
    StatisticsService stats(*store_);
    // Ten days of requests, three a day, folded and in the rollup.
    for (int day = 0; day < 10; ++day) {
        for (int i = 0; i < 3; ++i) {
            const std::string id = "d" + std::to_string(day) + "-" + std::to_string(i);
            Event(id, base + day * kDay + i * kHour, "received", "received", "in");
        }
    }
    ASSERT_TRUE(stats.Refresh());
    // The build starts again: one step takes whole days until 7 requests are in (3 days).
    ASSERT_TRUE(detail::MarkRollupStale(*store_));
    auto step = detail::BuildRollupStep(*store_, 7);
    ASSERT_TRUE(step) << step.error().ToString();
    EXPECT_FALSE(*step);
    {
        auto tx = store_->Begin();
        ASSERT_TRUE(tx);
        auto state = (*tx)->Query("SELECT ready, next_day FROM app_stats_rollup");
        ASSERT_TRUE(state);
        EXPECT_EQ(state->at(0).Int(0), 0);
        EXPECT_EQ(state->at(0).Int(1), base / kDay + 3);
    }
    // A fold between two steps: requests of days built and not built move and arrive.
    Event("d0-0", base + 2 * kHour, "acknowledge", "acknowledged", "in");
    Event("d1-1", base + kDay + 5 * kHour, "respond", "responded", "in");
    Event("d5-2", base + 5 * kDay + 4 * kHour, "refuse", "refused", "in", {"nationality"});
    Event("new-2", base + 2 * kDay + kHour, "received", "received", "in");
    Event("new-8", base + 8 * kDay + kHour, "received", "received", "in");
    // Refresh folds them (between two steps of the build), then builds the rest.
    auto folded = stats.Refresh();
    ASSERT_TRUE(folded) << folded.error().ToString();
    {
        auto tx = store_->Begin();
        ASSERT_TRUE(tx);
        auto state = (*tx)->Query("SELECT ready FROM app_stats_rollup");
        ASSERT_TRUE(state);
        EXPECT_EQ(state->at(0).Int(0), 1);
    }
    // What the fold between the steps left equals the rollup built anew from the rows.
    const auto built_anew_is = [this](const std::vector<std::string>& kept) {
        ASSERT_TRUE(detail::MarkRollupStale(*store_));
        ASSERT_TRUE(detail::EnsureRollup(*store_));
        EXPECT_EQ(DumpRollup(), kept);
    };
    const std::vector<std::string> first = DumpRollup();
    EXPECT_GT(first.size(), 10U);
    built_anew_is(first);
    // Again, the build stopped after its first day.
    ASSERT_TRUE(detail::MarkRollupStale(*store_));
    step = detail::BuildRollupStep(*store_, 2);
    ASSERT_TRUE(step) << step.error().ToString();
    EXPECT_FALSE(*step);
    Event("d3-0", base + 3 * kDay + 3 * kHour, "respond", "responded", "in");
    Event("d9-0", base + 9 * kDay + 3 * kHour, "acknowledge", "acknowledged", "in");
    ASSERT_TRUE(stats.Refresh());
    const std::vector<std::string> second = DumpRollup();
    EXPECT_NE(second, first);
    built_anew_is(second);
    // And the report of the ten days counts what the rows say.
    auto report = stats.Report(statistician_, StatisticsQuery{base, base + 10 * kDay, 1});
    ASSERT_TRUE(report) << report.error().ToString();
    const RequestFigures* in = Row(*report, "in");
    ASSERT_NE(in, nullptr);
    EXPECT_EQ(
        std::tuple(in->requests, in->acknowledged, in->responded, in->refused),
        std::tuple(Figure{32}, Figure{2}, Figure{2}, Figure{1})
    );
}

TEST_P(StatisticsTest, DeadlinesThatStartedInThePeriodByHowTheyEnded) {
    Scenario();
    FakeClock clock(kT0);
    DeadlineHooks hooks;
    hooks.now = clock.Function();
    hooks.append_leaf = [](store::Transaction&, const boost::json::object&) {
        return Result<std::uint64_t>(1);
    };
    DeadlineEngine engine(*store_, hooks);
    const Actor node = Actor::Node();
    for (int i = 0; i < 6; ++i) {
        auto d = engine.Start(
            node, DeadlineSpec{"in-" + std::to_string(i), "mla.response", kT0, kDay, 0, ""}
        );
        ASSERT_TRUE(d);
        if (i < 5) {
            ASSERT_TRUE(engine.Met(node, d->id));
        }
    }
    ASSERT_TRUE(engine.Start(node, DeadlineSpec{"old", "mla.response", kT0 - kDay, kHour, 0, ""}));
    auto cancelled = engine.Start(node, DeadlineSpec{"in-0", "preservation", kT0, kDay, 0, ""});
    ASSERT_TRUE(cancelled);
    ASSERT_TRUE(engine.Cancel(node, cancelled->id, "the request was withdrawn"));
    ASSERT_TRUE(engine.Load());
    clock.Advance(2 * kDay);
    ASSERT_TRUE(engine.FireDue());
    auto report = Report(1);
    ASSERT_TRUE(report);
    ASSERT_EQ(report->deadlines.size(), 2u);
    const DeadlineFigures& mla = report->deadlines[0];
    EXPECT_EQ(mla.kind, "mla.response");
    EXPECT_EQ(mla.met, 5);
    EXPECT_EQ(mla.breached, 1);  // the deadline of the day before is not counted
    EXPECT_EQ(mla.running, 0);
    EXPECT_EQ(report->deadlines[1].kind, "preservation");
    EXPECT_EQ(report->deadlines[1].cancelled, 1);
    EXPECT_EQ(report->deadlines[1].running, 0);

    // Whole days around them come from the counts by day, which moved with every step.
    StatisticsService stats(*store_);
    const std::int64_t midnight = (kT0 / kDay) * kDay;
    auto days = stats.Report(statistician_, StatisticsQuery{midnight - kDay, midnight + kDay, 1});
    ASSERT_TRUE(days) << days.error().ToString();
    ASSERT_EQ(days->deadlines.size(), 2u);
    EXPECT_EQ(days->deadlines[0].met, 5);
    EXPECT_EQ(days->deadlines[0].breached, 2);
    EXPECT_EQ(days->deadlines[1].cancelled, 1);
    auto tx = store_->Begin();
    ASSERT_TRUE(tx);
    auto kept = (*tx)->Query(
        "SELECT day, kind, state, n FROM app_stats_deadline_days WHERE n <> 0 ORDER BY day, kind, "
        "state"
    );
    auto counted = (*tx)->Query(
        "SELECT starts_ms / 86400000, kind, state, COUNT(*) FROM app_deadlines GROUP BY starts_ms "
        "/ 86400000, kind, state ORDER BY 1, 2, 3"
    );
    ASSERT_TRUE(kept);
    ASSERT_TRUE(counted);
    ASSERT_EQ(kept->size(), counted->size());
    for (std::size_t i = 0; i < kept->size(); ++i) {
        const store::Row& k = (*kept)[i];
        const store::Row& c = (*counted)[i];
        EXPECT_EQ(
            std::tuple(k.Int(0), k.Text(1), k.Text(2), k.Int(3)),
            std::tuple(c.Int(0), c.Text(1), c.Text(2), c.Int(3))
        ) << i;
    }
}

TEST_P(StatisticsTest, TwoHiddenPartsThatWouldAddUpToTheRestAreHiddenWithAThird) {
    // Twelve requests: one responded, one refused, ten open. Hiding only the two small ones
    // would still tell them (12 − 10 = 2, so 1 and 1): the ten are hidden too.
    for (int i = 0; i < 12; ++i) {
        const std::string id = "in-" + std::to_string(10 + i);
        Event(id, kT0 + i * kMinute, "received", "delivered", "in");
        if (i == 0) {
            Event(id, kT0 + kHour, "respond", "responded", "in");
        } else if (i == 1) {
            Event(id, kT0 + kHour, "refuse", "refused", "in", {"nationality"});
        }
    }
    auto report = Report(5);
    ASSERT_TRUE(report) << report.error().ToString();
    const RequestFigures* in = Row(*report, "in");
    ASSERT_NE(in, nullptr);
    EXPECT_EQ(in->requests, 12);
    EXPECT_EQ(in->responded, std::nullopt);
    EXPECT_EQ(in->refused, std::nullopt);
    EXPECT_EQ(in->open, std::nullopt);
    EXPECT_EQ(in->withdrawn, 0);
}

TEST_P(StatisticsTest, DraftsNeverSentAreNoRequestsAndAPeersTextIsReducedToLabels) {
    Scenario();
    // A period from the epoch takes in what never started (started 0) if it is not kept out.
    StatisticsService stats(*store_);
    auto all = stats.Report(statistician_, StatisticsQuery{0, kT0 + kDay, 1});
    ASSERT_TRUE(all) << all.error().ToString();
    EXPECT_EQ(Row(*all, "out")->requests, 2);

    // A peer names a category twice, one in free text, and an offence with a line break.
    DomainEvent e;
    e.at_ms = kT0 + 2 * kHour;
    e.actor = "peer:x";
    e.kind = "received";
    e.case_id = "odd";
    e.request_type = "mla";
    e.requesting_party = "FR";
    e.requested_party = "JP";
    e.priority = "urgent!";
    e.to_state = "delivered";
    e.direction = "in";
    e.offence = "art 2\nthe suspect John Doe";
    e.data_categories = {"content", "content", "all data of John Doe, born 1970"};
    auto tx = store_->Begin();
    ASSERT_TRUE(tx);
    ASSERT_TRUE(AppendDomainEvent(**tx, e));
    ASSERT_TRUE((*tx)->Commit());
    auto report = Report(1);
    ASSERT_TRUE(report) << report.error().ToString();
    std::map<std::string, std::int64_t> seen;
    for (const DimensionFigures& d : report->dimensions) {
        seen[d.dimension + "/" + d.value] = d.requests.value_or(-1);
    }
    EXPECT_EQ(seen["data_category/content"], 1);  // once, though named twice
    EXPECT_EQ(seen["data_category/other"], 1);
    EXPECT_EQ(seen["offence/other"], 1);
    bool normal = false;
    for (const RequestFigures& f : report->requests) {
        EXPECT_TRUE(f.priority == "normal" || f.priority == "emergency") << f.priority;
        normal = normal || (f.direction == "in" && f.priority == "normal" && f.requests == 7);
    }
    EXPECT_TRUE(normal);
}

TEST_P(StatisticsTest, BadQueriesAndCallersWithoutTheRightAreRefused) {
    StatisticsService stats(*store_);
    for (const StatisticsQuery& q :
         {StatisticsQuery{kT0, kT0, 5},
          StatisticsQuery{-1, kT0, 5},
          StatisticsQuery{kT0, kT0 + kDay, 0},
          StatisticsQuery{kT0, kT0 + kDay, 1001}}) {
        auto r = stats.Report(statistician_, q);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    }
    auto officer = Person("officer", "unit-a", {Role::kOfficer});
    auto r = stats.Report(officer, StatisticsQuery{kT0, kT0 + kDay, 5});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kPermissionDenied);
}

TEST_P(StatisticsTest, ObligationsToExtraditeOrProsecuteByStateDecisionAndDelay) {
    // Seven refusals that opened an obligation: two still open, one submitted, two decided
    // (to prosecute, not to), two reported after a decision to prosecute.
    const std::vector<std::vector<std::string>> steps = {
        {},
        {},
        {"submit_for_prosecution"},
        {"submit_for_prosecution", "decide_to_prosecute"},
        {"submit_for_prosecution", "decide_not_to_prosecute"},
        {"submit_for_prosecution", "decide_to_prosecute", "report_outcome"},
        {"submit_for_prosecution", "decide_to_prosecute", "report_outcome"}};
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const std::string id = "ob-" + std::to_string(i);
        std::int64_t at = kT0 + static_cast<std::int64_t>(i) * kMinute;
        Event(id, at, "received", "delivered", "in");
        Event(id, at += kHour, "refuse", "refused", "in", {"nationality"});
        Event(id, at, "obligation_opened", "opened", "in", {"nationality"});
        for (const std::string& step : steps[i]) {
            Event(id, at += kDay, step, "refused", "in");
        }
    }
    // The obligation table gives the delay: ob-0's first step was due long ago, ob-1's is not.
    for (auto [id, state, due] :
         {std::tuple{"ob-0", "opened", std::int64_t{1000}},
          std::tuple{"ob-1", "opened", kT0 + 365 * kDay},
          std::tuple{"ob-5", "reported", std::int64_t{0}}}) {
        auto tx = store_->Begin();
        ASSERT_TRUE(tx);
        ASSERT_TRUE((*tx)->Execute(
            "INSERT INTO app_obligations (id, case_id, rule, cite, ground, owed_here, state, "
            "decision, opened_ms, submitted_ms, decided_ms, reported_ms, due_ms, submission, "
            "decision_reasons, outcome) VALUES ($1, $2, 'r', 'budapest:24(6)', 'nationality', "
            "1, $3, '', 1, 0, 0, 0, $4, '', '', '')",
            {std::string("o-") + id, std::string(id), std::string(state), due}
        ));
        ASSERT_TRUE((*tx)->Commit());
    }
    StatisticsService stats(*store_);
    auto exact = stats.Report(statistician_, StatisticsQuery{kT0, kT0 + kDay, 1});
    ASSERT_TRUE(exact) << exact.error().ToString();
    ASSERT_EQ(exact->obligations.size(), 1U);
    const ObligationFigures& f = exact->obligations[0];
    EXPECT_EQ(f.direction, "in");
    EXPECT_EQ(f.requesting_party, "FR");
    EXPECT_EQ(f.requested_party, "JP");
    EXPECT_EQ(f.obligations, 7);
    EXPECT_EQ(f.opened, 2);
    EXPECT_EQ(f.submitted, 1);
    EXPECT_EQ(f.decided, 2);
    EXPECT_EQ(f.reported, 2);
    EXPECT_EQ(f.prosecute, 3);
    EXPECT_EQ(f.not_prosecute, 1);
    EXPECT_EQ(f.overdue, 1);
    // A month around them: whole days come from the rollup, with the same figures.
    auto month = stats.Report(statistician_, StatisticsQuery{kT0 - 3 * kDay, kT0 + 30 * kDay, 1});
    ASSERT_TRUE(month) << month.error().ToString();
    ASSERT_EQ(month->obligations.size(), 1U);
    const ObligationFigures& m = month->obligations[0];
    EXPECT_EQ(
        std::tuple(m.obligations, m.opened, m.submitted, m.decided, m.reported),
        std::tuple(Figure{7}, Figure{2}, Figure{1}, Figure{2}, Figure{2})
    );
    EXPECT_EQ(
        std::tuple(m.prosecute, m.not_prosecute, m.overdue),
        std::tuple(Figure{3}, Figure{1}, Figure{1})
    );
    const auto json = boost::json::parse(StatisticsJson(*exact));
    EXPECT_EQ(json.at("obligations").at(0).at("prosecute").as_int64(), 3);

    // At the default threshold every part below 5 is hidden; the total of 7 stays.
    auto hidden = stats.Report(statistician_, StatisticsQuery{kT0, kT0 + kDay, 5});
    ASSERT_TRUE(hidden);
    const ObligationFigures& h = hidden->obligations.at(0);
    EXPECT_EQ(h.obligations, 7);
    for (const Figure* part :
         {&h.opened,
          &h.submitted,
          &h.decided,
          &h.reported,
          &h.prosecute,
          &h.not_prosecute,
          &h.overdue}) {
        EXPECT_FALSE(part->has_value());
    }
}

TEST_P(StatisticsTest, AHiddenObligationStateCannotBeRecoveredThroughTheDecisions) {
    // Six obligations: one still open, five reported after a decision to prosecute. Hiding the
    // one open alone would give it away as 6 − 5 reported, or as 6 − 5 decisions to prosecute.
    for (int i = 0; i < 6; ++i) {
        const std::string id = "ob-" + std::to_string(i);
        Event(id, kT0 + i * kMinute, "received", "delivered", "in");
        Event(id, kT0 + kHour, "refuse", "refused", "in", {"nationality"});
        Event(id, kT0 + kHour, "obligation_opened", "opened", "in", {"nationality"});
        if (i > 0) {
            for (const char* step :
                 {"submit_for_prosecution", "decide_to_prosecute", "report_outcome"}) {
                Event(id, kT0 + 2 * kHour, step, "refused", "in");
            }
        }
    }
    // A step of an obligation this node never opened (other obligations data) counts nowhere.
    Event("peer-only", kT0 + kMinute, "received", "delivered", "in");
    Event("peer-only", kT0 + kHour, "submit_for_prosecution", "refused", "in");
    StatisticsService stats(*store_);
    auto report = stats.Report(statistician_, StatisticsQuery{kT0, kT0 + kDay, 5});
    ASSERT_TRUE(report) << report.error().ToString();
    ASSERT_EQ(report->obligations.size(), 1U);
    const ObligationFigures& f = report->obligations[0];
    EXPECT_EQ(f.obligations, 6);
    EXPECT_FALSE(f.opened.has_value());
    EXPECT_FALSE(f.reported.has_value());   // else opened = 6 − 5
    EXPECT_FALSE(f.prosecute.has_value());  // else opened = 6 − 5 through the decisions
    EXPECT_EQ(f.submitted, 0);
    EXPECT_EQ(f.decided, 0);
    EXPECT_EQ(f.not_prosecute, 0);
    auto exact = stats.Report(statistician_, StatisticsQuery{kT0, kT0 + kDay, 1});
    ASSERT_TRUE(exact);
    EXPECT_EQ(exact->obligations.at(0).obligations, 6);
    EXPECT_EQ(exact->obligations.at(0).opened, 1);
    EXPECT_EQ(exact->obligations.at(0).submitted, 0);
}

INSTANTIATE_TEST_SUITE_P(
    Backends,
    StatisticsTest,
    ::testing::Values("sqlite", "postgres"),
    [](const auto& param_info) { return std::string(param_info.param); }
);

}  // namespace
}  // namespace concord::app
