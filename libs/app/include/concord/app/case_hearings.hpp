#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "concord/app/case.hpp"
#include "concord/app/case_service.hpp"
#include "concord/app/hearing.hpp"
#include "concord/core/result.hpp"
#include "concord/store/store.hpp"

namespace concord::app {

/// Follows the hearing of each video_hearing case through the steps that carry it (the case
/// service's `CaseHooks::on_state_change`, in the step's transaction):
///
/// - `propose_hearing` {"slots": [{"start", "time_zone", "minutes"}, ...]} (1-5 slots): a new
///   proposal; it replaces the one in force, and a time already agreed (a rescheduling).
/// - `accept_hearing` {"proposal", "slot", "meeting_address"?}: the other party than the
///   proposer agrees one slot of the proposal in force.
/// - `record_hearing` {"held_at", "minutes_sha256", "recording_sha256"?, "participants"}: the
///   hearing took place at the agreed time's hearing; its record is kept with the audit leaf
///   "hearing.recorded" carrying both hashes. Final.
///
/// Taken here, a step with bad details, on a case of another request type or out of order is
/// refused (kInvalidArgument "hearing_details: ...", "hearing_not_a_hearing: ...",
/// "hearing_wrong_state: ..."), so nothing is written. From the peer, such a step is kept on the
/// timeline and logged, and the hearing does not change (never an intake error: the peer would
/// send it again forever).
///
/// Thread-safety: thread-safe after construction (state is in the store).
class CaseHearings {
public:
    /// Table `app_hearings` (component "app_hearings").
    static std::vector<store::Migration> Migrations();

    /// `append_leaf` appends an audit leaf in the transaction and returns its index.
    explicit CaseHearings(
        std::function<Result<std::uint64_t>(store::Transaction&, const boost::json::object&)>
            append_leaf
    );

    /// For CaseHooks::on_state_change.
    Result<void> OnStateChange(store::Transaction& tx, const Case& c, const StateChange& change);

    /// The hearing of case `case_id`, if a time was ever proposed.
    static Result<std::optional<Hearing>> ForCaseIn(
        store::Transaction& tx, std::string_view case_id
    );

private:
    Result<void> Apply(store::Transaction& tx, const Case& c, const StateChange& change);

    std::function<Result<std::uint64_t>(store::Transaction&, const boost::json::object&)>
        append_leaf_;
};

}  // namespace concord::app
