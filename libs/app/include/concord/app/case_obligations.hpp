#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "concord/app/actor.hpp"
#include "concord/app/case.hpp"
#include "concord/app/case_service.hpp"
#include "concord/app/deadlines.hpp"
#include "concord/app/obligation.hpp"
#include "concord/core/result.hpp"
#include "concord/legal/deadline_rules.hpp"
#include "concord/legal/obligation_rules.hpp"
#include "concord/store/store.hpp"

namespace concord::app {

/// What to list; empty members do not filter.
struct ObligationFilter {
    std::optional<ObligationState> state;
    /// Only those whose current step is due before this instant and not reported.
    std::optional<std::int64_t> overdue_at_ms;
    std::size_t limit{100};  ///< 1-500
};

/// An obligation and the number of its case, as a list shows it.
struct ListedObligation {
    CaseObligation obligation;
    std::string case_number;
    std::string requesting_party;
    std::string requested_party;
};

/// Opens and follows the obligations to extradite or prosecute (aut dedere aut judicare) that
/// refusals open. It is the case service's second `CaseHooks::on_state_change`: it runs inside
/// the transaction of every state change of a case, so the refusal and the obligation it opens,
/// or a step and the obligation's new state, commit together.
///
/// - A `refuse` step whose grounds open a rule of `obligations` (legal::ObligationRules::Opens)
///   opens one obligation on the case (both parties: the requested one owes it), with the typed
///   domain event `obligation_opened` and the audit leaf `obligation.opened`.
/// - `submit_for_prosecution`, `decide_to_prosecute` / `decide_not_to_prosecute` and
///   `report_outcome` move it opened → submitted → decided → reported. Taken here, a step on a
///   case without an obligation in the state it follows is refused (kInvalidArgument
///   "obligation_missing: ..." or "obligation_wrong_state: ..."), so nothing is written. From the
///   peer, which owes the duty and is the authority on it, a step is recorded as reported.
/// - At the party that owes it, each step has the working deadline of deadlines.toml that runs
///   from the step before (`from = "refusal" | "submission" | "decision"`), started and met in
///   the same transaction through the deadline engine; its warning and breach alert as any
///   deadline's. Both parties keep `due_ms`, so both see an overdue obligation.
///
/// Thread-safety: thread-safe after construction (state is in the store).
class CaseObligations {
public:
    /// Table `app_obligations` (component "app_obligations").
    static std::vector<store::Migration> Migrations();

    /// `obligations`, `deadlines` and `engine` (may be null: no deadlines are watched) must
    /// outlive this object. `append_leaf` appends an audit leaf in the transaction.
    CaseObligations(
        const legal::ObligationRules& obligations,
        const legal::DeadlineRules& deadlines,
        DeadlineEngine* engine,
        std::function<Result<std::uint64_t>(store::Transaction&, const boost::json::object&)>
            append_leaf
    );

    /// For CaseHooks::on_state_change.
    Result<void> OnStateChange(store::Transaction& tx, const Case& c, const StateChange& change);

    /// The obligation of case `case_id`, if one was opened.
    static Result<std::optional<CaseObligation>> ForCaseIn(
        store::Transaction& tx, std::string_view case_id
    );

    /// Obligations matching `filter` on the cases `actor` may read (case.read for the case's
    /// relation, as CaseService::Search decides, without logging the others), newest first.
    /// A list names no content: `submission`, `decision_reasons` and `outcome` are left empty
    /// (reading them is reading the case). kInvalidArgument for a limit outside 1-500.
    static Result<std::vector<ListedObligation>> List(
        store::Store& store, const Actor& actor, const ObligationFilter& filter
    );

private:
    Result<void> Open(store::Transaction& tx, const Case& c, const StateChange& change);
    Result<void> Advance(store::Transaction& tx, const Case& c, const StateChange& change);
    Result<void> MoveDeadlines(
        store::Transaction& tx,
        const Case& c,
        std::string_view met_from,
        std::string_view next_from,
        std::int64_t at_ms
    );
    std::int64_t DueFrom(std::string_view from, std::int64_t at_ms) const;

    const legal::ObligationRules& obligations_;
    const legal::DeadlineRules& deadlines_;
    DeadlineEngine* engine_;
    std::function<Result<std::uint64_t>(store::Transaction&, const boost::json::object&)>
        append_leaf_;
};

}  // namespace concord::app
