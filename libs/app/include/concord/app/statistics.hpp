#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "concord/app/actor.hpp"
#include "concord/core/result.hpp"
#include "concord/store/store.hpp"

namespace concord::app {

/// A count or a duration of a statistics report; nullopt where the figure is suppressed
/// (docs/statistics.md "Suppression") or, for a duration, where no case has one.
using Figure = std::optional<std::int64_t>;

/// One row of the requests table: the requests of one party pair, request type and priority
/// that started (were sent, or received) in the report's period.
struct RequestFigures {
    std::string direction;  ///< "out": this node requested; "in": it was requested
    std::string requesting_party;
    std::string requested_party;
    std::string request_type;
    std::string priority;  ///< "normal" or "emergency"
    Figure requests;
    Figure acknowledged;
    Figure responded;  ///< answered by `respond`
    Figure refused;    ///< answered by `refuse`
    Figure withdrawn;  ///< withdrawn before an answer
    Figure open;       ///< none of these yet
    Figure acknowledge_median_ms;
    Figure acknowledge_p90_ms;
    Figure answer_median_ms;  ///< to `respond` or `refuse`, whichever came first
    Figure answer_p90_ms;
};

/// Refusals of one party pair on one ground (a refusal naming two grounds counts on both).
struct RefusalFigures {
    std::string direction;
    std::string requesting_party;
    std::string requested_party;
    std::string ground;
    Figure refusals;
};

/// Requests by one value of one dimension: "offence" (the first offence's citation) or
/// "data_category" (a request naming two categories counts on both).
struct DimensionFigures {
    std::string direction;
    std::string dimension;
    std::string value;
    Figure requests;
};

/// The legal deadlines of one kind of the period's requests, by how they ended.
struct DeadlineFigures {
    std::string kind;
    Figure met;
    Figure breached;
    Figure running;  ///< open, warned or suspended
    Figure cancelled;
};

/// The obligations to extradite or prosecute that refusals of one party pair's requests opened
/// (docs/cases.md "Extradite or prosecute"), by the state they are in and the decision taken.
struct ObligationFigures {
    std::string direction;  ///< "in": this node owes them; "out": it is owed them
    std::string requesting_party;
    std::string requested_party;
    Figure obligations;
    Figure opened;     ///< not yet submitted for prosecution
    Figure submitted;  ///< submitted, no decision yet
    Figure decided;    ///< decided, the outcome not yet reported
    Figure reported;
    Figure prosecute;      ///< decided (or reported) with a decision to prosecute
    Figure not_prosecute;  ///< ... not to prosecute
    Figure overdue;        ///< not reported, and the current step is past due at generation
};

/// What a report covers.
struct StatisticsQuery {
    std::int64_t from_ms{0};  ///< requests that started at or after this instant...
    std::int64_t to_ms{0};    ///< ...and before this one
    /// Counts from 1 to threshold − 1 are suppressed, and every duration computed from fewer
    /// than `threshold` cases (1–1000; docs/statistics.md).
    std::int64_t threshold{5};
};

/// Official statistics of one node for one period, computed from its typed domain events.
struct StatisticsReport {
    StatisticsQuery query;
    std::int64_t generated_ms{0};
    std::int64_t events_through{0};  ///< the last domain event (seq) the figures include
    std::vector<RequestFigures> requests;
    std::vector<RefusalFigures> refusals;
    std::vector<DimensionFigures> dimensions;
    std::vector<DeadlineFigures> deadlines;
    std::vector<ObligationFigures> obligations;
};

/// Computes official statistics from the typed domain events (docs/statistics.md).
///
/// The events are folded, in the order written, into one row per request
/// (`app_stats_requests`); `Refresh` folds the events not yet folded, in batches, each event
/// marked folded in the transaction that applies it, so a report costs the period's requests and
/// the events since the last report, never the whole history. The store must also hold the case
/// and deadline tables (CaseService::Migrations()). Thread-safe: of two folds of the same events
/// one commits, the other gets kUnavailable and changes nothing.
class StatisticsService {
public:
    explicit StatisticsService(store::Store& store) : store_(store) {}

    /// Schema: component "app_statistics".
    static std::vector<store::Migration> Migrations();

    /// Folds every domain event not yet folded; returns the highest seq folded (0: none).
    Result<std::int64_t> Refresh();

    /// The report of `query` (kInvalidArgument: from ≥ to, a negative instant or one after the
    /// year 9999, or a threshold outside 1–1000); needs `statistics.read`. Folds first.
    Result<StatisticsReport> Report(const Actor& actor, const StatisticsQuery& query);

private:
    store::Store& store_;
};

/// The tables of a report's JSON, each a list of flat rows (text keys, figures).
inline constexpr std::array<std::string_view, 5> kStatisticsTables = {
    "requests", "refusals", "dimensions", "deadlines", "obligations"};

/// The report as JSON (docs/statistics.md "Report format"); suppressed figures are null.
std::string StatisticsJson(const StatisticsReport& report);

/// The requests table of the report as CSV (RFC 4180; a suppressed figure is an empty field).
std::string StatisticsCsv(const StatisticsReport& report);

}  // namespace concord::app
