#include "concord/app/access_log.hpp"

#include <algorithm>
#include <cstdint>

#include "concord/app/policy.hpp"
#include "concord/federation/node.hpp"

namespace concord::app {
namespace {

std::string Schema(const std::string& integer) {
    return "CREATE TABLE app_access_records (ledger_index " + integer + " PRIMARY KEY, at_ms " +
           integer +
           " NOT NULL, actor TEXT NOT NULL, event TEXT NOT NULL, case_id TEXT NOT NULL, object "
           "TEXT NOT NULL);\n"
           "CREATE INDEX app_access_records_case ON app_access_records (case_id, ledger_index);\n"
           "CREATE INDEX app_access_records_actor ON app_access_records (actor, ledger_index)";
}

constexpr std::string_view kInsert =
    "INSERT INTO app_access_records (ledger_index, at_ms, actor, event, case_id, object) VALUES "
    "($1, $2, $3, $4, $5, $6)";
// Empty filter values match every row; $4 is the exclusive upper bound of the ledger index.
constexpr std::string_view kSelect =
    "SELECT ledger_index, at_ms, actor, event, case_id, object FROM app_access_records WHERE "
    "($1 = '' OR case_id = $1) AND ($2 = '' OR actor = $2) AND ledger_index < $3 ORDER BY "
    "ledger_index DESC LIMIT $4";

}  // namespace

std::vector<store::Migration> AccessLogMigrations() {
    return {store::Migration{"app_access", 1, Schema("INTEGER"), Schema("BIGINT")}};
}

Result<void> RecordAccess(
    store::Transaction& tx,
    federation::Node& node,
    const Actor& actor,
    std::string_view case_id,
    std::string_view object,
    boost::json::object leaf,
    std::int64_t now_ms
) {
    NameActor(leaf, actor);
    const std::string event(leaf.at("event").as_string());
    CONCORD_ASSIGN_OR_RETURN(std::uint64_t index, node.AppendEvent(tx, leaf));
    CONCORD_RETURN_IF_ERROR(tx.Execute(
        kInsert,
        {static_cast<std::int64_t>(index),
         now_ms,
         actor.Label(),
         event,
         std::string(case_id),
         std::string(object)}
    ));
    return {};
}

Result<std::vector<AccessRecord>> ListAccess(
    store::Store& store, const Actor& actor, const AccessFilter& filter
) {
    CONCORD_RETURN_IF_ERROR(Decide(actor, Action::kAuditRead));
    if (filter.limit < 1 || filter.limit > kMaxAccessRecords) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "limit must be from 1 to " + std::to_string(kMaxAccessRecords)
        );
    }
    const std::uint64_t before =
        std::min<std::uint64_t>(filter.before.value_or(INT64_MAX), INT64_MAX);
    CONCORD_ASSIGN_OR_RETURN(auto tx, store.Begin());
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx->Query(
            kSelect,
            {filter.case_id,
             filter.actor,
             static_cast<std::int64_t>(before),
             static_cast<std::int64_t>(filter.limit)}
        )
    );
    tx->Rollback();
    std::vector<AccessRecord> out;
    out.reserve(rows.size());
    for (const store::Row& r : rows) {
        out.push_back(AccessRecord{
            static_cast<std::uint64_t>(r.Int("ledger_index")),
            r.Int("at_ms"),
            r.Text("actor"),
            r.Text("event"),
            r.Text("case_id"),
            r.Text("object")});
    }
    return out;
}

}  // namespace concord::app
