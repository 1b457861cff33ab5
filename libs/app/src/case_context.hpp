#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "concord/app/actor.hpp"
#include "concord/app/case.hpp"
#include "concord/app/case_service.hpp"
#include "concord/app/domain_events.hpp"
#include "concord/app/policy.hpp"
#include "concord/federation/node.hpp"
#include "concord/legal/catalog.hpp"
#include "concord/legal/lifecycle.hpp"

#include "case_recorder.hpp"
#include "case_store.hpp"

namespace concord::app::detail {

/// What the steps of one use case work with.
struct CaseContext {
    CaseContext(
        const legal::Catalog& catalog_in,
        const legal::Lifecycle& lifecycle_in,
        federation::Node& node_in,
        store::Backend backend,
        const CaseHooks& hooks
    )
        : catalog(catalog_in),
          lifecycle(lifecycle_in),
          node(node_in),
          cases(backend),
          recorder(cases, node_in, hooks) {}

    const legal::Catalog& catalog;
    const legal::Lifecycle& lifecycle;
    federation::Node& node;
    CaseStore cases;
    CaseRecorder recorder;
};

/// How `actor` stands to `c`: its unit's case, another unit's, or an incoming one nobody has.
Relation RelationTo(const Actor& actor, const Case& c);
/// The side this node takes in `c`, and the side of its peer.
legal::Side OwnSide(const Case& c);
legal::Side PeerSide(const Case& c);
/// The party of this node in the directory; kUnavailable if the directory does not list it.
Result<std::string> OwnParty(const federation::Node& node);
/// The citation of the first offence a request names ("" when none): the case's `offence`.
std::string FirstOffence(const boost::json::object& request);
/// The data categories a request body names (`fields.data_categories`); empty when the body is
/// not JSON or names none.
std::vector<std::string> DataCategoriesOf(std::string_view body);
/// The typed domain event `kind` of case `c` at `at_ms` by `actor`, with the case's members
/// filled in (states and grounds are the caller's).
DomainEvent CaseDomainEvent(const Case& c, std::string kind, std::int64_t at_ms, std::string actor);
/// A column list "a, b, c" with each column qualified by `alias`: "x.a, x.b, x.c" (for joins).
std::string Qualified(std::string_view columns, std::string_view alias);
/// "<party>-<year>" for numbers given at `now_ms`.
std::string NumberPrefix(std::string_view party, std::int64_t now_ms);
/// The priority a message of `type` can carry from this node: `wanted`, or "normal" when the
/// directory's message policy lets this node send the type only at normal priority.
federation::Priority SendablePriority(
    const federation::Node& node, std::string_view type, std::string_view wanted
);

/// Applies the peer's step carried by `message` (intake transaction); case_intake.cpp.
Result<void> ReceiveCaseMessage(
    CaseContext& ctx, store::Transaction& tx, const federation::ReceivedMessage& message
);

}  // namespace concord::app::detail
