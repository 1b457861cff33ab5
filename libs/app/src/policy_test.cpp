#include "concord/app/policy.hpp"

#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace concord::app {
namespace {

Actor UserWith(std::vector<Role> roles) {
    Actor actor;
    actor.kind = Actor::Kind::kUser;
    actor.user_id = "u";
    actor.roles = std::move(roles);
    return actor;
}

TEST(Policy, AdministratorsAuditorsAndStatisticiansSeeNoCaseContent) {
    for (Role role : {Role::kAdministrator, Role::kAuditor, Role::kStatistician}) {
        for (Relation relation : AllRelations()) {
            for (Action action : {Action::kCaseRead, Action::kMessageRead, Action::kCaseEdit}) {
                EXPECT_FALSE(RoleMay(role, action, relation))
                    << RoleName(role) << " " << ActionName(action) << " " << RelationName(relation);
            }
        }
    }
}

TEST(Policy, AnOfficerWorksTheCasesOfTheirUnitOnly) {
    EXPECT_TRUE(RoleMay(Role::kOfficer, Action::kCaseRead, Relation::kOwnUnit));
    EXPECT_TRUE(RoleMay(Role::kOfficer, Action::kCaseRead, Relation::kIncoming));
    EXPECT_FALSE(RoleMay(Role::kOfficer, Action::kCaseRead, Relation::kOtherUnit));
    EXPECT_FALSE(RoleMay(Role::kOfficer, Action::kCaseApprove, Relation::kOwnUnit));
    EXPECT_TRUE(RoleMay(Role::kDutyOfficer, Action::kCaseRead, Relation::kOtherUnit));
}

// Technical assistance holds no case content: those who read figures may read it; only the
// central authority's officers and approvers post and move it; a provider's responders neither.
TEST(Policy, TechnicalAssistanceIsManagedByOfficersAndApproversOnly) {
    for (Role role : kAllRoles) {
        const bool manages = role == Role::kOfficer || role == Role::kApprover;
        EXPECT_EQ(RoleMay(role, Action::kAssistanceManage, Relation::kNone), manages)
            << RoleName(role);
        EXPECT_EQ(RoleMay(role, Action::kAssistanceRead, Relation::kNone), role != Role::kResponder)
            << RoleName(role);
        EXPECT_FALSE(RoleMay(role, Action::kAssistanceManage, Relation::kOwnUnit))
            << RoleName(role);
    }
}

TEST(Policy, DecideRefusesWithATypedErrorNamingTheActorAndAction) {
    auto denied = Decide(UserWith({Role::kAuditor}), Action::kCaseRead, Relation::kOwnUnit);
    ASSERT_FALSE(denied);
    EXPECT_EQ(denied.error().code, ErrorCode::kPermissionDenied);
    EXPECT_NE(denied.error().message.find("user:u"), std::string::npos);
    EXPECT_NE(denied.error().message.find("case.read"), std::string::npos);
    // Any one of the actor's roles is enough.
    EXPECT_TRUE(Decide(UserWith({Role::kAuditor, Role::kOfficer}), Action::kCaseCreate));
    EXPECT_FALSE(Decide(UserWith({}), Action::kNodeRead));
}

TEST(Policy, EveryActionHasANameAndSomeRoleThatMayDoIt) {
    for (Action action : AllActions()) {
        EXPECT_NE(ActionName(action), "unknown");
        bool someone = false;
        for (Role role : kAllRoles) {
            someone = someone || RoleMay(role, action, Relation::kNone);
        }
        EXPECT_TRUE(someone) << ActionName(action);
    }
}

}  // namespace
}  // namespace concord::app

namespace concord::app {
namespace {

// The table of docs/permissions.md, as RoleMay decides it.
std::string PolicyTable() {
    std::string out = "| action |";
    for (Role role : kAllRoles) {
        out += " " + std::string(RoleName(role)) + " |";
    }
    out += "\n|---|";
    for (std::size_t i = 0; i < kAllRoles.size(); ++i) {
        out += "---|";
    }
    out += "\n";
    for (Action action : AllActions()) {
        out += "| `" + std::string(ActionName(action)) + "` |";
        for (Role role : kAllRoles) {
            std::string cell;
            int on_cases = 0;
            for (Relation r : {Relation::kOwnUnit, Relation::kOtherUnit, Relation::kIncoming}) {
                if (RoleMay(role, action, r)) {
                    cell += (cell.empty() ? "" : ", ") + std::string(RelationName(r));
                    ++on_cases;
                }
            }
            if (on_cases == 3) {
                cell = "all";
            } else if (on_cases == 0) {
                cell = RoleMay(role, action, Relation::kNone) ? "yes" : "—";
            }
            out += " " + cell + " |";
        }
        out += "\n";
    }
    return out;
}

TEST(Policy, DocsPermissionsHasTheTableOfPolicyCpp) {
    std::ifstream in(std::string(CONCORD_SOURCE_DIR) + "/docs/permissions.md");
    std::stringstream text;
    text << in.rdbuf();
    const std::string doc = text.str();
    const std::string begin = "<!-- policy-table -->\n";
    const std::string end = "<!-- /policy-table -->";
    const auto from = doc.find(begin);
    const auto to = doc.find(end);
    ASSERT_NE(from, std::string::npos);
    ASSERT_NE(to, std::string::npos);
    EXPECT_EQ(doc.substr(from + begin.size(), to - from - begin.size()), PolicyTable())
        << "docs/permissions.md must hold, between the markers:\n"
        << PolicyTable();
}

}  // namespace
}  // namespace concord::app
