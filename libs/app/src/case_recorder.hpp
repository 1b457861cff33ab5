#pragma once

#include <string>

#include "concord/app/case.hpp"
#include "concord/app/case_service.hpp"
#include "concord/core/result.hpp"
#include "concord/federation/node.hpp"
#include "concord/store/store.hpp"

#include "case_store.hpp"

namespace concord::app::detail {

/// Writes what every state change of a case writes, in the caller's transaction: the case row,
/// its timeline entry, the typed domain event, the audit leaf naming the actor, and the
/// on_state_change hook. One place, so no step can forget one of them.
class CaseRecorder {
public:
    CaseRecorder(const CaseStore& cases, federation::Node& node, const CaseHooks& hooks)
        : cases_(cases), node_(node), hooks_(hooks) {}

    /// Records `entry` for `c` (already changed in memory). `insert`: the case is new.
    Result<void> Record(
        store::Transaction& tx,
        const Case& c,
        const TimelineEntry& entry,
        bool insert,
        bool from_peer
    ) const;
    /// As Record for a step of an existing case that carries `details` (handed to the hook
    /// with the change).
    Result<void> RecordStep(
        store::Transaction& tx,
        const Case& c,
        const TimelineEntry& entry,
        bool from_peer,
        const boost::json::object& details
    ) const;

private:
    Result<void> Write(
        store::Transaction& tx,
        const Case& c,
        const TimelineEntry& entry,
        bool insert,
        bool from_peer,
        const boost::json::object& details
    ) const;

    const CaseStore& cases_;
    federation::Node& node_;
    const CaseHooks& hooks_;
};

}  // namespace concord::app::detail
