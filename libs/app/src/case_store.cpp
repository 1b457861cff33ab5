#include "case_store.hpp"

#include <cstdio>

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace concord::app::detail {
namespace {

constexpr std::string_view kCaseColumns =
    "id, number, origin_node, origin_id, direction, instrument, request_type, peer_node, "
    "requesting_party, requested_party, state, version, priority, unit, assignee, drafted_by, "
    "approved_by, offence, peer_number, request_message_id, created_ms, updated_ms, body";

constexpr std::string_view kSchema =
    "CREATE TABLE app_cases (id TEXT PRIMARY KEY, number TEXT NOT NULL UNIQUE, origin_node TEXT "
    "NOT NULL, origin_id TEXT NOT NULL, direction TEXT NOT NULL, instrument TEXT NOT NULL, "
    "request_type TEXT NOT NULL, peer_node TEXT NOT NULL, requesting_party TEXT NOT NULL, "
    "requested_party TEXT NOT NULL, state TEXT NOT NULL, version {INT} NOT NULL, priority TEXT "
    "NOT NULL, unit TEXT NOT NULL, assignee TEXT NOT NULL, drafted_by TEXT NOT NULL, approved_by "
    "TEXT NOT NULL, offence TEXT NOT NULL, peer_number TEXT NOT NULL, request_message_id TEXT NOT "
    "NULL, created_ms {INT} NOT NULL, updated_ms {INT} NOT NULL, body TEXT NOT NULL, "
    "UNIQUE (origin_node, origin_id));"
    "CREATE INDEX app_cases_state ON app_cases (state, updated_ms);"
    "CREATE INDEX app_cases_request_message ON app_cases (request_message_id);"
    "CREATE TABLE app_case_counters (prefix TEXT PRIMARY KEY, counter {INT} NOT NULL);"
    "CREATE TABLE app_case_timeline (seq {SEQ}, case_id TEXT NOT NULL, at_ms {INT} NOT NULL, "
    "actor TEXT NOT NULL, transition TEXT NOT NULL, from_state TEXT NOT NULL, to_state TEXT NOT "
    "NULL, grounds TEXT NOT NULL, reasons TEXT NOT NULL, version {INT} NOT NULL, message_id TEXT "
    "NOT NULL);"
    "CREATE INDEX app_case_timeline_case ON app_case_timeline (case_id, seq);"
    "CREATE TABLE app_case_notes (seq {SEQ}, case_id TEXT NOT NULL, at_ms {INT} NOT NULL, author "
    "TEXT NOT NULL, text TEXT NOT NULL);"
    "CREATE INDEX app_case_notes_case ON app_case_notes (case_id, seq);"
    "CREATE TABLE app_case_held (origin_node TEXT NOT NULL, origin_id TEXT NOT NULL, version "
    "{INT} NOT NULL, sender TEXT NOT NULL, message_id TEXT NOT NULL, body TEXT NOT NULL, "
    "received_ms {INT} NOT NULL, PRIMARY KEY (origin_node, origin_id, version))";

std::string Schema(std::string_view integer, std::string_view seq) {
    std::string text(kSchema);
    const std::pair<std::string_view, std::string_view> substitutions[] = {
        {"{INT}", integer}, {"{SEQ}", seq}};
    for (const auto& substitution : substitutions) {
        const std::string_view key = substitution.first;
        for (auto at = text.find(key); at != std::string::npos; at = text.find(key)) {
            text.replace(at, key.size(), substitution.second);
        }
    }
    return text;
}

Case FromRow(const store::Row& r) {
    Case c;
    c.id = r.Text(0);
    c.number = r.Text(1);
    c.origin_node = r.Text(2);
    c.origin_id = r.Text(3);
    c.direction = r.Text(4) == "in" ? CaseDirection::kIn : CaseDirection::kOut;
    c.instrument = r.Text(5);
    c.request_type = r.Text(6);
    c.peer_node = r.Text(7);
    c.requesting_party = r.Text(8);
    c.requested_party = r.Text(9);
    c.state = r.Text(10);
    c.version = r.Int(11);
    c.priority = r.Text(12);
    c.unit = r.Text(13);
    c.assignee = r.Text(14);
    c.drafted_by = r.Text(15);
    c.approved_by = r.Text(16);
    c.offence = r.Text(17);
    c.peer_number = r.Text(18);
    c.request_message_id = r.Text(19);
    c.created_ms = r.Int(20);
    c.updated_ms = r.Int(21);
    c.body = r.Text(22);
    return c;
}

std::string ToJson(const std::vector<std::string>& list) {
    boost::json::array a;
    for (const std::string& s : list) {
        a.emplace_back(s);
    }
    return boost::json::serialize(a);
}

std::vector<std::string> FromJson(const std::string& text) {
    std::vector<std::string> out;
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(text, ec);
    if (!ec && v.is_array()) {
        for (const auto& s : v.as_array()) {
            if (s.is_string()) {
                out.emplace_back(s.as_string());
            }
        }
    }
    return out;
}

}  // namespace

std::vector<store::Migration> CaseStore::Migrations() {
    return {store::Migration{
        "app_cases",
        1,
        Schema("INTEGER", "INTEGER PRIMARY KEY AUTOINCREMENT"),
        Schema("BIGINT", "BIGSERIAL PRIMARY KEY")}};
}

Result<void> CaseStore::Insert(store::Transaction& tx, const Case& c) const {
    std::vector<store::Value> v = {
        c.id,
        c.number,
        c.origin_node,
        c.origin_id,
        std::string(CaseDirectionName(c.direction)),
        c.instrument,
        c.request_type,
        c.peer_node,
        c.requesting_party,
        c.requested_party,
        c.state,
        c.version,
        c.priority,
        c.unit,
        c.assignee,
        c.drafted_by,
        c.approved_by,
        c.offence,
        c.peer_number,
        c.request_message_id,
        c.created_ms,
        c.updated_ms,
        c.body};
    std::string sql = "INSERT INTO app_cases (" + std::string(kCaseColumns) + ") VALUES (";
    for (std::size_t i = 1; i <= v.size(); ++i) {
        sql += (i > 1 ? ", $" : "$") + std::to_string(i);
    }
    sql += ")";
    CONCORD_RETURN_IF_ERROR(tx.Execute(sql, v));
    return {};
}

Result<void> CaseStore::Update(store::Transaction& tx, const Case& c) const {
    CONCORD_ASSIGN_OR_RETURN(
        std::int64_t changed,
        tx.Execute(
            "UPDATE app_cases SET state = $2, version = $3, unit = $4, assignee = $5, approved_by "
            "= $6, peer_number = $7, request_message_id = $8, updated_ms = $9 WHERE id = $1",
            {c.id,
             c.state,
             c.version,
             c.unit,
             c.assignee,
             c.approved_by,
             c.peer_number,
             c.request_message_id,
             c.updated_ms}
        )
    );
    if (changed != 1) {
        return MakeError(ErrorCode::kNotFound, "no case " + c.id);
    }
    return {};
}

Result<void> CaseStore::UpdateRequest(store::Transaction& tx, const Case& c) const {
    CONCORD_ASSIGN_OR_RETURN(
        std::int64_t changed,
        tx.Execute(
            "UPDATE app_cases SET instrument = $2, request_type = $3, offence = $4, drafted_by = "
            "$5, body = $6 WHERE id = $1",
            {c.id, c.instrument, c.request_type, c.offence, c.drafted_by, c.body}
        )
    );
    if (changed != 1) {
        return MakeError(ErrorCode::kNotFound, "no case " + c.id);
    }
    return {};
}

Result<Case> CaseStore::Get(store::Transaction& tx, std::string_view id) const {
    std::string sql = "SELECT " + std::string(kCaseColumns) + " FROM app_cases WHERE id = $1";
    if (backend_ == store::Backend::kPostgres) {
        sql += " FOR UPDATE";
    }
    CONCORD_ASSIGN_OR_RETURN(auto rows, tx.Query(sql, {std::string(id)}));
    if (rows.empty()) {
        return MakeError(ErrorCode::kNotFound, "no case " + std::string(id));
    }
    return FromRow(rows[0]);
}

Result<std::optional<Case>> CaseStore::FindByOrigin(
    store::Transaction& tx, std::string_view origin_node, std::string_view origin_id
) const {
    std::string sql = "SELECT " + std::string(kCaseColumns) +
                      " FROM app_cases WHERE origin_node = $1 AND origin_id = $2";
    if (backend_ == store::Backend::kPostgres) {
        sql += " FOR UPDATE";
    }
    CONCORD_ASSIGN_OR_RETURN(
        auto rows, tx.Query(sql, {std::string(origin_node), std::string(origin_id)})
    );
    if (rows.empty()) {
        return std::optional<Case>{};
    }
    return std::optional<Case>{FromRow(rows[0])};
}

Result<std::optional<Case>> CaseStore::FindByRequestMessage(
    store::Transaction& tx, std::string_view message_id
) const {
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query(
            "SELECT " + std::string(kCaseColumns) +
                " FROM app_cases WHERE request_message_id = $1 AND direction = 'out'",
            {std::string(message_id)}
        )
    );
    if (rows.empty()) {
        return std::optional<Case>{};
    }
    return std::optional<Case>{FromRow(rows[0])};
}

Result<std::optional<Case>> CaseStore::FindIncomingByRequestMessage(
    store::Transaction& tx, std::string_view message_id
) const {
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query(
            "SELECT id FROM app_cases WHERE request_message_id = $1 AND direction = 'in'",
            {std::string(message_id)}
        )
    );
    if (rows.empty()) {
        return std::optional<Case>{};
    }
    CONCORD_ASSIGN_OR_RETURN(Case c, Get(tx, rows[0].Text(0)));  // locks the row
    return std::optional<Case>{std::move(c)};
}

Result<std::vector<Case>> CaseStore::Search(store::Transaction& tx, const CaseFilter& f) const {
    std::string where = " WHERE 1 = 1";
    std::vector<store::Value> params;
    auto add = [&](std::string_view clause, std::string value) {
        params.emplace_back(std::move(value));
        std::string text(clause);
        for (auto at = text.find('?'); at != std::string::npos; at = text.find('?')) {
            text.replace(at, 1, "$" + std::to_string(params.size()));
        }
        where += " AND " + text;
    };
    if (!f.party.empty()) {
        add("(requesting_party = ? OR requested_party = ?)", f.party);
    }
    if (!f.request_type.empty()) {
        add("request_type = ?", f.request_type);
    }
    if (!f.state.empty()) {
        add("state = ?", f.state);
    }
    if (!f.offence.empty()) {
        add("offence = ?", f.offence);
    }
    if (!f.unit.empty()) {
        add("unit = ?", f.unit);
    }
    if (!f.request_message.empty()) {
        add("request_message_id = ?", f.request_message);
    }
    if (f.direction) {
        add("direction = ?", std::string(CaseDirectionName(*f.direction)));
    }
    if (!f.number_contains.empty()) {
        add(backend_ == store::Backend::kPostgres ? "strpos(number, ?) > 0"
                                                  : "instr(number, ?) > 0",
            f.number_contains);
    }
    if (f.due_before_ms) {
        // A running deadline (docs/deadlines.md) of the case due strictly before the instant.
        params.emplace_back(*f.due_before_ms);
        where +=
            " AND EXISTS (SELECT 1 FROM app_deadlines d WHERE d.case_id = app_cases.id AND "
            "d.state IN ('open', 'warned') AND d.due_ms < $" +
            std::to_string(params.size()) + ")";
    }
    params.emplace_back(static_cast<std::int64_t>(f.limit));
    params.emplace_back(static_cast<std::int64_t>(f.offset));
    // The last column: the earliest due instant of the case's running deadlines (NULL: none).
    const std::string sql = "SELECT " + std::string(kCaseColumns) +
                            ", (SELECT MIN(d.due_ms) FROM app_deadlines d WHERE d.case_id = "
                            "app_cases.id AND d.state IN ('open', 'warned')) FROM app_cases" +
                            where + " ORDER BY created_ms DESC, id DESC LIMIT $" +
                            std::to_string(params.size() - 1) + " OFFSET $" +
                            std::to_string(params.size());
    CONCORD_ASSIGN_OR_RETURN(auto rows, tx.Query(sql, params));
    std::vector<Case> out;
    out.reserve(rows.size());
    for (const store::Row& r : rows) {
        out.push_back(FromRow(r));
        if (!r.IsNull(23)) {
            out.back().next_due_ms = r.Int(23);
        }
    }
    return out;
}

Result<std::string> CaseStore::NextNumber(store::Transaction& tx, std::string_view prefix) const {
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query(
            "INSERT INTO app_case_counters (prefix, counter) VALUES ($1, 1) ON CONFLICT (prefix) "
            "DO UPDATE SET counter = app_case_counters.counter + 1 RETURNING counter",
            {std::string(prefix)}
        )
    );
    if (rows.size() != 1) {
        return MakeError(ErrorCode::kInternal, "case counter returned no row");
    }
    char digits[24];
    std::snprintf(digits, sizeof digits, "%06lld", static_cast<long long>(rows[0].Int(0)));
    return std::string(prefix) + "-" + digits;
}

Result<void> CaseStore::AddTimeline(
    store::Transaction& tx, std::string_view case_id, const TimelineEntry& e
) const {
    CONCORD_RETURN_IF_ERROR(tx.Execute(
        "INSERT INTO app_case_timeline (case_id, at_ms, actor, transition, from_state, to_state, "
        "grounds, reasons, version, message_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        {std::string(case_id),
         e.at_ms,
         e.actor,
         e.transition,
         e.from_state,
         e.to_state,
         ToJson(e.grounds),
         e.reasons,
         e.version,
         e.message_id}
    ));
    return {};
}

Result<std::vector<TimelineEntry>> CaseStore::Timeline(
    store::Transaction& tx, std::string_view case_id
) const {
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query(
            "SELECT seq, at_ms, actor, transition, from_state, to_state, grounds, reasons, "
            "version, message_id FROM app_case_timeline WHERE case_id = $1 ORDER BY seq",
            {std::string(case_id)}
        )
    );
    std::vector<TimelineEntry> out;
    for (const store::Row& r : rows) {
        out.push_back(TimelineEntry{
            r.Int(0),
            r.Int(1),
            r.Text(2),
            r.Text(3),
            r.Text(4),
            r.Text(5),
            FromJson(r.Text(6)),
            r.Text(7),
            r.Int(8),
            r.Text(9)});
    }
    return out;
}

Result<void> CaseStore::AddNote(
    store::Transaction& tx, std::string_view case_id, const CaseNote& note
) const {
    CONCORD_RETURN_IF_ERROR(tx.Execute(
        "INSERT INTO app_case_notes (case_id, at_ms, author, text) VALUES ($1, $2, $3, $4)",
        {std::string(case_id), note.at_ms, note.author, note.text}
    ));
    return {};
}

Result<std::vector<CaseNote>> CaseStore::Notes(store::Transaction& tx, std::string_view case_id)
    const {
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query(
            "SELECT seq, at_ms, author, text FROM app_case_notes WHERE case_id = $1 ORDER BY seq",
            {std::string(case_id)}
        )
    );
    std::vector<CaseNote> out;
    for (const store::Row& r : rows) {
        out.push_back(CaseNote{r.Int(0), r.Int(1), r.Text(2), r.Text(3)});
    }
    return out;
}

Result<void> CaseStore::HoldStep(
    store::Transaction& tx,
    std::string_view origin_node,
    std::string_view origin_id,
    std::int64_t version,
    const PendingStep& step
) const {
    CONCORD_RETURN_IF_ERROR(tx.Execute(
        "INSERT INTO app_case_held (origin_node, origin_id, version, sender, message_id, body, "
        "received_ms) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
        {std::string(origin_node),
         std::string(origin_id),
         version,
         step.sender,
         step.message_id,
         step.body,
         step.received_ms}
    ));
    return {};
}

Result<std::optional<PendingStep>> CaseStore::TakeStep(
    store::Transaction& tx,
    std::string_view origin_node,
    std::string_view origin_id,
    std::int64_t version
) const {
    const std::vector<store::Value> key = {
        std::string(origin_node), std::string(origin_id), version};
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query(
            "SELECT sender, message_id, body, received_ms FROM app_case_held WHERE origin_node = "
            "$1 AND origin_id = $2 AND version = $3",
            key
        )
    );
    if (rows.empty()) {
        return std::optional<PendingStep>{};
    }
    CONCORD_RETURN_IF_ERROR(tx.Execute(
        "DELETE FROM app_case_held WHERE origin_node = $1 AND origin_id = $2 AND version = $3", key
    ));
    return std::optional<PendingStep>{
        PendingStep{rows[0].Text(0), rows[0].Text(1), rows[0].Text(2), rows[0].Int(3)}};
}

Result<std::int64_t> CaseStore::HeldCount(store::Transaction& tx) const {
    CONCORD_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT COUNT(*) FROM app_case_held"));
    return rows.empty() ? 0 : rows[0].Int(0);
}

}  // namespace concord::app::detail
