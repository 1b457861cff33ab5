#pragma once

#include <functional>

#include "concord/app/case.hpp"
#include "concord/app/case_service.hpp"
#include "concord/app/deadlines.hpp"
#include "concord/core/result.hpp"
#include "concord/legal/deadline_rules.hpp"
#include "concord/store/store.hpp"

namespace concord::app {

/// The legal deadlines of a case follow its state (docs/deadlines.md "Deadlines of a case"):
/// the hook `CaseHooks::on_state_change`, run inside the transaction of every state change.
///
/// Deadlines are watched on the side that owes them, the requested party (incoming cases):
/// - "received": every rule of instruments/deadlines.toml for the case's instrument, request
///   type and priority starts, running from the time this node's signed receipt states (the
///   step's time, `ReceivedMessage::received_ms`). Node working rules (no instrument, e.g.
///   duty.acknowledge) are the duty desk's and are not started here.
/// - to "clarification_requested": every running deadline is suspended;
///   "answer_clarification": every suspended one resumes (its due instant moves by the pause).
/// - "acknowledge" meets acknowledgement deadlines; "respond" meets response deadlines;
///   "refuse" meets response and objection deadlines (a refusal answers the request).
///   Preservation deadlines are periods, not answers: no step meets them.
/// - to "withdrawn" or "closed": every deadline of a rule running from "receipt" not yet
///   breached, met or cancelled is cancelled, as is one of a kind no rule names any more; an
///   obligation's steps and a freeze's expiry (asset.freeze_expiry) outlive the case.
/// Every change is made by Actor::Node() through the engine's *In variants, so it commits or
/// rolls back with the step. Outgoing cases start nothing.
///
/// Thread-safety: as the engine's *In methods (any thread, one transaction each).
class CaseDeadlines {
public:
    /// `rules` and `engine` must outlive this object.
    CaseDeadlines(const legal::DeadlineRules& rules, DeadlineEngine& engine);

    /// For CaseHooks::on_state_change. Errors are store errors (and kUnavailable when a deadline
    /// changed meanwhile, e.g. it fired in the same instant: the step is retried).
    Result<void> OnStateChange(store::Transaction& tx, const Case& c, const StateChange& change);

    /// A CaseHooks::on_state_change calling OnStateChange of `self` (which must outlive it).
    static std::function<Result<void>(store::Transaction&, const Case&, const StateChange&)> Hook(
        CaseDeadlines& self
    );

private:
    Result<void> Start(store::Transaction& tx, const Case& c, const StateChange& change);

    const legal::DeadlineRules& rules_;
    DeadlineEngine& engine_;
};

}  // namespace concord::app
