// Statistics of the hearings by video conference (docs/statistics.md "Hearings by video
// conference").
#include "concord/app/statistics_hearings.hpp"

#include <map>
#include <tuple>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "concord/app/hearing.hpp"
#include "concord/app/policy.hpp"
#include "concord/core/time.hpp"

#include "statistics_rows.hpp"

namespace concord::app {
namespace {

using detail::FigureJson;
using detail::Suppressor;

// What the period's hearing requests of one party pair add up to.
struct HearingCell {
    std::int64_t requests{0};
    std::int64_t none{0};
    std::int64_t proposed{0};
    std::int64_t scheduled{0};
    std::int64_t held{0};
    std::int64_t recorded{0};
    std::vector<std::int64_t> to_held;
    std::vector<std::int64_t> proposals;
};

HearingFigures Publish(
    const std::tuple<std::string, std::string, std::string>& key,
    HearingCell& cell,
    const Suppressor& s
) {
    HearingFigures f;
    std::tie(f.direction, f.requesting_party, f.requested_party) = key;
    f.requests = s.Count(cell.requests);
    f.none = s.Count(cell.none);
    f.proposed = s.Count(cell.proposed);
    f.scheduled = s.Count(cell.scheduled);
    f.held = s.Count(cell.held);
    f.recorded = s.Count(cell.recorded);
    if (!f.requests) {
        f.none = f.proposed = f.scheduled = f.held = f.recorded = Figure{};
    } else {
        s.Complement(
            {&f.none, &f.proposed, &f.scheduled, &f.held},
            {cell.none, cell.proposed, cell.scheduled, cell.held}
        );
        // `held` is split by whether the record names a recording: the other part is not
        // published, but shown `held` and `recorded` would give it.
        Figure unrecorded = s.Count(cell.held - cell.recorded);
        if (!f.held) {
            f.recorded = Figure{};
        } else {
            s.Complement({&f.recorded, &unrecorded}, {cell.recorded, cell.held - cell.recorded});
        }
    }
    std::tie(f.to_held_median_ms, f.to_held_p90_ms) = s.Durations(cell.to_held);
    f.proposals_median = s.Durations(cell.proposals).first;
    return f;
}

}  // namespace

Result<HearingStatisticsReport> HearingStatistics::Report(
    const Actor& actor, const StatisticsQuery& query
) {
    CONCORD_RETURN_IF_ERROR(Decide(actor, Action::kStatisticsRead));
    CONCORD_RETURN_IF_ERROR(detail::CheckStatisticsQuery(query));
    CONCORD_ASSIGN_OR_RETURN(const std::int64_t through, statistics_.Refresh());
    HearingStatisticsReport report;
    report.query = query;
    report.generated_ms = NowMillis();
    report.events_through = through;
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx->Query(
            "SELECT r.direction, r.requesting_party, r.requested_party, r.started_ms, h.state, "
            "h.held_ms, h.recording_sha256, h.proposal FROM app_stats_requests r LEFT JOIN "
            "app_hearings h ON h.case_id = r.case_id WHERE r.request_type = $1 AND r.started_ms >= "
            "$2 AND r.started_ms < $3",
            {std::string(kHearingRequestType), detail::FirstStart(query.from_ms), query.to_ms}
        )
    );
    tx->Rollback();
    std::map<std::tuple<std::string, std::string, std::string>, HearingCell> cells;
    for (const store::Row& r : rows) {
        HearingCell& c = cells[{r.Text(0), r.Text(1), r.Text(2)}];
        ++c.requests;
        if (r.IsNull(4)) {
            ++c.none;
            continue;
        }
        const std::string state = r.Text(4);
        if (state == HearingStateName(HearingState::kHeld)) {
            ++c.held;
            c.recorded += r.Text(6).empty() ? 0 : 1;
            c.to_held.push_back(r.Int(5) - r.Int(3));
        } else if (state == HearingStateName(HearingState::kScheduled)) {
            ++c.scheduled;
        } else {
            ++c.proposed;
            continue;
        }
        c.proposals.push_back(r.Int(7));
    }
    const Suppressor s(query.threshold);
    for (auto& [key, cell] : cells) {
        report.hearings.push_back(Publish(key, cell, s));
    }
    return report;
}

std::string HearingStatisticsJson(const HearingStatisticsReport& report) {
    boost::json::object o = detail::ReportHead(
        "concord-statistics-hearings/1", report.query, report.generated_ms, report.events_through
    );
    boost::json::array rows;
    for (const HearingFigures& f : report.hearings) {
        rows.push_back(boost::json::object{
            {"direction", f.direction},
            {"requesting_party", f.requesting_party},
            {"requested_party", f.requested_party},
            {"requests", FigureJson(f.requests)},
            {"none", FigureJson(f.none)},
            {"proposed", FigureJson(f.proposed)},
            {"scheduled", FigureJson(f.scheduled)},
            {"held", FigureJson(f.held)},
            {"recorded", FigureJson(f.recorded)},
            {"to_held_median_ms", FigureJson(f.to_held_median_ms)},
            {"to_held_p90_ms", FigureJson(f.to_held_p90_ms)},
            {"proposals_median", FigureJson(f.proposals_median)}});
    }
    o["hearings"] = std::move(rows);
    return boost::json::serialize(o);
}

}  // namespace concord::app
