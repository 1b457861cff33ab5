#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "concord/app/actor.hpp"
#include "concord/core/result.hpp"
#include "concord/store/store.hpp"

namespace concord::federation {
class Node;
}

namespace concord::app {

/// One read of personal data (a case's content, an evidence file), as the data-protection
/// officer lists it: who, which case, what, when, and the audit-log leaf that proves it.
struct AccessRecord {
    std::uint64_t ledger_index{0};  ///< the audit leaf recording the read
    std::int64_t at_ms{0};
    std::string actor;    ///< actor label: "user:LOGIN" or "node"
    std::string event;    ///< "case.read", "evidence.file_read", "evidence.downloaded"
    std::string case_id;  ///< the case whose data was read
    std::string object;   ///< "case", "evidence:PACKAGE" or "evidence:PACKAGE/FILE"
};

/// Which reads to list; empty fields match everything. Newest first.
struct AccessFilter {
    std::string case_id;
    std::string actor;  ///< an actor label
    std::uint64_t limit{100};
    std::optional<std::uint64_t> before;  ///< only reads whose ledger index is below this
};

/// Largest AccessFilter::limit.
inline constexpr std::uint64_t kMaxAccessRecords = 1000;

/// Table app_access_records (component "app_access"): one row per read, keyed by its audit leaf.
std::vector<store::Migration> AccessLogMigrations();

/// Records a read in `tx`: the audit leaf `leaf` (which names the read in its "event"; the actor
/// is added) is appended through `node`, and its row indexes it by case and actor. The caller
/// hands out the data only after `tx` commits, so no read goes unrecorded.
Result<void> RecordAccess(
    store::Transaction& tx,
    federation::Node& node,
    const Actor& actor,
    std::string_view case_id,
    std::string_view object,
    boost::json::object leaf,
    std::int64_t now_ms
);

/// The reads `filter` selects (kAuditRead: the auditor, who sees who read what, never the
/// content). kPermissionDenied; kInvalidArgument for a limit outside 1..kMaxAccessRecords.
Result<std::vector<AccessRecord>> ListAccess(
    store::Store& store, const Actor& actor, const AccessFilter& filter
);

}  // namespace concord::app
