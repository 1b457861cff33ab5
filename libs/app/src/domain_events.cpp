#include "concord/app/domain_events.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace concord::app {
namespace {

constexpr std::string_view kColumns =
    "at_ms, actor, kind, case_id, request_type, requesting_party, requested_party, from_state, "
    "to_state, priority, grounds, direction, offence, data_categories, peer_node";

constexpr std::string_view kFolded =
    "ALTER TABLE app_domain_events ADD COLUMN folded INTEGER NOT NULL DEFAULT 0;"
    "CREATE INDEX app_domain_events_unfolded ON app_domain_events (seq) WHERE folded = 0";

constexpr std::string_view kPeer =
    "ALTER TABLE app_domain_events ADD COLUMN peer_node TEXT NOT NULL DEFAULT ''";

}  // namespace

std::string StringListJson(const std::vector<std::string>& list) {
    boost::json::array a;
    for (const std::string& item : list) {
        a.emplace_back(item);
    }
    return boost::json::serialize(a);
}

std::vector<std::string> StringListFromJson(std::string_view text) {
    std::vector<std::string> out;
    if (text == "[]") {
        return out;  // most rows: no parser for them
    }
    boost::system::error_code ec;
    const boost::json::value v = boost::json::parse(text, ec);
    if (ec || !v.is_array()) {
        return out;
    }
    for (const boost::json::value& item : v.as_array()) {
        if (item.is_string()) {
            out.emplace_back(item.as_string());
        }
    }
    return out;
}

std::vector<store::Migration> DomainEventMigrations() {
    constexpr std::string_view kRest =
        "at_ms {INT} NOT NULL, actor TEXT NOT NULL, kind TEXT NOT NULL, case_id TEXT NOT NULL, "
        "request_type TEXT NOT NULL, requesting_party TEXT NOT NULL, requested_party TEXT NOT "
        "NULL, from_state TEXT NOT NULL, to_state TEXT NOT NULL, priority TEXT NOT NULL, grounds "
        "TEXT NOT NULL)";
    auto sql = [&](std::string_view seq, std::string_view integer) {
        std::string rest(kRest);
        rest.replace(rest.find("{INT}"), 5, integer);
        return "CREATE TABLE app_domain_events (seq " + std::string(seq) + ", " + rest +
               ";CREATE INDEX app_domain_events_case ON app_domain_events (case_id, seq)";
    };
    // Version 2: what statistics group by besides the case's parties and type.
    const std::string facts =
        "ALTER TABLE app_domain_events ADD COLUMN direction TEXT NOT NULL DEFAULT '';"
        "ALTER TABLE app_domain_events ADD COLUMN offence TEXT NOT NULL DEFAULT '';"
        "ALTER TABLE app_domain_events ADD COLUMN data_categories TEXT NOT NULL DEFAULT '[]'";
    return {
        store::Migration{
            "app_domain_events",
            1,
            sql("INTEGER PRIMARY KEY AUTOINCREMENT", "INTEGER"),
            sql("BIGSERIAL PRIMARY KEY", "BIGINT")},
        store::Migration{"app_domain_events", 2, facts, facts},
        // Version 3: which events the statistics have folded (StatisticsService).
        store::Migration{"app_domain_events", 3, std::string(kFolded), std::string(kFolded)},
        // Version 4: the case's other node, for the statistics of addressees (EU Art 28).
        store::Migration{"app_domain_events", 4, std::string(kPeer), std::string(kPeer)}};
}

Result<std::int64_t> AppendDomainEvent(store::Transaction& tx, const DomainEvent& e) {
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query(
            "INSERT INTO app_domain_events (" + std::string(kColumns) +
                ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) "
                "RETURNING seq",
            {e.at_ms,
             e.actor,
             e.kind,
             e.case_id,
             e.request_type,
             e.requesting_party,
             e.requested_party,
             e.from_state,
             e.to_state,
             e.priority,
             StringListJson(e.grounds),
             e.direction,
             e.offence,
             StringListJson(e.data_categories),
             e.peer_node}
        )
    );
    if (rows.size() != 1) {
        return MakeError(ErrorCode::kInternal, "domain event insert returned no seq");
    }
    return rows[0].Int(0);
}

namespace {

Result<std::vector<DomainEvent>> Read(
    store::Transaction& tx, std::string_view where, std::span<const store::Value> params
) {
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query(
            "SELECT seq, " + std::string(kColumns) + " FROM app_domain_events WHERE " +
                std::string(where),
            params
        )
    );
    std::vector<DomainEvent> out;
    out.reserve(rows.size());
    for (const store::Row& r : rows) {
        DomainEvent e;
        e.seq = r.Int(0);
        e.at_ms = r.Int(1);
        e.actor = r.Text(2);
        e.kind = r.Text(3);
        e.case_id = r.Text(4);
        e.request_type = r.Text(5);
        e.requesting_party = r.Text(6);
        e.requested_party = r.Text(7);
        e.from_state = r.Text(8);
        e.to_state = r.Text(9);
        e.priority = r.Text(10);
        e.grounds = StringListFromJson(r.Text(11));
        e.direction = r.Text(12);
        e.offence = r.Text(13);
        e.data_categories = StringListFromJson(r.Text(14));
        e.peer_node = r.Text(15);
        out.push_back(std::move(e));
    }
    return out;
}

}  // namespace

Result<std::vector<DomainEvent>> ReadDomainEvents(
    store::Transaction& tx, std::int64_t after_seq, std::size_t limit
) {
    const store::Value params[] = {after_seq, static_cast<std::int64_t>(limit)};
    return Read(tx, "seq > $1 ORDER BY seq LIMIT $2", params);
}

Result<std::vector<DomainEvent>> ReadUnfoldedDomainEvents(
    store::Transaction& tx, std::size_t limit
) {
    const store::Value params[] = {static_cast<std::int64_t>(limit)};
    return Read(tx, "folded = 0 ORDER BY seq LIMIT $1", params);
}

Result<bool> MarkDomainEventFolded(store::Transaction& tx, std::int64_t seq) {
    CONCORD_ASSIGN_OR_RETURN(
        const std::int64_t changed,
        tx.Execute("UPDATE app_domain_events SET folded = 1 WHERE seq = $1 AND folded = 0", {seq})
    );
    return changed == 1;
}

}  // namespace concord::app
