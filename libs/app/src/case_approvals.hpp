#pragma once

// Signed approvals of case requests (docs/cases.md "Signed approvals"): made by the approver at
// the sending node, carried in the request's "concord_case" member, verified by the receiver in
// the intake transaction, and recorded with the case on both nodes.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "concord/app/actor.hpp"
#include "concord/app/approval.hpp"
#include "concord/app/case.hpp"
#include "concord/app/case_service.hpp"
#include "concord/core/result.hpp"
#include "concord/federation/message.hpp"
#include "concord/federation/node.hpp"
#include "concord/store/store.hpp"

#include "case_context.hpp"
#include "case_wire.hpp"

namespace concord::app::detail {

/// Longest `description` recorded (a refusal message names what it found).
inline constexpr std::size_t kMaxApprovalDescriptionBytes = 4096;

/// Table `app_case_approvals` (component "app_case_approvals"): one row per case.
std::vector<store::Migration> CaseApprovalMigrations();

/// Records the approval of case `case_id` (once per case).
Result<void> PutCaseApproval(
    store::Transaction& tx, std::string_view case_id, const CaseApproval& approval
);
/// The approval of `case_id`, nullopt when none was recorded.
Result<std::optional<CaseApproval>> GetCaseApproval(
    store::Transaction& tx, std::string_view case_id
);

/// The request an approval of `c` must name: the case's origin id, its request type, from the
/// origin node to the peer, at `priority`, over `request_body` (the request form as sent,
/// without "concord_case").
Result<std::string> CanonicalRequestOf(
    std::string_view case_id,
    std::string_view request_type,
    std::string_view from,
    std::string_view to,
    federation::Priority priority,
    const boost::json::object& request_body
);

/// The sending side, in the approval step's transaction: `approver` (a person holding the
/// approver role) signs the request of `c` as it will be sent, with their own key and a current
/// certificate of it; this node checks the result as its peer will (VerifyApproval against its
/// own directory) and records it with the case, with an audit leaf. kPermissionDenied
/// "approval_unsigned: ..." when `approver` is not a person; kInternal when the approval does not
/// verify here (the directory does not list this node as it signs).
Result<CaseApproval> SignCaseApproval(
    store::Transaction& tx,
    federation::Node& node,
    const UserKeys& keys,
    const UserCertifier& certifier,
    const Actor& approver,
    const Case& c,
    const boost::json::object& request_body,
    federation::Priority priority,
    std::int64_t now_ms
);

/// The receiving side, in the intake transaction of the request `m` that created `c`: verifies
/// the approval `carried` of the case member of `step` against `request_body` (the received request
/// without "concord_case") and records the result with the case, with a typed domain event
/// ("approval_verified", "approval_missing" or "approval_failed") and an audit leaf. Never
/// refuses the message; errors are store errors only.
Result<CaseApproval> CheckIncomingApproval(
    CaseContext& ctx,
    store::Transaction& tx,
    const federation::ReceivedMessage& m,
    const Case& c,
    const boost::json::object& request_body,
    const std::optional<CaseStep>& step,
    const CarriedApproval& carried
);

}  // namespace concord::app::detail
