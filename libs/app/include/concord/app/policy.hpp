#pragma once

#include <string_view>
#include <vector>

#include "concord/app/actor.hpp"
#include "concord/core/result.hpp"

namespace concord::app {

/// What a caller asks to do. Every authenticated `/api/v1` route names one (the route table
/// refuses a route without one), and every use case checks it through Decide.
enum class Action {
    kNodeRead,           ///< the node's identity and directory serial
    kMessageSubmit,      ///< a raw federation message (national case systems)
    kMessageRead,        ///< list and read raw messages
    kMessageOpen,        ///< open an incoming message (sends signed retrieval evidence)
    kAlertRead,          ///< delivery and witnessing alerts
    kEventStream,        ///< the live event stream
    kLedgerProof,        ///< audit-log proofs
    kAuditRead,          ///< the audit log and access records
    kLegalRead,          ///< the legal catalogue and checks (no case content)
    kCaseCreate,         ///< draft an outgoing request
    kCaseRead,           ///< a case's content and timeline
    kCaseEdit,           ///< fields, notes and assignment of a case
    kCaseApprove,        ///< approve (sign) or return a draft
    kCaseTransition,     ///< move a case along its lifecycle
    kDutyAcknowledge,    ///< acknowledge an emergency arrival
    kDutyRead,           ///< the duty desk: alerts and roster
    kRosterManage,       ///< edit the duty roster
    kUserManage,         ///< add, disable, reset users and their roles
    kTokenManage,        ///< one's own personal API tokens
    kStatisticsRead,     ///< aggregate statistics
    kStatisticsPublish,  ///< publish a statistics report, anchored in the node's audit log
    kAssistanceRead,     ///< technical assistance: needs, offers, matches, engagements
    kAssistanceManage,   ///< post or withdraw needs and offers, move engagements
};

/// How the caller stands to the object of the action.
enum class Relation {
    kNone,       ///< the action is not about a case
    kOwnUnit,    ///< a case of the caller's unit
    kOtherUnit,  ///< a case of another unit of this node
    kIncoming,   ///< an incoming case not yet assigned to a unit
};

std::string_view ActionName(Action action);
std::string_view RelationName(Relation relation);
/// Every action and every relation, for the permission matrix test and the docs.
const std::vector<Action>& AllActions();
const std::vector<Relation>& AllRelations();

/// The one permission decision of a node (docs/permissions.md has the table): whether a holder
/// of `role` may do `action` on an object of `relation`.
bool RoleMay(Role role, Action action, Relation relation);

/// Whether `actor` may do `action` (any of its roles). kPermissionDenied naming the actor, the
/// action and the relation otherwise; every deny is logged.
Result<void> Decide(const Actor& actor, Action action, Relation relation = Relation::kNone);

}  // namespace concord::app
