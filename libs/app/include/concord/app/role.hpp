#pragma once

#include <array>
#include <string_view>

#include "concord/core/result.hpp"

namespace concord::app {

/// The roles of a node's people (docs/permissions.md). A user holds one or more.
enum class Role {
    kOfficer,        ///< drafts outgoing requests, works the incoming ones of their unit
    kApprover,       ///< approves (signs) what an officer drafted; never their own draft
    kDutyOfficer,    ///< the 24/7 desk: emergency arrivals, acknowledgement, escalation
    kResponder,      ///< a service provider's staff: orders addressed to the provider
    kAuditor,        ///< audit log, access records, proofs; no case content
    kStatistician,   ///< aggregate statistics only
    kAdministrator,  ///< users, keys, directory, roster; no case content
};

inline constexpr std::array<Role, 7> kAllRoles = {
    Role::kOfficer,
    Role::kApprover,
    Role::kDutyOfficer,
    Role::kResponder,
    Role::kAuditor,
    Role::kStatistician,
    Role::kAdministrator};

/// The role's name on the wire, in the store and on the command line ("officer", "approver",
/// "duty_officer", "responder", "auditor", "statistician", "administrator").
std::string_view RoleName(Role role);

/// The role named `name`; kInvalidArgument naming the accepted names otherwise.
Result<Role> ParseRole(std::string_view name);

}  // namespace concord::app
