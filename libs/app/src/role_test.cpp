#include "concord/app/role.hpp"

#include <gtest/gtest.h>

#include "concord/app/actor.hpp"

namespace concord::app {
namespace {

TEST(Role, EveryRoleParsesBackFromItsName) {
    for (Role role : kAllRoles) {
        auto parsed = ParseRole(RoleName(role));
        ASSERT_TRUE(parsed) << RoleName(role);
        EXPECT_EQ(*parsed, role);
    }
}

TEST(Role, AnUnknownNameIsRefusedWithTheKnownOnes) {
    auto parsed = ParseRole("superuser");
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(parsed.error().message.find("duty_officer"), std::string::npos);
    EXPECT_FALSE(ParseRole("Officer"));
}

TEST(Actor, LabelsNameTheUserOrTheNode) {
    Actor user;
    user.kind = Actor::Kind::kUser;
    user.user_id = "alice";
    user.roles = {Role::kOfficer};
    EXPECT_EQ(user.Label(), "user:alice");
    EXPECT_TRUE(user.Has(Role::kOfficer));
    EXPECT_FALSE(user.Has(Role::kApprover));
    const Actor node = Actor::Node();
    EXPECT_EQ(node.Label(), "node");
    for (Role role : kAllRoles) {
        EXPECT_TRUE(node.Has(role));
    }
    boost::json::object leaf;
    NameActor(leaf, user);
    EXPECT_EQ(leaf.at("actor").as_string(), "user:alice");
}

}  // namespace
}  // namespace concord::app
