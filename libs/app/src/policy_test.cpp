#include "concord/app/policy.hpp"

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
                    << RoleName(role) << " " << ActionName(action) << " "
                    << RelationName(relation);
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
