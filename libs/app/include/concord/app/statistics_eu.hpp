#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "concord/app/actor.hpp"
#include "concord/app/statistics.hpp"
#include "concord/core/result.hpp"
#include "concord/store/store.hpp"

namespace concord::app {

/// One row of Art 28(2)(a), (c) and (e) of Regulation (EU) 2023/1543: the orders of one type
/// that this node issued in the period, to one addressee, in one situation, naming one type of
/// data (docs/statistics.md "EU e-Evidence report").
struct EuOrderFigures {
    std::string order;          ///< "epoc" (production) or "epoc_pr" (preservation)
    std::string data_category;  ///< a category the orders name; "all": every order once
    std::string addressee;      ///< the node the orders went to; "unknown" before it was kept
    std::string situation;      ///< "emergency" or "normal"
    Figure issued;              ///< (a)
    Figure fulfilled;           ///< (c): answered by `respond`
    Figure not_fulfilled;       ///< (c): answered by `refuse`
    Figure withdrawn;           ///< withdrawn before an answer
    Figure open;                ///< no answer yet
    /// (e), EPOCs only: the mean time from issue (sent) to the data (respond) of the fulfilled
    /// ones, in milliseconds; nothing for fewer than the threshold, and for EPOC-PRs.
    Figure average_ms;
};

/// Art 28(2)(d): EPOCs refused, by the ground raised (an order refused on two grounds counts
/// on both), for one addressee and situation, over all data categories.
struct EuRefusalFigures {
    std::string addressee;
    std::string situation;
    std::string ground;
    Figure refusals;
};

/// The figures of Art 28(2) that a node can compute from its own work, for one period.
struct EuArt28Report {
    StatisticsQuery query;
    std::int64_t generated_ms{0};
    std::int64_t events_through{0};
    Figure emergency_epocs;  ///< (b): EPOCs issued as emergency cases
    std::vector<EuOrderFigures> orders;
    std::vector<EuRefusalFigures> refusals;
};

/// Computes the EU e-Evidence Regulation's statistics (Art 28(2)) from the rows that
/// StatisticsService folds from the typed domain events: the outgoing requests of types `epoc`
/// and `epoc_pr` that started (were sent) in the period. Small figures are suppressed as in the
/// general report. Thread-safe as StatisticsService.
class EuArt28Reporter {
public:
    /// `store` holds the statistics tables; both must outlive this object.
    EuArt28Reporter(store::Store& store, StatisticsService& statistics)
        : store_(store), statistics_(statistics) {}

    /// Needs `statistics.read`; kInvalidArgument for a bad period or threshold. Folds first.
    Result<EuArt28Report> Report(const Actor& actor, const StatisticsQuery& query);

private:
    store::Store& store_;
    StatisticsService& statistics_;
};

/// The report as JSON (`concord-eu-art28/1`, docs/statistics.md), with the points of
/// Art 28(2) that Concord does not record listed as such; suppressed figures are null.
std::string EuArt28Json(const EuArt28Report& report);

}  // namespace concord::app
