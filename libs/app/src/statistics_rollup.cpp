#include "statistics_rollup.hpp"

#include <algorithm>
#include <iterator>
#include <string_view>

#include "concord/core/log.hpp"

namespace concord::app::detail {
namespace {

// Keys are stored with their values joined by '|', which no published label holds (statistics
// labels are identifiers: docs/statistics.md "From events to requests").
constexpr char kKeySeparator = '|';

constexpr std::array<std::string_view, 6> kTableNames = {
    "requests", "refusals", "dimensions", "obligations", "eu_orders", "eu_refusals"};

std::string_view TableName(StatsTable t) {
    return kTableNames.at(static_cast<std::size_t>(t));
}

// The number of values of a table's key.
std::size_t KeySize(StatsTable t) {
    constexpr std::array<std::size_t, 6> kSizes = {5, 4, 3, 3, 4, 3};
    return kSizes.at(static_cast<std::size_t>(t));
}

std::string PartTable(RollupPart part) {
    return part == RollupPart::kEu ? "app_stats_eu_days" : "app_stats_days";
}

std::string DaysTable(StatsTable t) {
    return PartTable(PartOf(t));
}

std::optional<StatsTable> TableFromName(std::string_view name) {
    for (std::size_t i = 0; i < kTableNames.size(); ++i) {
        if (kTableNames.at(i) == name) {
            return static_cast<StatsTable>(i);
        }
    }
    return std::nullopt;
}

std::string JoinKey(const std::vector<std::string>& values) {
    std::string out;
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i > 0) {
            out += kKeySeparator;
        }
        out += values[i];
    }
    return out;
}

std::vector<std::string> SplitKey(std::string_view text) {
    std::vector<std::string> out;
    for (;;) {
        const std::size_t bar = text.find(kKeySeparator);
        out.emplace_back(text.substr(0, bar));
        if (bar == std::string_view::npos) {
            return out;
        }
        text.remove_prefix(bar + 1);
    }
}

std::int64_t DayOf(std::int64_t ms) {
    return ms / kStatsDayMs;  // started_ms > 0: no rounding towards zero to correct
}

const Bytes& TimesAt(const store::Row& r, std::size_t i) {
    static const Bytes kNone;
    return r.IsNull(i) ? kNone : r.Blob(i);
}

// Takes the values both lists hold (as multisets) out of both, so that a time taken out and put
// back by the same batch costs nothing.
void Cancel(std::vector<std::int64_t>& added, std::vector<std::int64_t>& removed) {
    std::sort(added.begin(), added.end());
    std::sort(removed.begin(), removed.end());
    std::vector<std::int64_t> a;
    std::vector<std::int64_t> r;
    std::set_difference(
        added.begin(), added.end(), removed.begin(), removed.end(), std::back_inserter(a)
    );
    std::set_difference(
        removed.begin(), removed.end(), added.begin(), added.end(), std::back_inserter(r)
    );
    added = std::move(a);
    removed = std::move(r);
}

// Removes one occurrence of each of `gone` (sorted) from `values` (sorted, as decoded) in one
// pass; false when one is missing.
bool RemoveTimes(std::vector<std::int64_t>& values, const std::vector<std::int64_t>& gone) {
    if (gone.empty()) {
        return true;
    }
    std::vector<std::int64_t> kept;
    std::set_difference(
        values.begin(), values.end(), gone.begin(), gone.end(), std::back_inserter(kept)
    );
    if (kept.size() + gone.size() != values.size()) {
        return false;
    }
    values = std::move(kept);
    return true;
}

std::size_t Index(std::string_view value, std::initializer_list<std::string_view> names) {
    std::size_t i = 0;
    for (const std::string_view name : names) {
        if (value == name) {
            return i;
        }
        ++i;
    }
    return i;
}

constexpr std::string_view kRollupColumns = "n0, n1, n2, n3, n4, n5, n6, to_acknowledge, to_answer";

// Adds one stored rollup row (its counts from column `at`) to `cell`.
Result<void> AddStored(const store::Row& r, std::size_t at, StatsCell& cell) {
    for (std::size_t i = 0; i < cell.counts.size(); ++i) {
        cell.counts.at(i) += r.Int(at + i);
    }
    CONCORD_RETURN_IF_ERROR(DecodeTimes(TimesAt(r, at + 7), cell.to_acknowledge));
    return DecodeTimes(TimesAt(r, at + 8), cell.to_answer);
}

Result<void> Put(
    store::Transaction& tx, std::int64_t day, const StatsKey& key, const StatsCell& cell
) {
    const auto& n = cell.counts;
    CONCORD_RETURN_IF_ERROR(tx.Execute(
        "INSERT INTO " + DaysTable(key.first) + " (day, tab, k, " + std::string(kRollupColumns) +
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (day, "
            "tab, k) DO UPDATE SET n0 = excluded.n0, n1 = excluded.n1, n2 = excluded.n2, n3 "
            "= excluded.n3, n4 = excluded.n4, n5 = excluded.n5, n6 = excluded.n6, "
            "to_acknowledge = excluded.to_acknowledge, to_answer = excluded.to_answer",
        {day,
         std::string(TableName(key.first)),
         JoinKey(key.second),
         n[0],
         n[1],
         n[2],
         n[3],
         n[4],
         n[5],
         n[6],
         EncodeTimes(cell.to_acknowledge),
         EncodeTimes(cell.to_answer)}
    ));
    return {};
}

// What an order the node issued under Regulation (EU) 2023/1543 (an outgoing `epoc` or `epoc_pr`)
// adds to the EU Art 28 report's tables (docs/statistics.md "EU e-Evidence report").
void AddEuOrder(const RequestRow& row, StatsCells& cells) {
    const std::string addressee = row.peer_node.empty() ? "unknown"
                                  : row.peer_node.find(kKeySeparator) != std::string::npos
                                      ? "other"
                                      : row.peer_node;
    const auto add = [&](const std::string& category) {
        StatsCell& c =
            cells[{StatsTable::kEuOrders, {row.request_type, category, addressee, row.priority}}];
        ++c.counts[0];
        ++c.counts.at(
            1 + std::min<std::size_t>(Index(row.outcome, {"responded", "refused", "withdrawn"}), 3)
        );
        if (row.request_type == "epoc" && row.outcome == "responded" && row.answered_ms != 0) {
            c.to_answer.push_back(row.answered_ms - row.started_ms);
        }
    };
    add("all");
    for (const std::string& category : row.data_categories) {
        add(category);
    }
    if (row.data_categories.empty()) {
        add("unspecified");
    }
    if (row.request_type == "epoc" && row.outcome == "refused") {
        for (const std::string& g : row.grounds) {
            ++cells[{StatsTable::kEuRefusals, {addressee, row.priority, g}}].counts[0];
        }
    }
}

}  // namespace

RollupPart PartOf(StatsTable table) {
    return table == StatsTable::kEuOrders || table == StatsTable::kEuRefusals
               ? RollupPart::kEu
               : RollupPart::kGeneral;
}

Bytes EncodeTimes(std::vector<std::int64_t> values) {
    std::sort(values.begin(), values.end());
    Bytes out;
    out.reserve(values.size() * 4);
    std::uint64_t previous = 0;
    for (std::size_t i = 0; i < values.size(); ++i) {
        const auto v = static_cast<std::uint64_t>(values[i]);
        std::uint64_t word =
            i == 0 ? (v << 1U) ^ static_cast<std::uint64_t>(values[0] >> 63) : v - previous;
        previous = v;
        while (word >= 0x80U) {
            out.push_back(static_cast<std::uint8_t>(word | 0x80U));
            word >>= 7U;
        }
        out.push_back(static_cast<std::uint8_t>(word));
    }
    return out;
}

Result<void> DecodeTimes(const Bytes& in, std::vector<std::int64_t>& out) {
    std::uint64_t previous = 0;
    bool first = true;
    for (std::size_t at = 0; at < in.size();) {
        std::uint64_t word = 0;
        for (unsigned shift = 0;; shift += 7) {
            if (at == in.size() || shift > 63) {
                return MakeError(ErrorCode::kCorruption, "a statistics rollup's times are cut");
            }
            const std::uint8_t b = in[at++];
            word |= static_cast<std::uint64_t>(b & 0x7FU) << shift;
            if ((b & 0x80U) == 0) {
                break;
            }
        }
        previous = first ? (word >> 1U) ^ (~(word & 1U) + 1U) : previous + word;
        first = false;
        out.push_back(static_cast<std::int64_t>(previous));
    }
    return {};
}

void AddRequest(const RequestRow& folded, StatsCells& cells) {
    if (folded.started_ms <= 0) {
        return;
    }
    // Rows folded before values were reduced to labels may hold the key separator: such a value
    // counts as "other", whether read from the rollup or from the row.
    RequestRow row = folded;
    for (std::string* value :
         {&row.direction,
          &row.requesting_party,
          &row.requested_party,
          &row.request_type,
          &row.offence}) {
        if (value->find(kKeySeparator) != std::string::npos) {
            *value = "other";
        }
    }
    for (std::vector<std::string>* list : {&row.grounds, &row.data_categories}) {
        for (std::string& value : *list) {
            if (value.find(kKeySeparator) != std::string::npos) {
                value = "other";
            }
        }
    }
    StatsCell& c = cells[{
        StatsTable::kRequests,
        {row.direction,
         row.requesting_party,
         row.requested_party,
         row.request_type,
         row.priority}}];
    ++c.counts[0];
    if (row.acknowledged_ms != 0) {
        ++c.counts[1];
        c.to_acknowledge.push_back(row.acknowledged_ms - row.started_ms);
    }
    if (row.answered_ms != 0) {
        c.to_answer.push_back(row.answered_ms - row.started_ms);
    }
    ++c.counts.at(
        2 + std::min<std::size_t>(Index(row.outcome, {"responded", "refused", "withdrawn"}), 3)
    );
    for (const std::string& g : row.grounds) {
        ++cells[{StatsTable::kRefusals,
                 {row.direction, row.requesting_party, row.requested_party, g}}]
              .counts[0];
    }
    if (!row.offence.empty()) {
        ++cells[{StatsTable::kDimensions, {row.direction, "offence", row.offence}}].counts[0];
    }
    for (const std::string& category : row.data_categories) {
        ++cells[{StatsTable::kDimensions, {row.direction, "data_category", category}}].counts[0];
    }
    if (!row.obligation.empty()) {
        StatsCell& o = cells[{
            StatsTable::kObligations, {row.direction, row.requesting_party, row.requested_party}}];
        ++o.counts[0];
        ++o.counts.at(
            1 + std::min<std::size_t>(Index(row.obligation, {"opened", "submitted", "decided"}), 3)
        );
        if (!row.obligation_decision.empty()) {
            ++o.counts.at(row.obligation_decision == "prosecute" ? 5 : 6);
        }
    }
    if (row.direction == "out" && (row.request_type == "epoc" || row.request_type == "epoc_pr")) {
        AddEuOrder(row, cells);
    }
}

namespace {

// A rollup table by day (the same columns for every part).
std::string DaysSchema(std::string_view table, std::string_view integer, std::string_view blob) {
    const std::string i(integer);
    const std::string b(blob);
    return "CREATE TABLE " + std::string(table) + " (day " + i +
           " NOT NULL, tab TEXT NOT NULL, k TEXT NOT NULL, n0 " + i + " NOT NULL, n1 " + i +
           " NOT NULL, n2 " + i + " NOT NULL, n3 " + i + " NOT NULL, n4 " + i + " NOT NULL, n5 " +
           i + " NOT NULL, n6 " + i + " NOT NULL, to_acknowledge " + b + ", to_answer " + b +
           ", PRIMARY KEY (day, tab, k))";
}

}  // namespace

store::Migration RollupMigration() {
    auto schema = [](std::string_view integer, std::string_view blob) {
        return DaysSchema("app_stats_days", integer, blob) +
               ";CREATE TABLE app_stats_rollup (id INTEGER PRIMARY KEY, ready INTEGER NOT NULL);"
               "INSERT INTO app_stats_rollup (id, ready) VALUES (1, 0)";
    };
    return store::Migration{
        "app_statistics", 4, schema("INTEGER", "BLOB"), schema("BIGINT", "BYTEA")};
}

store::Migration RollupProgressMigration() {
    // The first day the build of the rollup has not reached; -1: not started (stale).
    const std::string sql =
        "ALTER TABLE app_stats_rollup ADD COLUMN next_day BIGINT NOT NULL DEFAULT -1";
    return store::Migration{"app_statistics", 7, sql, sql};
}

store::Migration EuRollupMigration() {
    const std::string stale = ";UPDATE app_stats_rollup SET ready = 0, next_day = -1";
    return store::Migration{
        "app_statistics",
        8,
        DaysSchema("app_stats_eu_days", "INTEGER", "BLOB") + stale,
        DaysSchema("app_stats_eu_days", "BIGINT", "BYTEA") + stale};
}

Result<void> LockRollupState(store::Transaction& tx) {
    CONCORD_RETURN_IF_ERROR(tx.Execute("UPDATE app_stats_rollup SET next_day = next_day"));
    return {};
}

void RollupDelta::Move(const std::optional<RequestRow>& before, const RequestRow& after) {
    StatsCells gone;
    StatsCells come;
    if (before) {
        AddRequest(*before, gone);
    }
    AddRequest(after, come);
    const std::int64_t gone_day = before ? DayOf(before->started_ms) : 0;
    const std::int64_t come_day = DayOf(after.started_ms);
    if (gone_day == come_day && gone.size() == come.size() &&
        std::equal(gone.begin(), gone.end(), come.begin(), [](const auto& a, const auto& b) {
            return a.first == b.first && a.second.counts == b.second.counts &&
                   a.second.to_acknowledge == b.second.to_acknowledge &&
                   a.second.to_answer == b.second.to_answer;
        })) {
        return;
    }
    for (const auto& [key, cell] : gone) {
        Change& ch = changes_[{gone_day, key}];
        for (std::size_t i = 0; i < cell.counts.size(); ++i) {
            ch.counts.at(i) -= cell.counts.at(i);
        }
        ch.remove_acknowledge.insert(
            ch.remove_acknowledge.end(), cell.to_acknowledge.begin(), cell.to_acknowledge.end()
        );
        ch.remove_answer.insert(
            ch.remove_answer.end(), cell.to_answer.begin(), cell.to_answer.end()
        );
    }
    for (const auto& [key, cell] : come) {
        Change& ch = changes_[{come_day, key}];
        for (std::size_t i = 0; i < cell.counts.size(); ++i) {
            ch.counts.at(i) += cell.counts.at(i);
        }
        ch.add_acknowledge.insert(
            ch.add_acknowledge.end(), cell.to_acknowledge.begin(), cell.to_acknowledge.end()
        );
        ch.add_answer.insert(ch.add_answer.end(), cell.to_answer.begin(), cell.to_answer.end());
    }
}

Result<void> RollupDelta::Write(store::Transaction& tx) const {
    if (changes_.empty()) {
        return {};
    }
    // While the rollup is being built, the days the build has not reached yet are left to it: it
    // reads their requests as this fold leaves them.
    CONCORD_RETURN_IF_ERROR(LockRollupState(tx));
    CONCORD_ASSIGN_OR_RETURN(auto state, tx.Query("SELECT ready, next_day FROM app_stats_rollup"));
    const bool ready = !state.empty() && state[0].Int(0) == 1;
    const std::int64_t built_end = state.empty() ? -1 : state[0].Int(1);
    for (const auto& [at, ch] : changes_) {
        const auto& [day, key] = at;
        if (!ready && day >= built_end) {
            continue;
        }
        CONCORD_ASSIGN_OR_RETURN(
            auto rows,
            tx.Query(
                "SELECT " + std::string(kRollupColumns) + " FROM " + DaysTable(key.first) +
                    " WHERE day = $1 AND tab = $2 AND k = $3",
                {day, std::string(TableName(key.first)), JoinKey(key.second)}
            )
        );
        StatsCell cell;  // decoded times are sorted
        if (!rows.empty()) {
            CONCORD_RETURN_IF_ERROR(AddStored(rows[0], 0, cell));
        }
        std::vector<std::int64_t> add_acknowledge = ch.add_acknowledge;
        std::vector<std::int64_t> remove_acknowledge = ch.remove_acknowledge;
        std::vector<std::int64_t> add_answer = ch.add_answer;
        std::vector<std::int64_t> remove_answer = ch.remove_answer;
        Cancel(add_acknowledge, remove_acknowledge);
        Cancel(add_answer, remove_answer);
        bool consistent = RemoveTimes(cell.to_acknowledge, remove_acknowledge) &&
                          RemoveTimes(cell.to_answer, remove_answer);
        for (std::size_t i = 0; i < cell.counts.size(); ++i) {
            cell.counts.at(i) += ch.counts.at(i);
            consistent = consistent && cell.counts.at(i) >= 0;
        }
        cell.to_acknowledge.insert(
            cell.to_acknowledge.end(), add_acknowledge.begin(), add_acknowledge.end()
        );
        cell.to_answer.insert(cell.to_answer.end(), add_answer.begin(), add_answer.end());
        // The first count of every table is its total: a key no request is left in has nothing.
        const bool empty = cell.counts[0] == 0;
        consistent =
            consistent &&
            (!empty ||
             (std::all_of(
                  cell.counts.begin(), cell.counts.end(), [](std::int64_t n) { return n == 0; }
              ) &&
              cell.to_acknowledge.empty() && cell.to_answer.empty()));
        if (!consistent) {
            return MakeError(
                ErrorCode::kCorruption,
                "the statistics rollup is out of step with the folded requests (day " +
                    std::to_string(day) + ", " + std::string(TableName(key.first)) +
                    "); it is built again"
            );
        }
        if (empty) {
            CONCORD_RETURN_IF_ERROR(tx.Execute(
                "DELETE FROM " + DaysTable(key.first) + " WHERE day = $1 AND tab = $2 AND k = $3",
                {day, std::string(TableName(key.first)), JoinKey(key.second)}
            ));
        } else {
            CONCORD_RETURN_IF_ERROR(Put(tx, day, key, cell));
        }
    }
    return {};
}

Result<bool> BuildRollupStep(store::Store& db, std::int64_t step_requests) {
    CONCORD_ASSIGN_OR_RETURN(auto tx, db.Begin());
    CONCORD_ASSIGN_OR_RETURN(auto state, tx->Query("SELECT ready FROM app_stats_rollup"));
    if (!state.empty() && state[0].Int(0) == 1) {
        return true;
    }
    // The state row first, locked (SQLite: the one writer; PostgreSQL: the row): a fold, which
    // takes it before it moves the rollup, runs before or after this step, never inside it.
    CONCORD_RETURN_IF_ERROR(LockRollupState(*tx));
    CONCORD_ASSIGN_OR_RETURN(
        auto locked, tx->Query("SELECT ready, next_day FROM app_stats_rollup")
    );
    if (locked.empty()) {
        return MakeError(ErrorCode::kCorruption, "the statistics rollup has no state row");
    }
    if (locked[0].Int(0) == 1) {
        return true;  // another build ended meanwhile
    }
    std::int64_t day = locked[0].Int(1);
    if (day < 0) {
        for (const RollupPart part : {RollupPart::kGeneral, RollupPart::kEu}) {
            CONCORD_RETURN_IF_ERROR(tx->Execute("DELETE FROM " + PartTable(part)));
        }
        day = 0;
    }
    // Day by day through the start index, so that memory holds one day's requests, until the
    // step's share of requests is in.
    std::int64_t requests = 0;
    bool built = false;
    while (requests < step_requests) {
        CONCORD_ASSIGN_OR_RETURN(
            auto next,
            tx->Query(
                "SELECT MIN(started_ms) FROM app_stats_requests WHERE started_ms >= $1",
                {FirstStart(day * kStatsDayMs)}
            )
        );
        if (next.empty() || next[0].IsNull(0)) {
            built = true;
            break;
        }
        const std::int64_t found = DayOf(next[0].Int(0));
        day = found + 1;
        CONCORD_ASSIGN_OR_RETURN(
            auto rows,
            tx->Query(
                "SELECT " + std::string(kStatsRowColumns) +
                    " FROM app_stats_requests WHERE started_ms >= $1 AND started_ms < $2",
                {FirstStart(found * kStatsDayMs), day * kStatsDayMs}
            )
        );
        StatsCells cells;
        for (const store::Row& r : rows) {
            AddRequest(RowFrom(r), cells);
        }
        for (const auto& [key, cell] : cells) {
            CONCORD_RETURN_IF_ERROR(Put(*tx, found, key, cell));
        }
        requests += static_cast<std::int64_t>(rows.size());
    }
    CONCORD_RETURN_IF_ERROR(
        built ? tx->Execute("UPDATE app_stats_rollup SET ready = 1, next_day = -1")
              : tx->Execute("UPDATE app_stats_rollup SET next_day = $1", {day})
    );
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    return built;
}

Result<void> EnsureRollup(store::Store& db) {
    for (;;) {
        CONCORD_ASSIGN_OR_RETURN(const bool built, BuildRollupStep(db, kRollupStepRequests));
        if (built) {
            return {};
        }
    }
}

Result<void> MarkRollupStale(store::Store& db) {
    CONCORD_ASSIGN_OR_RETURN(auto tx, db.Begin());
    CONCORD_RETURN_IF_ERROR(tx->Execute("UPDATE app_stats_rollup SET ready = 0, next_day = -1"));
    return tx->Commit();
}

Result<void> ReadRollup(
    store::Transaction& tx,
    RollupPart part,
    std::int64_t first_day,
    std::int64_t end_day,
    StatsCells& cells
) {
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query(
            "SELECT tab, k, " + std::string(kRollupColumns) + " FROM " + PartTable(part) +
                " WHERE day >= $1 AND day < $2",
            {first_day, end_day}
        )
    );
    for (const store::Row& r : rows) {
        const auto table = TableFromName(r.Text(0));
        std::vector<std::string> values = SplitKey(r.Text(1));
        if (!table || PartOf(*table) != part || values.size() != KeySize(*table)) {
            return MakeError(
                ErrorCode::kCorruption, "a statistics rollup row names no table or a bad key"
            );
        }
        CONCORD_RETURN_IF_ERROR(AddStored(r, 2, cells[{*table, std::move(values)}]));
    }
    return {};
}

Result<std::unique_ptr<store::Transaction>> ReadPeriod(
    store::Store& db, RollupPart part, std::int64_t from_ms, std::int64_t to_ms, StatsCells& cells
) {
    cells.clear();
    CONCORD_ASSIGN_OR_RETURN(auto tx, db.Begin());
    const auto scan = [&](std::int64_t from, std::int64_t to) -> Result<void> {
        if (from >= to) {
            return {};
        }
        CONCORD_ASSIGN_OR_RETURN(
            auto rows,
            tx->Query(
                "SELECT " + std::string(kStatsRowColumns) +
                    " FROM app_stats_requests WHERE started_ms >= $1 AND started_ms < $2",
                {FirstStart(from), to}
            )
        );
        for (const store::Row& r : rows) {
            AddRequest(RowFrom(r), cells);
        }
        return {};
    };
    const std::int64_t first_day = (from_ms + kStatsDayMs - 1) / kStatsDayMs;
    const std::int64_t end_day = to_ms / kStatsDayMs;
    if (first_day < end_day) {
        if (auto read = ReadRollup(*tx, part, first_day, end_day, cells);
            !read && read.error().code == ErrorCode::kCorruption) {
            log::Error("statistics rollup rebuilt", {{"reason", read.error().message}});
            tx->Rollback();
            cells.clear();
            CONCORD_RETURN_IF_ERROR(MarkRollupStale(db));
            CONCORD_RETURN_IF_ERROR(EnsureRollup(db));
            CONCORD_ASSIGN_OR_RETURN(tx, db.Begin());
            CONCORD_RETURN_IF_ERROR(ReadRollup(*tx, part, first_day, end_day, cells));
        } else if (!read) {
            return read.error();
        }
        CONCORD_RETURN_IF_ERROR(scan(from_ms, first_day * kStatsDayMs));
        CONCORD_RETURN_IF_ERROR(scan(end_day * kStatsDayMs, to_ms));
    } else {
        CONCORD_RETURN_IF_ERROR(scan(from_ms, to_ms));
    }
    // The partial days added every table: only `part`'s are asked for.
    std::erase_if(cells, [part](const auto& cell) { return PartOf(cell.first.first) != part; });
    return tx;
}

}  // namespace concord::app::detail
