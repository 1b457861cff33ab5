#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "concord/app/actor.hpp"
#include "concord/app/statistics.hpp"
#include "concord/core/result.hpp"
#include "concord/store/store.hpp"

namespace concord::app {

/// The hearings by video conference of one party pair's requests of the period
/// (docs/statistics.md "Hearings by video conference").
struct HearingFigures {
    std::string direction;  ///< "out": this node requested the hearing; "in": it was requested
    std::string requesting_party;
    std::string requested_party;
    Figure requests;           ///< video_hearing requests that started in the period
    Figure none;               ///< of them, no time proposed yet
    Figure proposed;           ///< times proposed, none agreed
    Figure scheduled;          ///< a time agreed, not held yet
    Figure held;               ///< held, its record kept
    Figure recorded;           ///< of the held ones, those whose record names a recording
    Figure to_held_median_ms;  ///< from the request's start to the hearing
    Figure to_held_p90_ms;
    Figure proposals_median;  ///< proposals made until one was agreed (scheduled or held)
};

struct HearingStatisticsReport {
    StatisticsQuery query;
    std::int64_t generated_ms{0};
    std::int64_t events_through{0};
    std::vector<HearingFigures> hearings;
};

/// Statistics of the hearings by video conference: the period's `video_hearing` requests
/// (`app_stats_requests`) with the hearing this node keeps for each (`app_hearings`).
class HearingStatistics {
public:
    /// `store` holds the statistics and hearing tables; both must outlive this object.
    HearingStatistics(store::Store& store, StatisticsService& statistics)
        : store_(store), statistics_(statistics) {}

    /// Needs `statistics.read`; kInvalidArgument for a bad period or threshold. Folds first.
    Result<HearingStatisticsReport> Report(const Actor& actor, const StatisticsQuery& query);

private:
    store::Store& store_;
    StatisticsService& statistics_;
};

/// The report as JSON (`concord-statistics-hearings/1`); suppressed figures are null.
std::string HearingStatisticsJson(const HearingStatisticsReport& report);

}  // namespace concord::app
