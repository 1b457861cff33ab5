#include "concord/app/policy.hpp"

#include <string>

#include "concord/core/log.hpp"

namespace concord::app {
namespace {

// Which relations a rule covers.
enum class Scope {
    kAny,      // also kNone: the action is not about a case
    kOwnUnit,  // cases of the caller's unit, and incoming cases not yet assigned
    kNoCase,   // only actions not about a case
};

struct Rule {
    Role role;
    Action action;
    Scope scope;
};

// The policy table. Administrators and auditors never see case content; statisticians see
// aggregates only. Four-eyes (no self-approval) is checked by the case use cases, which know
// who drafted.
constexpr Rule kRules[] = {
    // Everyone may read the node's identity and the legal catalogue.
    {Role::kOfficer, Action::kNodeRead, Scope::kNoCase},
    {Role::kApprover, Action::kNodeRead, Scope::kNoCase},
    {Role::kDutyOfficer, Action::kNodeRead, Scope::kNoCase},
    {Role::kResponder, Action::kNodeRead, Scope::kNoCase},
    {Role::kAuditor, Action::kNodeRead, Scope::kNoCase},
    {Role::kStatistician, Action::kNodeRead, Scope::kNoCase},
    {Role::kAdministrator, Action::kNodeRead, Scope::kNoCase},
    {Role::kOfficer, Action::kLegalRead, Scope::kNoCase},
    {Role::kApprover, Action::kLegalRead, Scope::kNoCase},
    {Role::kDutyOfficer, Action::kLegalRead, Scope::kNoCase},
    {Role::kResponder, Action::kLegalRead, Scope::kNoCase},
    // Raw messages carry case content.
    {Role::kOfficer, Action::kMessageSubmit, Scope::kNoCase},
    {Role::kOfficer, Action::kMessageRead, Scope::kNoCase},
    {Role::kDutyOfficer, Action::kMessageRead, Scope::kNoCase},
    {Role::kResponder, Action::kMessageRead, Scope::kNoCase},
    {Role::kOfficer, Action::kMessageOpen, Scope::kNoCase},
    {Role::kDutyOfficer, Action::kMessageOpen, Scope::kNoCase},
    {Role::kResponder, Action::kMessageOpen, Scope::kNoCase},
    {Role::kOfficer, Action::kEventStream, Scope::kNoCase},
    {Role::kDutyOfficer, Action::kEventStream, Scope::kNoCase},
    {Role::kResponder, Action::kEventStream, Scope::kNoCase},
    {Role::kApprover, Action::kEventStream, Scope::kNoCase},
    // Alerts and proofs are metadata.
    {Role::kDutyOfficer, Action::kAlertRead, Scope::kNoCase},
    {Role::kAuditor, Action::kAlertRead, Scope::kNoCase},
    {Role::kAdministrator, Action::kAlertRead, Scope::kNoCase},
    {Role::kAuditor, Action::kLedgerProof, Scope::kNoCase},
    {Role::kOfficer, Action::kLedgerProof, Scope::kNoCase},
    {Role::kApprover, Action::kLedgerProof, Scope::kNoCase},
    {Role::kDutyOfficer, Action::kLedgerProof, Scope::kNoCase},
    {Role::kResponder, Action::kLedgerProof, Scope::kNoCase},
    {Role::kAuditor, Action::kAuditRead, Scope::kNoCase},
    // Cases.
    {Role::kOfficer, Action::kCaseCreate, Scope::kNoCase},
    {Role::kOfficer, Action::kCaseRead, Scope::kOwnUnit},
    {Role::kOfficer, Action::kCaseEdit, Scope::kOwnUnit},
    {Role::kOfficer, Action::kCaseTransition, Scope::kOwnUnit},
    {Role::kApprover, Action::kCaseRead, Scope::kOwnUnit},
    {Role::kApprover, Action::kCaseApprove, Scope::kOwnUnit},
    {Role::kDutyOfficer, Action::kCaseRead, Scope::kAny},
    {Role::kDutyOfficer, Action::kCaseTransition, Scope::kAny},
    {Role::kDutyOfficer, Action::kCaseEdit, Scope::kAny},
    {Role::kResponder, Action::kCaseRead, Scope::kOwnUnit},
    {Role::kResponder, Action::kCaseTransition, Scope::kOwnUnit},
    // The duty desk.
    {Role::kDutyOfficer, Action::kDutyRead, Scope::kNoCase},
    {Role::kDutyOfficer, Action::kDutyAcknowledge, Scope::kNoCase},
    {Role::kAdministrator, Action::kDutyRead, Scope::kNoCase},
    {Role::kAdministrator, Action::kRosterManage, Scope::kNoCase},
    // People.
    {Role::kAdministrator, Action::kUserManage, Scope::kNoCase},
    {Role::kOfficer, Action::kTokenManage, Scope::kNoCase},
    {Role::kApprover, Action::kTokenManage, Scope::kNoCase},
    {Role::kDutyOfficer, Action::kTokenManage, Scope::kNoCase},
    {Role::kResponder, Action::kTokenManage, Scope::kNoCase},
    {Role::kAuditor, Action::kTokenManage, Scope::kNoCase},
    {Role::kStatistician, Action::kTokenManage, Scope::kNoCase},
    {Role::kAdministrator, Action::kTokenManage, Scope::kNoCase},
    // Statistics.
    {Role::kStatistician, Action::kStatisticsRead, Scope::kNoCase},
    {Role::kAuditor, Action::kStatisticsRead, Scope::kNoCase},
    {Role::kAdministrator, Action::kStatisticsRead, Scope::kNoCase},
    {Role::kStatistician, Action::kStatisticsPublish, Scope::kNoCase},
    {Role::kAdministrator, Action::kStatisticsPublish, Scope::kNoCase},
    // Technical assistance (docs/assistance.md): no case content; the central authority's
    // officers and approvers post and move, anyone who reads figures may read.
    {Role::kOfficer, Action::kAssistanceRead, Scope::kNoCase},
    {Role::kApprover, Action::kAssistanceRead, Scope::kNoCase},
    {Role::kDutyOfficer, Action::kAssistanceRead, Scope::kNoCase},
    {Role::kAuditor, Action::kAssistanceRead, Scope::kNoCase},
    {Role::kStatistician, Action::kAssistanceRead, Scope::kNoCase},
    {Role::kAdministrator, Action::kAssistanceRead, Scope::kNoCase},
    {Role::kOfficer, Action::kAssistanceManage, Scope::kNoCase},
    {Role::kApprover, Action::kAssistanceManage, Scope::kNoCase},
};

// Whether `action` is one of the enumerators of Action. The switch has no default, so a new
// enumerator without a case here is a compile error (-Wswitch, made an error here whatever the
// build's warning settings).
#pragma GCC diagnostic push
#pragma GCC diagnostic error "-Wswitch"
constexpr bool IsAction(Action action) {
    switch (action) {
        case Action::kNodeRead:
        case Action::kMessageSubmit:
        case Action::kMessageRead:
        case Action::kMessageOpen:
        case Action::kAlertRead:
        case Action::kEventStream:
        case Action::kLedgerProof:
        case Action::kAuditRead:
        case Action::kLegalRead:
        case Action::kCaseCreate:
        case Action::kCaseRead:
        case Action::kCaseEdit:
        case Action::kCaseApprove:
        case Action::kCaseTransition:
        case Action::kDutyAcknowledge:
        case Action::kDutyRead:
        case Action::kRosterManage:
        case Action::kUserManage:
        case Action::kTokenManage:
        case Action::kStatisticsRead:
        case Action::kStatisticsPublish:
        case Action::kAssistanceRead:
        case Action::kAssistanceManage:
            return true;
    }
    return false;
}
#pragma GCC diagnostic pop

// Action's enumerators take the implicit values 0, 1, 2, ...: all lie below this bound.
constexpr int kActionBound = 256;

constexpr bool HasPolicyRow(Action action) {
    for (const Rule& rule : kRules) {
        if (rule.action == action) {
            return true;
        }
    }
    return false;
}

constexpr bool EveryActionHasAPolicyRow() {
    for (int i = 0; i < kActionBound; ++i) {
        if (IsAction(static_cast<Action>(i)) && !HasPolicyRow(static_cast<Action>(i))) {
            return false;
        }
    }
    return true;
}

// A route without a policy row fails the build: RouteTable::Authed takes an Action, and every
// Action has at least one row in kRules, or this does not compile (docs/permissions.md).
static_assert(
    EveryActionHasAPolicyRow(), "every app::Action needs at least one row in kRules (policy.cpp)"
);

bool Covers(Scope scope, Relation relation) {
    switch (scope) {
        case Scope::kAny:
            return true;
        case Scope::kOwnUnit:
            return relation == Relation::kNone || relation == Relation::kOwnUnit ||
                   relation == Relation::kIncoming;
        case Scope::kNoCase:
            return relation == Relation::kNone;
    }
    return false;
}

}  // namespace

std::string_view ActionName(Action action) {
    switch (action) {
        case Action::kNodeRead:
            return "node.read";
        case Action::kMessageSubmit:
            return "message.submit";
        case Action::kMessageRead:
            return "message.read";
        case Action::kMessageOpen:
            return "message.open";
        case Action::kAlertRead:
            return "alert.read";
        case Action::kEventStream:
            return "event.stream";
        case Action::kLedgerProof:
            return "ledger.proof";
        case Action::kAuditRead:
            return "audit.read";
        case Action::kLegalRead:
            return "legal.read";
        case Action::kCaseCreate:
            return "case.create";
        case Action::kCaseRead:
            return "case.read";
        case Action::kCaseEdit:
            return "case.edit";
        case Action::kCaseApprove:
            return "case.approve";
        case Action::kCaseTransition:
            return "case.transition";
        case Action::kDutyAcknowledge:
            return "duty.acknowledge";
        case Action::kDutyRead:
            return "duty.read";
        case Action::kRosterManage:
            return "roster.manage";
        case Action::kUserManage:
            return "user.manage";
        case Action::kTokenManage:
            return "token.manage";
        case Action::kStatisticsRead:
            return "statistics.read";
        case Action::kStatisticsPublish:
            return "statistics.publish";
        case Action::kAssistanceRead:
            return "assistance.read";
        case Action::kAssistanceManage:
            return "assistance.manage";
    }
    return "unknown";
}

std::string_view RelationName(Relation relation) {
    switch (relation) {
        case Relation::kNone:
            return "none";
        case Relation::kOwnUnit:
            return "own_unit";
        case Relation::kOtherUnit:
            return "other_unit";
        case Relation::kIncoming:
            return "incoming";
    }
    return "unknown";
}

const std::vector<Action>& AllActions() {
    // Every enumerator, in declaration order (IsAction cannot miss one).
    static const std::vector<Action> kAll = [] {
        std::vector<Action> actions;
        for (int i = 0; i < kActionBound; ++i) {
            if (IsAction(static_cast<Action>(i))) {
                actions.push_back(static_cast<Action>(i));
            }
        }
        return actions;
    }();
    return kAll;
}

const std::vector<Relation>& AllRelations() {
    static const std::vector<Relation> kAll = {
        Relation::kNone, Relation::kOwnUnit, Relation::kOtherUnit, Relation::kIncoming};
    return kAll;
}

bool RoleMay(Role role, Action action, Relation relation) {
    for (const Rule& rule : kRules) {
        if (rule.role == role && rule.action == action && Covers(rule.scope, relation)) {
            return true;
        }
    }
    return false;
}

Result<void> Decide(const Actor& actor, Action action, Relation relation) {
    for (Role role : actor.roles) {
        if (RoleMay(role, action, relation)) {
            return {};
        }
    }
    log::Warning(
        "permission denied",
        {{"actor", actor.Label()},
         {"action", std::string(ActionName(action))},
         {"relation", std::string(RelationName(relation))}}
    );
    return MakeError(
        ErrorCode::kPermissionDenied,
        actor.Label() + " may not " + std::string(ActionName(action)) +
            (relation == Relation::kNone
                 ? ""
                 : " on a case of relation " + std::string(RelationName(relation)))
    );
}

}  // namespace concord::app
