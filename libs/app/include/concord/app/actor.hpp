#pragma once

#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "concord/app/role.hpp"

namespace concord::app {

/// Who performs a use case: a person logged in (session or personal token) or the node itself
/// (timers, hooks, intake). Every audit leaf and domain event names it.
struct Actor {
    enum class Kind {
        kNode,  ///< the node itself, or its operator's node-wide API token
        kUser,  ///< a person of this node
    };
    Kind kind{Kind::kNode};
    std::string user_id;  ///< the user's login name; empty for the node
    std::string display_name;
    std::string unit;  ///< the user's unit (cases are assigned to units)
    std::vector<Role> roles;

    [[nodiscard]] bool Has(Role role) const;
    /// "node" or "user:<login>", as audit leaves and domain events carry it.
    [[nodiscard]] std::string Label() const;

    /// The node acting on its own behalf, with every role (timers, intake, the node-wide token).
    static Actor Node();
};

/// Adds {"actor": actor.Label()} to an audit leaf.
void NameActor(boost::json::object& leaf, const Actor& actor);

}  // namespace concord::app
