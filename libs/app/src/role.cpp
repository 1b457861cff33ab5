#include "concord/app/role.hpp"

#include <string>

#include "concord/app/actor.hpp"

namespace concord::app {

std::string_view RoleName(Role role) {
    switch (role) {
        case Role::kOfficer:
            return "officer";
        case Role::kApprover:
            return "approver";
        case Role::kDutyOfficer:
            return "duty_officer";
        case Role::kResponder:
            return "responder";
        case Role::kAuditor:
            return "auditor";
        case Role::kStatistician:
            return "statistician";
        case Role::kAdministrator:
            return "administrator";
    }
    return "unknown";
}

Result<Role> ParseRole(std::string_view name) {
    std::string known;
    for (Role role : kAllRoles) {
        if (RoleName(role) == name) {
            return role;
        }
        known += (known.empty() ? "" : ", ") + std::string(RoleName(role));
    }
    return MakeError(
        ErrorCode::kInvalidArgument, "unknown role '" + std::string(name) + "'; one of " + known
    );
}

bool Actor::Has(Role role) const {
    for (Role r : roles) {
        if (r == role) {
            return true;
        }
    }
    return false;
}

std::string Actor::Label() const {
    return kind == Kind::kNode ? std::string("node") : "user:" + user_id;
}

Actor Actor::Node() {
    Actor actor;
    actor.kind = Kind::kNode;
    actor.display_name = "node";
    actor.roles.assign(kAllRoles.begin(), kAllRoles.end());
    return actor;
}

void NameActor(boost::json::object& leaf, const Actor& actor) {
    leaf["actor"] = actor.Label();
}

}  // namespace concord::app
