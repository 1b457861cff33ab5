#include "concord/app/case_obligations.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "concord/app/domain_events.hpp"
#include "concord/app/policy.hpp"
#include "concord/core/id.hpp"
#include "concord/core/log.hpp"

#include "case_context.hpp"

namespace concord::app {
namespace {

constexpr std::string_view kColumns =
    "id, case_id, rule, cite, ground, owed_here, state, decision, opened_ms, submitted_ms, "
    "decided_ms, reported_ms, due_ms, submission, decision_reasons, outcome";
constexpr std::size_t kMaxList = 500;
constexpr std::int64_t kListBatch = 500;

std::string Schema(std::string_view integer) {
    const std::string i(integer);
    return "CREATE TABLE app_obligations (id TEXT PRIMARY KEY, case_id TEXT NOT NULL UNIQUE, "
           "rule TEXT NOT NULL, cite TEXT NOT NULL, ground TEXT NOT NULL, owed_here " +
           i + " NOT NULL, state TEXT NOT NULL, decision TEXT NOT NULL, opened_ms " + i +
           " NOT NULL, submitted_ms " + i + " NOT NULL, decided_ms " + i +
           " NOT NULL, reported_ms " + i + " NOT NULL, due_ms " + i +
           " NOT NULL, submission TEXT NOT NULL, decision_reasons TEXT NOT NULL, outcome TEXT "
           "NOT NULL);CREATE INDEX app_obligations_opened ON app_obligations (opened_ms, id)";
}

// One step of an obligation: the transition that takes it, the state it follows, the state it
// leads to, and the deadline `from` it meets and the one it starts (deadlines.toml).
struct Step {
    std::string_view transition;
    ObligationState after;
    ObligationState to;
    std::string_view meets;
    std::string_view starts;
};

constexpr std::array<Step, 4> kSteps{{
    {"submit_for_prosecution",
     ObligationState::kOpened,
     ObligationState::kSubmitted,
     "refusal",
     "submission"},
    {"decide_to_prosecute",
     ObligationState::kSubmitted,
     ObligationState::kDecided,
     "submission",
     "decision"},
    {"decide_not_to_prosecute",
     ObligationState::kSubmitted,
     ObligationState::kDecided,
     "submission",
     "decision"},
    {"report_outcome", ObligationState::kDecided, ObligationState::kReported, "decision", ""},
}};

const Step* StepOf(std::string_view transition) {
    for (const Step& s : kSteps) {
        if (s.transition == transition) {
            return &s;
        }
    }
    return nullptr;
}

CaseObligation FromRow(const store::Row& r) {
    CaseObligation o;
    o.id = r.Text(0);
    o.case_id = r.Text(1);
    o.rule = r.Text(2);
    o.cite = r.Text(3);
    o.ground = r.Text(4);
    o.owed_here = r.Int(5) != 0;
    o.state = ParseObligationState(r.Text(6)).value_or(ObligationState::kOpened);
    o.decision = r.Text(7);
    o.opened_ms = r.Int(8);
    o.submitted_ms = r.Int(9);
    o.decided_ms = r.Int(10);
    o.reported_ms = r.Int(11);
    o.due_ms = r.Int(12);
    o.submission = r.Text(13);
    o.decision_reasons = r.Text(14);
    o.outcome = r.Text(15);
    return o;
}

bool Running(DeadlineState s) {
    return s == DeadlineState::kOpen || s == DeadlineState::kWarned;
}

}  // namespace

std::string_view ObligationStateName(ObligationState state) {
    switch (state) {
        case ObligationState::kOpened:
            return "opened";
        case ObligationState::kSubmitted:
            return "submitted";
        case ObligationState::kDecided:
            return "decided";
        case ObligationState::kReported:
            return "reported";
    }
    return "opened";
}

Result<ObligationState> ParseObligationState(std::string_view name) {
    for (ObligationState s :
         {ObligationState::kOpened,
          ObligationState::kSubmitted,
          ObligationState::kDecided,
          ObligationState::kReported}) {
        if (ObligationStateName(s) == name) {
            return s;
        }
    }
    return MakeError(
        ErrorCode::kInvalidArgument,
        "unknown obligation state; one of opened, submitted, decided, reported"
    );
}

std::vector<store::Migration> CaseObligations::Migrations() {
    return {store::Migration{"app_obligations", 1, Schema("INTEGER"), Schema("BIGINT")}};
}

CaseObligations::CaseObligations(
    const legal::ObligationRules& obligations,
    const legal::DeadlineRules& deadlines,
    DeadlineEngine* engine,
    std::function<Result<std::uint64_t>(store::Transaction&, const boost::json::object&)>
        append_leaf
)
    : obligations_(obligations),
      deadlines_(deadlines),
      engine_(engine),
      append_leaf_(std::move(append_leaf)) {}

std::int64_t CaseObligations::DueFrom(std::string_view from, std::int64_t at_ms) const {
    const legal::DeadlineRule* rule = from.empty() ? nullptr : deadlines_.From(from);
    return rule == nullptr ? 0 : at_ms + rule->duration_ms;
}

Result<void> CaseObligations::OnStateChange(
    store::Transaction& tx, const Case& c, const StateChange& change
) {
    if (change.transition == "refuse") {
        return Open(tx, c, change);
    }
    if (StepOf(change.transition) != nullptr) {
        return Advance(tx, c, change);
    }
    return {};
}

Result<void> CaseObligations::Open(
    store::Transaction& tx, const Case& c, const StateChange& change
) {
    const legal::ObligationRule* rule =
        obligations_.Opens(c.instrument, c.request_type, change.grounds);
    if (rule == nullptr) {
        return {};
    }
    CONCORD_ASSIGN_OR_RETURN(auto existing, ForCaseIn(tx, c.id));
    if (existing) {
        return {};  // a case is refused once; a repeated delivery changes nothing
    }
    CaseObligation o;
    o.id = NewUuidV7();
    o.case_id = c.id;
    o.rule = rule->id;
    o.cite = rule->cite;
    o.ground = *std::find_first_of(
        change.grounds.begin(), change.grounds.end(), rule->grounds.begin(), rule->grounds.end()
    );
    o.owed_here = c.direction == CaseDirection::kIn;
    o.opened_ms = change.at_ms;
    o.due_ms = DueFrom("refusal", change.at_ms);
    CONCORD_RETURN_IF_ERROR(tx.Execute(
        "INSERT INTO app_obligations (" + std::string(kColumns) +
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, '', $8, 0, 0, 0, $9, '', '', '')",
        {o.id,
         o.case_id,
         o.rule,
         o.cite,
         o.ground,
         std::int64_t{o.owed_here ? 1 : 0},
         std::string(ObligationStateName(o.state)),
         o.opened_ms,
         o.due_ms}
    ));
    DomainEvent event = detail::CaseDomainEvent(c, "obligation_opened", change.at_ms, change.actor);
    event.from_state = "";
    event.to_state = std::string(ObligationStateName(o.state));
    event.grounds = {o.ground};
    CONCORD_ASSIGN_OR_RETURN(auto seq, AppendDomainEvent(tx, event));
    (void)seq;
    boost::json::object leaf;
    leaf["event"] = "obligation.opened";
    leaf["case"] = c.id;
    leaf["number"] = c.number;
    leaf["obligation"] = o.id;
    leaf["rule"] = o.rule;
    leaf["owed_here"] = o.owed_here;
    CONCORD_ASSIGN_OR_RETURN(auto index, append_leaf_(tx, leaf));
    (void)index;
    return o.owed_here ? MoveDeadlines(tx, c, "", "refusal", change.at_ms) : Result<void>{};
}

Result<void> CaseObligations::Advance(
    store::Transaction& tx, const Case& c, const StateChange& change
) {
    const Step& step = *StepOf(change.transition);
    CONCORD_ASSIGN_OR_RETURN(auto found, ForCaseIn(tx, c.id));
    if (!found || found->state != step.after) {
        if (change.from_peer) {
            // The peer owes the duty and reports its own steps: the case timeline has the step;
            // without an obligation here (other obligations data) there is nothing to follow.
            if (!found) {
                log::Warning(
                    "a peer reported an obligation step on a case without an obligation here",
                    {{"case", c.id}, {"transition", change.transition}}
                );
                return {};
            }
            log::Warning(
                "a peer reported an obligation step out of order; recorded as reported",
                {{"case", c.id},
                 {"transition", change.transition},
                 {"state", std::string(ObligationStateName(found->state))}}
            );
        } else if (!found) {
            return MakeError(
                ErrorCode::kInvalidArgument,
                fmt::format(
                    "obligation_missing: case {} has no obligation to extradite or prosecute",
                    c.number
                ),
                "obligation_missing"
            );
        } else {
            return MakeError(
                ErrorCode::kInvalidArgument,
                fmt::format(
                    "obligation_wrong_state: the obligation of case {} is {}, '{}' follows {}",
                    c.number,
                    ObligationStateName(found->state),
                    change.transition,
                    ObligationStateName(step.after)
                ),
                "obligation_wrong_state"
            );
        }
    }
    CaseObligation o = *found;
    o.state = step.to;
    o.due_ms = DueFrom(step.starts, change.at_ms);
    switch (step.to) {
        case ObligationState::kSubmitted:
            o.submitted_ms = change.at_ms;
            o.submission = change.reasons;
            break;
        case ObligationState::kDecided:
            o.decided_ms = change.at_ms;
            o.decision = change.transition == "decide_to_prosecute" ? "prosecute" : "not_prosecute";
            o.decision_reasons = change.reasons;
            break;
        case ObligationState::kReported:
            o.reported_ms = change.at_ms;
            o.outcome = change.reasons;
            break;
        case ObligationState::kOpened:
            break;
    }
    CONCORD_RETURN_IF_ERROR(tx.Execute(
        "UPDATE app_obligations SET state = $2, decision = $3, submitted_ms = $4, decided_ms = "
        "$5, reported_ms = $6, due_ms = $7, submission = $8, decision_reasons = $9, outcome = "
        "$10 WHERE id = $1",
        {o.id,
         std::string(ObligationStateName(o.state)),
         o.decision,
         o.submitted_ms,
         o.decided_ms,
         o.reported_ms,
         o.due_ms,
         o.submission,
         o.decision_reasons,
         o.outcome}
    ));
    if (!o.owed_here) {
        return {};
    }
    return MoveDeadlines(tx, c, step.meets, step.starts, change.at_ms);
}

// At the party that owes the obligation: meets the running deadline of the rule that runs from
// `met_from` and starts the one that runs from `next_from` (either may be empty).
Result<void> CaseObligations::MoveDeadlines(
    store::Transaction& tx,
    const Case& c,
    std::string_view met_from,
    std::string_view next_from,
    std::int64_t at_ms
) {
    if (engine_ == nullptr) {
        return {};
    }
    const legal::DeadlineRule* met = met_from.empty() ? nullptr : deadlines_.From(met_from);
    if (met != nullptr) {
        CONCORD_ASSIGN_OR_RETURN(auto running, engine_->ForCaseIn(tx, c.id));
        for (const Deadline& d : running) {
            if (d.kind == met->id && (Running(d.state) || d.state == DeadlineState::kSuspended)) {
                CONCORD_ASSIGN_OR_RETURN(auto done, engine_->MetIn(tx, Actor::Node(), d.id));
                (void)done;
            }
        }
    }
    const legal::DeadlineRule* next = next_from.empty() ? nullptr : deadlines_.From(next_from);
    if (next != nullptr) {
        DeadlineSpec spec;
        spec.case_id = c.id;
        spec.kind = next->id;
        spec.starts_ms = at_ms;
        spec.duration_ms = next->duration_ms;
        spec.warn_before_ms = next->warn_before_ms;
        CONCORD_ASSIGN_OR_RETURN(auto started, engine_->StartIn(tx, Actor::Node(), spec));
        (void)started;
    }
    return {};
}

Result<std::optional<CaseObligation>> CaseObligations::ForCaseIn(
    store::Transaction& tx, std::string_view case_id
) {
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query(
            "SELECT " + std::string(kColumns) + " FROM app_obligations WHERE case_id = $1",
            {std::string(case_id)}
        )
    );
    if (rows.empty()) {
        return std::optional<CaseObligation>();
    }
    return std::optional<CaseObligation>(FromRow(rows[0]));
}

Result<std::vector<ListedObligation>> CaseObligations::List(
    store::Store& store, const Actor& actor, const ObligationFilter& filter
) {
    if (filter.limit < 1 || filter.limit > kMaxList) {
        return MakeError(ErrorCode::kInvalidArgument, "limit must be between 1 and 500");
    }
    std::string where = "1 = 1";
    std::vector<store::Value> params;
    if (filter.state) {
        params.emplace_back(std::string(ObligationStateName(*filter.state)));
        where += fmt::format(" AND o.state = ${}", params.size());
    }
    if (filter.overdue_at_ms) {
        params.emplace_back(*filter.overdue_at_ms);
        where += fmt::format(
            " AND o.state <> 'reported' AND o.due_ms > 0 AND o.due_ms < ${}", params.size()
        );
    }
    const std::string columns = detail::Qualified(kColumns, "o");
    // Pages by position (opened_ms, id), newest first: an obligation opened meanwhile neither
    // repeats nor hides a row of the list.
    const std::string after = fmt::format(
        " AND (o.opened_ms < ${0} OR (o.opened_ms = ${0} AND o.id < ${1}))",
        params.size() + 1,
        params.size() + 2
    );
    const std::string head = "SELECT " + columns +
                             ", c.number, c.requesting_party, c.requested_party, c.unit, "
                             "c.direction FROM app_obligations o JOIN app_cases c ON c.id = "
                             "o.case_id WHERE " +
                             where;
    const std::string tail =
        " ORDER BY o.opened_ms DESC, o.id DESC LIMIT " + std::to_string(kListBatch);
    std::vector<ListedObligation> out;
    CONCORD_ASSIGN_OR_RETURN(auto tx, store.Begin());
    std::optional<std::pair<std::int64_t, std::string>> last;
    while (out.size() < filter.limit) {
        std::vector<store::Value> page = params;
        if (last) {
            page.emplace_back(last->first);
            page.emplace_back(last->second);
        }
        std::string sql = head;
        if (last) {
            sql += after;
        }
        sql += tail;
        CONCORD_ASSIGN_OR_RETURN(auto rows, tx->Query(sql, page));
        for (const store::Row& r : rows) {
            Case c;
            c.unit = r.Text(19);
            c.direction = r.Text(20) == "in" ? CaseDirection::kIn : CaseDirection::kOut;
            const Relation relation = detail::RelationTo(actor, c);
            const bool may = std::any_of(actor.roles.begin(), actor.roles.end(), [&](Role role) {
                return RoleMay(role, Action::kCaseRead, relation);
            });
            if (may && out.size() < filter.limit) {
                CaseObligation o = FromRow(r);
                o.submission.clear();
                o.decision_reasons.clear();
                o.outcome.clear();
                out.push_back({std::move(o), r.Text(16), r.Text(17), r.Text(18)});
            }
        }
        if (rows.size() < static_cast<std::size_t>(kListBatch)) {
            break;
        }
        last = std::pair{rows.back().Int(8), rows.back().Text(0)};
    }
    return out;
}

}  // namespace concord::app
