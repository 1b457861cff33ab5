// Official statistics from the typed domain events (docs/statistics.md): the fold into one row
// per request, and the report computed from those rows.
#include "concord/app/statistics.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "concord/app/domain_events.hpp"
#include "concord/app/policy.hpp"
#include "concord/core/log.hpp"
#include "concord/core/time.hpp"

#include "statistics_deadline_counts.hpp"
#include "statistics_rollup.hpp"
#include "statistics_rows.hpp"

namespace concord::app {
namespace {

using detail::FigureJson;
using detail::kStatsRowColumns;
using detail::RequestRow;
using detail::RowFrom;
using detail::StatsCell;
using detail::StatsTable;
using detail::Suppressor;

constexpr std::size_t kFoldBatch = 10000;

constexpr std::size_t kMaxLabelBytes = 64;
constexpr std::size_t kMaxListItems = 16;

// A value as statistics publish it: an identifier (1 to 64 of A-Z a-z 0-9 _ : . ( ) - /) as
// is, anything else "other". A peer's request names its type, offence and categories; free
// text, control characters or endless variants never reach a published row.
std::string Label(std::string_view value) {
    constexpr std::string_view kAllowed =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_:.()-/";
    const bool plain = !value.empty() && value.size() <= kMaxLabelBytes &&
                       value.find_first_not_of(kAllowed) == std::string_view::npos;
    return plain ? std::string(value) : std::string("other");
}

// Labels of a list, each once, in order, at most kMaxListItems.
std::vector<std::string> Labels(const std::vector<std::string>& values) {
    std::vector<std::string> out;
    for (const std::string& v : values) {
        std::string label = Label(v);
        if (out.size() < kMaxListItems && std::find(out.begin(), out.end(), label) == out.end()) {
            out.push_back(std::move(label));
        }
    }
    return out;
}

// One event's effect on its request (docs/statistics.md "From events to requests").
void Apply(RequestRow& row, const DomainEvent& e) {
    if (row.direction.empty()) {
        // Events written before version 2 of the table carry no direction: a request this node
        // drafted is outgoing, one it received incoming.
        row.direction = !e.direction.empty()   ? e.direction
                        : e.kind == "received" ? "in"
                        : e.kind == "drafted"  ? "out"
                                               : "";
    }
    row.requesting_party = Label(e.requesting_party);
    row.requested_party = Label(e.requested_party);
    row.request_type = Label(e.request_type);
    row.priority = e.priority == "emergency" ? "emergency" : "normal";
    if (row.offence.empty() && !e.offence.empty()) {
        row.offence = Label(e.offence);
    }
    if (row.data_categories.empty()) {
        row.data_categories = Labels(e.data_categories);
    }
    if (row.peer_node.empty() && !e.peer_node.empty()) {
        row.peer_node = Label(e.peer_node);
    }
    if (row.started_ms == 0 && (e.kind == "received" || e.kind == "send")) {
        row.started_ms = e.at_ms;
    }
    if (row.acknowledged_ms == 0 && e.kind == "acknowledge") {
        row.acknowledged_ms = e.at_ms;
    }
    if (row.answered_ms == 0 && (e.kind == "respond" || e.kind == "refuse")) {
        row.answered_ms = e.at_ms;
        if (row.outcome == "open") {
            row.outcome = e.kind == "respond" ? "responded" : "refused";
            row.grounds = Labels(e.grounds);
        }
    }
    if (row.outcome == "open" && e.to_state == "withdrawn") {
        row.outcome = "withdrawn";
    }
    // An obligation to extradite or prosecute: opened by its own event, moved by its steps (a
    // step of one this node never opened, under other obligations data, counts nowhere).
    if (e.kind == "obligation_opened" && row.obligation.empty()) {
        row.obligation = "opened";
    } else if (row.obligation.empty()) {
        return;
    } else if (e.kind == "submit_for_prosecution") {
        row.obligation = "submitted";
    } else if (e.kind == "decide_to_prosecute" || e.kind == "decide_not_to_prosecute") {
        row.obligation = "decided";
        row.obligation_decision = e.kind == "decide_to_prosecute" ? "prosecute" : "not_prosecute";
    } else if (e.kind == "report_outcome") {
        row.obligation = "reported";
    }
}

Result<void> Save(store::Transaction& tx, const std::string& case_id, const RequestRow& row) {
    CONCORD_RETURN_IF_ERROR(tx.Execute(
        "INSERT INTO app_stats_requests (case_id, " + std::string(kStatsRowColumns) +
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) "
            "ON CONFLICT "
            "(case_id) DO UPDATE SET direction = excluded.direction, requesting_party = "
            "excluded.requesting_party, requested_party = excluded.requested_party, "
            "request_type = excluded.request_type, priority = excluded.priority, offence = "
            "excluded.offence, data_categories = excluded.data_categories, started_ms = "
            "excluded.started_ms, acknowledged_ms = excluded.acknowledged_ms, answered_ms = "
            "excluded.answered_ms, outcome = excluded.outcome, grounds = excluded.grounds, "
            "obligation = excluded.obligation, obligation_decision = "
            "excluded.obligation_decision, peer_node = excluded.peer_node",
        {case_id,
         row.direction,
         row.requesting_party,
         row.requested_party,
         row.request_type,
         row.priority,
         row.offence,
         StringListJson(row.data_categories),
         row.started_ms,
         row.acknowledged_ms,
         row.answered_ms,
         row.outcome,
         StringListJson(row.grounds),
         row.obligation,
         row.obligation_decision,
         row.peer_node}
    ));
    return {};
}

// Folds one batch of unfolded events; returns how many it folded. The rollup moves with the
// rows, in the same transaction.
Result<std::size_t> FoldBatch(store::Store& store) {
    CONCORD_ASSIGN_OR_RETURN(auto tx, store.Begin());
    CONCORD_ASSIGN_OR_RETURN(auto events, ReadUnfoldedDomainEvents(*tx, kFoldBatch));
    if (events.empty()) {
        return std::size_t{0};
    }
    // Each touched case: its row as stored before the batch (none: new), and as folded.
    std::map<std::string, std::pair<std::optional<RequestRow>, RequestRow>> rows;
    for (const DomainEvent& e : events) {
        CONCORD_ASSIGN_OR_RETURN(const bool mine, MarkDomainEventFolded(*tx, e.seq));
        if (!mine) {
            return MakeError(
                ErrorCode::kUnavailable, "another fold of the same domain events ran first; retry"
            );
        }
        auto it = rows.find(e.case_id);
        if (it == rows.end()) {
            CONCORD_ASSIGN_OR_RETURN(
                auto found,
                tx->Query(
                    "SELECT " + std::string(kStatsRowColumns) +
                        " FROM app_stats_requests WHERE case_id = $1",
                    {e.case_id}
                )
            );
            std::optional<RequestRow> before;
            if (!found.empty()) {
                before = RowFrom(found[0]);
            }
            RequestRow row = before.value_or(RequestRow{});
            it = rows.emplace(e.case_id, std::pair{std::move(before), std::move(row)}).first;
        }
        Apply(it->second.second, e);
    }
    detail::RollupDelta delta;
    for (const auto& [case_id, change] : rows) {
        CONCORD_RETURN_IF_ERROR(Save(*tx, case_id, change.second));
        delta.Move(change.first, change.second);
    }
    CONCORD_RETURN_IF_ERROR(delta.Write(*tx));
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    return events.size();
}

RequestFigures Publish(const std::vector<std::string>& key, StatsCell& cell, const Suppressor& s) {
    RequestFigures f;
    f.direction = key.at(0);
    f.requesting_party = key.at(1);
    f.requested_party = key.at(2);
    f.request_type = key.at(3);
    f.priority = key.at(4);
    const auto& n = cell.counts;
    f.requests = s.Count(n[0]);
    f.acknowledged = s.Count(n[1]);
    f.responded = s.Count(n[2]);
    f.refused = s.Count(n[3]);
    f.withdrawn = s.Count(n[4]);
    f.open = s.Count(n[5]);
    if (!f.requests) {
        // The total is hidden: so is every part of it.
        f.acknowledged = f.responded = f.refused = f.withdrawn = f.open = Figure{};
    } else {
        s.Complement({&f.responded, &f.refused, &f.withdrawn, &f.open}, {n[2], n[3], n[4], n[5]});
    }
    std::tie(f.acknowledge_median_ms, f.acknowledge_p90_ms) = s.Durations(cell.to_acknowledge);
    std::tie(f.answer_median_ms, f.answer_p90_ms) = s.Durations(cell.to_answer);
    return f;
}

// The obligations of one party pair: the rollup's counts (docs/statistics.md order) and how
// many are overdue now.
struct ObligationCell {
    detail::StatsCounts counts{};
    std::int64_t overdue{0};
};

ObligationFigures PublishObligations(
    const std::vector<std::string>& key, const ObligationCell& cell, const Suppressor& s
) {
    ObligationFigures f;
    f.direction = key.at(0);
    f.requesting_party = key.at(1);
    f.requested_party = key.at(2);
    const auto& n = cell.counts;
    f.obligations = s.Count(n[0]);
    f.opened = s.Count(n[1]);
    f.submitted = s.Count(n[2]);
    f.decided = s.Count(n[3]);
    f.reported = s.Count(n[4]);
    f.prosecute = s.Count(n[5]);
    f.not_prosecute = s.Count(n[6]);
    f.overdue = s.Count(cell.overdue);
    if (!f.obligations) {
        f.opened = f.submitted = f.decided = f.reported = Figure{};
        f.prosecute = f.not_prosecute = f.overdue = Figure{};
    } else {
        // Two partitions of `obligations`: by state, and by decision (the decided and reported
        // ones each have one). Each is protected, and again while hiding in one hid in the other.
        const std::vector<Figure*> by_state{&f.opened, &f.submitted, &f.decided, &f.reported};
        const std::vector<Figure*> by_decision{
            &f.opened, &f.submitted, &f.prosecute, &f.not_prosecute};
        const auto hidden = [&] {
            return std::count_if(by_state.begin(), by_state.end(), [](Figure* p) { return !*p; }) +
                   std::count_if(by_decision.begin(), by_decision.end(), [](Figure* p) {
                       return !*p;
                   });
        };
        for (auto before = hidden();;) {
            s.Complement(by_state, {n[1], n[2], n[3], n[4]});
            s.Complement(by_decision, {n[1], n[2], n[5], n[6]});
            const auto after = hidden();
            if (after == before) {
                break;
            }
            before = after;
        }
    }
    return f;
}

std::string FigureCsv(const Figure& f) {
    return f ? std::to_string(*f) : std::string{};
}

// One CSV field: quoted when it holds a separator, a quote or a line end; a leading character
// that spreadsheets read as a formula is preceded by an apostrophe.
std::string CsvField(std::string_view text) {
    std::string value(text);
    if (!value.empty() && std::string_view("=+-@\t\r").find(value.front()) != std::string::npos) {
        value.insert(value.begin(), '\'');
    }
    if (value.find_first_of(",\"\r\n") == std::string::npos) {
        return value;
    }
    std::string quoted = "\"";
    for (char ch : value) {
        quoted += ch;
        if (ch == '"') {
            quoted += '"';
        }
    }
    return quoted + "\"";
}

}  // namespace

std::vector<store::Migration> StatisticsService::Migrations() {
    constexpr std::string_view kTypeIndex =
        "CREATE INDEX app_stats_requests_type ON app_stats_requests (request_type, started_ms)";
    auto schema = [](std::string_view integer) {
        const std::string i(integer);
        return "CREATE TABLE app_stats_requests (case_id TEXT PRIMARY KEY, direction TEXT NOT "
               "NULL, requesting_party TEXT NOT NULL, requested_party TEXT NOT NULL, "
               "request_type TEXT NOT NULL, priority TEXT NOT NULL, offence TEXT NOT NULL, "
               "data_categories TEXT NOT NULL, started_ms " +
               i + " NOT NULL, acknowledged_ms " + i + " NOT NULL, answered_ms " + i +
               " NOT NULL, outcome TEXT NOT NULL, grounds TEXT NOT NULL);"
               "CREATE INDEX app_stats_requests_started ON app_stats_requests (started_ms)";
    };
    // Version 2: the obligation to extradite or prosecute a refusal opened, and its decision.
    const std::string obligations =
        "ALTER TABLE app_stats_requests ADD COLUMN obligation TEXT NOT NULL DEFAULT '';"
        "ALTER TABLE app_stats_requests ADD COLUMN obligation_decision TEXT NOT NULL DEFAULT ''";
    // Version 3: the other node of the case (an outgoing request's addressee). Rows folded
    // before keep "": their events carried no node.
    const std::string peer =
        "ALTER TABLE app_stats_requests ADD COLUMN peer_node TEXT NOT NULL DEFAULT ''";
    return {
        store::Migration{"app_statistics", 1, schema("INTEGER"), schema("BIGINT")},
        store::Migration{"app_statistics", 2, obligations, obligations},
        store::Migration{"app_statistics", 3, peer, peer},
        // Version 4: the rollup by day (built from the rows by the first Refresh).
        detail::RollupMigration(),
        // Version 5: the legal deadlines by day of their start, kind and state.
        detail::DeadlineCountsMigration(),
        // Version 6: the requests of one type by start (the hearings' statistics).
        store::Migration{"app_statistics", 6, std::string(kTypeIndex), std::string(kTypeIndex)},
        // Version 7: the rollup built in steps, each its own transaction.
        detail::RollupProgressMigration(),
        // Version 8: the EU Art 28 report's rollup (the rollup built again).
        detail::EuRollupMigration()};
}

Result<std::int64_t> StatisticsService::Refresh() {
    // The folds first (they move the days of the rollup built so far and leave the rest to its
    // build), then the rollup built where it is not.
    bool stale = false;
    while (true) {
        auto folded = FoldBatch(store_);
        if (!folded && folded.error().code == ErrorCode::kCorruption && !stale) {
            // The rollup is out of step with the rows: built again from them (below), once.
            log::Error("statistics rollup rebuilt", {{"reason", folded.error().message}});
            CONCORD_RETURN_IF_ERROR(detail::MarkRollupStale(store_));
            stale = true;
            continue;
        }
        if (!folded) {
            return folded.error();
        }
        if (*folded < kFoldBatch) {
            break;
        }
    }
    while (true) {
        CONCORD_ASSIGN_OR_RETURN(
            const std::size_t folded, detail::FoldDeadlineEvents(store_, kFoldBatch)
        );
        if (folded < kFoldBatch) {
            break;
        }
    }
    CONCORD_RETURN_IF_ERROR(detail::EnsureRollup(store_));
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(
        auto rows, tx->Query("SELECT MAX(seq) FROM app_domain_events WHERE folded = 1")
    );
    return rows.empty() || rows[0].IsNull(0) ? 0 : rows[0].Int(0);
}

Result<StatisticsReport> StatisticsService::Report(
    const Actor& actor, const StatisticsQuery& query
) {
    CONCORD_RETURN_IF_ERROR(Decide(actor, Action::kStatisticsRead));
    CONCORD_RETURN_IF_ERROR(detail::CheckStatisticsQuery(query));
    CONCORD_ASSIGN_OR_RETURN(const std::int64_t through, Refresh());
    StatisticsReport report;
    report.query = query;
    report.generated_ms = NowMillis();
    report.events_through = through;
    const Suppressor s(query.threshold);

    // The whole UTC days of the period from the rollup, the parts of days at its ends from the
    // requests themselves.
    detail::StatsCells cells;
    CONCORD_ASSIGN_OR_RETURN(
        auto tx,
        detail::ReadPeriod(store_, detail::RollupPart::kGeneral, query.from_ms, query.to_ms, cells)
    );
    std::map<std::vector<std::string>, ObligationCell> obligations;
    for (auto& [key, cell] : cells) {
        const auto& [table, values] = key;
        switch (table) {
            case StatsTable::kRequests:
                report.requests.push_back(Publish(values, cell, s));
                break;
            case StatsTable::kRefusals:
                report.refusals.push_back(RefusalFigures{
                    values.at(0), values.at(1), values.at(2), values.at(3), s.Count(cell.counts[0])}
                );
                break;
            case StatsTable::kDimensions:
                report.dimensions.push_back(DimensionFigures{
                    values.at(0), values.at(1), values.at(2), s.Count(cell.counts[0])});
                break;
            case StatsTable::kObligations:
                obligations[values].counts = cell.counts;
                break;
            case StatsTable::kEuOrders:
            case StatsTable::kEuRefusals:
                break;  // the EU Art 28 report's (ReadPeriod gives none here)
        }
    }

    // The deadlines that started in the period (docs/statistics.md "Legal deadlines").
    CONCORD_ASSIGN_OR_RETURN(auto by_kind, detail::CountDeadlines(*tx, query.from_ms, query.to_ms));
    for (auto& [kind, states] : by_kind) {
        if (std::none_of(states.begin(), states.end(), [](const auto& kv) {
                return kv.second != 0;
            })) {
            continue;  // counts left at 0 by deadlines that changed state
        }
        DeadlineFigures f;
        f.kind = kind;
        f.met = s.Count(states["met"]);
        f.breached = s.Count(states["breached"]);
        f.running = s.Count(states["open"] + states["warned"] + states["suspended"]);
        f.cancelled = s.Count(states["cancelled"]);
        report.deadlines.push_back(std::move(f));
    }
    // Overdue: the obligation's current step is past due when the report is generated. From the
    // obligations (few: only refusals open one) to their requests; CROSS JOIN keeps SQLite from
    // walking the period's requests instead.
    CONCORD_ASSIGN_OR_RETURN(
        auto overdue_rows,
        tx->Query(
            "SELECT r.direction, r.requesting_party, r.requested_party, COUNT(*) FROM "
            "app_obligations o CROSS JOIN app_stats_requests r WHERE r.case_id = o.case_id AND "
            "r.started_ms >= $1 AND r.started_ms < $2 AND o.state <> "
            "'reported' AND o.due_ms > 0 AND o.due_ms < $3 GROUP BY r.direction, "
            "r.requesting_party, r.requested_party",
            {detail::FirstStart(query.from_ms), query.to_ms, report.generated_ms}
        )
    );
    for (const store::Row& r : overdue_rows) {
        obligations[{r.Text(0), r.Text(1), r.Text(2)}].overdue += r.Int(3);
    }
    for (auto& [key, cell] : obligations) {
        report.obligations.push_back(PublishObligations(key, cell, s));
    }
    tx->Rollback();
    return report;
}

std::string StatisticsJson(const StatisticsReport& report) {
    boost::json::object o = detail::ReportHead(
        "concord-statistics/1", report.query, report.generated_ms, report.events_through
    );
    boost::json::array requests;
    for (const RequestFigures& f : report.requests) {
        requests.push_back(boost::json::object{
            {"direction", f.direction},
            {"requesting_party", f.requesting_party},
            {"requested_party", f.requested_party},
            {"request_type", f.request_type},
            {"priority", f.priority},
            {"requests", FigureJson(f.requests)},
            {"acknowledged", FigureJson(f.acknowledged)},
            {"responded", FigureJson(f.responded)},
            {"refused", FigureJson(f.refused)},
            {"withdrawn", FigureJson(f.withdrawn)},
            {"open", FigureJson(f.open)},
            {"acknowledge_median_ms", FigureJson(f.acknowledge_median_ms)},
            {"acknowledge_p90_ms", FigureJson(f.acknowledge_p90_ms)},
            {"answer_median_ms", FigureJson(f.answer_median_ms)},
            {"answer_p90_ms", FigureJson(f.answer_p90_ms)}});
    }
    o["requests"] = std::move(requests);
    boost::json::array refusals;
    for (const RefusalFigures& f : report.refusals) {
        refusals.push_back(boost::json::object{
            {"direction", f.direction},
            {"requesting_party", f.requesting_party},
            {"requested_party", f.requested_party},
            {"ground", f.ground},
            {"refusals", FigureJson(f.refusals)}});
    }
    o["refusals"] = std::move(refusals);
    boost::json::array dimensions;
    for (const DimensionFigures& f : report.dimensions) {
        dimensions.push_back(boost::json::object{
            {"direction", f.direction},
            {"dimension", f.dimension},
            {"value", f.value},
            {"requests", FigureJson(f.requests)}});
    }
    o["dimensions"] = std::move(dimensions);
    boost::json::array deadlines;
    for (const DeadlineFigures& f : report.deadlines) {
        deadlines.push_back(boost::json::object{
            {"kind", f.kind},
            {"met", FigureJson(f.met)},
            {"breached", FigureJson(f.breached)},
            {"running", FigureJson(f.running)},
            {"cancelled", FigureJson(f.cancelled)}});
    }
    o["deadlines"] = std::move(deadlines);
    boost::json::array obligations;
    for (const ObligationFigures& f : report.obligations) {
        obligations.push_back(boost::json::object{
            {"direction", f.direction},
            {"requesting_party", f.requesting_party},
            {"requested_party", f.requested_party},
            {"obligations", FigureJson(f.obligations)},
            {"opened", FigureJson(f.opened)},
            {"submitted", FigureJson(f.submitted)},
            {"decided", FigureJson(f.decided)},
            {"reported", FigureJson(f.reported)},
            {"prosecute", FigureJson(f.prosecute)},
            {"not_prosecute", FigureJson(f.not_prosecute)},
            {"overdue", FigureJson(f.overdue)}});
    }
    o["obligations"] = std::move(obligations);
    return boost::json::serialize(o);
}

std::string StatisticsCsv(const StatisticsReport& report) {
    std::string out =
        "direction,requesting_party,requested_party,request_type,priority,requests,acknowledged,"
        "responded,refused,withdrawn,open,acknowledge_median_ms,acknowledge_p90_ms,"
        "answer_median_ms,answer_p90_ms\r\n";
    for (const RequestFigures& f : report.requests) {
        for (const std::string* text :
             {&f.direction,
              &f.requesting_party,
              &f.requested_party,
              &f.request_type,
              &f.priority}) {
            out += CsvField(*text);
            out += ',';
        }
        const Figure* figures[] = {
            &f.requests,
            &f.acknowledged,
            &f.responded,
            &f.refused,
            &f.withdrawn,
            &f.open,
            &f.acknowledge_median_ms,
            &f.acknowledge_p90_ms,
            &f.answer_median_ms,
            &f.answer_p90_ms};
        for (std::size_t i = 0; i < std::size(figures); ++i) {
            out += FigureCsv(*figures[i]);
            out += i + 1 < std::size(figures) ? "," : "\r\n";
        }
    }
    return out;
}

}  // namespace concord::app
