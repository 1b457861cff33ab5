#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "concord/core/result.hpp"
#include "concord/store/store.hpp"

namespace concord::app {

/// A shift's role on the duty desk.
enum class DutyRole { kPrimary, kBackup };

std::string_view DutyRoleName(DutyRole role);
/// kInvalidArgument unless "primary" or "backup".
Result<DutyRole> ParseDutyRole(std::string_view name);

/// One shift of the node's 24/7 roster: `login` is on duty in [from_ms, to_ms).
struct RosterEntry {
    std::string login;
    std::int64_t from_ms{0};
    std::int64_t to_ms{0};
    DutyRole role{DutyRole::kPrimary};
};

/// The roster with its revision: a number that grows by one with each replacement, so that an
/// editor who read revision N can replace the roster only while it is still N.
struct RosterSnapshot {
    std::int64_t revision{0};
    std::vector<RosterEntry> shifts;
};

/// Who is on duty at one instant.
struct OnDuty {
    std::vector<std::string> primary;
    std::vector<std::string> backup;
};

/// The duty roster of a node, stored in `app_roster` (DutyDesk::Migrations creates it).
/// Stateless: every function works in the caller's transaction.
class Roster {
public:
    /// The most shifts a roster holds (bounded input).
    static constexpr std::size_t kMaxEntries = 10000;

    /// Replaces the whole roster and returns its new revision. kInvalidArgument (nothing
    /// changed) for an empty or over-long login (1–64 bytes), from ≥ to, or more than
    /// kMaxEntries shifts; kAlreadyExists (nothing changed) when `expected_revision` is given and
    /// the roster is no longer at it (someone replaced it since it was read).
    static Result<std::int64_t> ReplaceIn(
        store::Transaction& tx,
        const std::vector<RosterEntry>& entries,
        std::optional<std::int64_t> expected_revision = std::nullopt
    );
    /// Every shift, ordered by start, then login, with the roster's revision.
    static Result<RosterSnapshot> ListIn(store::Transaction& tx);
    /// The logins on duty at `at_ms`, each once, sorted.
    static Result<OnDuty> OnDutyIn(store::Transaction& tx, std::int64_t at_ms);
};

}  // namespace concord::app
