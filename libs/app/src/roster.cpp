#include "concord/app/roster.hpp"

#include <algorithm>

namespace concord::app {

std::string_view DutyRoleName(DutyRole role) {
    return role == DutyRole::kBackup ? "backup" : "primary";
}

Result<DutyRole> ParseDutyRole(std::string_view name) {
    if (name == "primary") {
        return DutyRole::kPrimary;
    }
    if (name == "backup") {
        return DutyRole::kBackup;
    }
    return MakeError(
        ErrorCode::kInvalidArgument,
        "duty role must be 'primary' or 'backup', not '" + std::string(name.substr(0, 32)) + "'"
    );
}

Result<std::int64_t> Roster::ReplaceIn(
    store::Transaction& tx,
    const std::vector<RosterEntry>& entries,
    std::optional<std::int64_t> expected_revision
) {
    if (entries.size() > kMaxEntries) {
        return MakeError(ErrorCode::kInvalidArgument, "a roster holds at most 10000 shifts");
    }
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const auto& e = entries[i];
        if (e.login.empty() || e.login.size() > 64) {
            return MakeError(
                ErrorCode::kInvalidArgument,
                "shift " + std::to_string(i) + ": login must be 1 to 64 bytes"
            );
        }
        if (e.from_ms >= e.to_ms) {
            return MakeError(
                ErrorCode::kInvalidArgument,
                "shift " + std::to_string(i) + ": 'from' must be before 'to'"
            );
        }
    }
    // The revision row first: its update locks it, so two replacements of the same revision
    // cannot both commit (the second waits, then sees the revision moved).
    CONCORD_ASSIGN_OR_RETURN(
        auto bumped,
        tx.Query("UPDATE app_roster_revision SET revision = revision + 1 WHERE id = 1 "
                 "RETURNING revision")
    );
    if (bumped.size() != 1) {
        return MakeError(ErrorCode::kInternal, "the roster has no revision row");
    }
    const std::int64_t revision = bumped[0].Int(0);
    if (expected_revision && *expected_revision != revision - 1) {
        return MakeError(
            ErrorCode::kAlreadyExists,
            "the roster was replaced since revision " + std::to_string(*expected_revision) +
                " (it is at revision " + std::to_string(revision - 1) + "): read it again"
        );
    }
    CONCORD_RETURN_IF_ERROR(tx.Execute("DELETE FROM app_roster"));
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const auto& e = entries[i];
        CONCORD_RETURN_IF_ERROR(tx.Execute(
            "INSERT INTO app_roster (seq, login, from_ms, to_ms, role) VALUES ($1, $2, $3, $4, $5)",
            {static_cast<std::int64_t>(i),
             e.login,
             e.from_ms,
             e.to_ms,
             std::string(DutyRoleName(e.role))}
        ));
    }
    return revision;
}

Result<RosterSnapshot> Roster::ListIn(store::Transaction& tx) {
    CONCORD_ASSIGN_OR_RETURN(
        auto revision, tx.Query("SELECT revision FROM app_roster_revision WHERE id = 1")
    );
    if (revision.size() != 1) {
        return MakeError(ErrorCode::kInternal, "the roster has no revision row");
    }
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query("SELECT login, from_ms, to_ms, role FROM app_roster ORDER BY from_ms, login, seq")
    );
    RosterSnapshot out;
    out.revision = revision[0].Int(0);
    out.shifts.reserve(rows.size());
    for (const auto& row : rows) {
        CONCORD_ASSIGN_OR_RETURN(auto role, ParseDutyRole(row.Text(3)));
        out.shifts.push_back(RosterEntry{row.Text(0), row.Int(1), row.Int(2), role});
    }
    return out;
}

Result<OnDuty> Roster::OnDutyIn(store::Transaction& tx, std::int64_t at_ms) {
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query(
            "SELECT DISTINCT login, role FROM app_roster WHERE from_ms <= $1 AND to_ms > $1 "
            "ORDER BY login",
            {at_ms}
        )
    );
    OnDuty out;
    for (const auto& row : rows) {
        CONCORD_ASSIGN_OR_RETURN(auto role, ParseDutyRole(row.Text(1)));
        (role == DutyRole::kPrimary ? out.primary : out.backup).push_back(row.Text(0));
    }
    return out;
}

}  // namespace concord::app
