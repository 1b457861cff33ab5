#include "case_recorder.hpp"

#include <boost/json/object.hpp>

#include "concord/app/domain_events.hpp"

#include "case_context.hpp"

namespace concord::app::detail {

Result<void> CaseRecorder::Record(
    store::Transaction& tx, const Case& c, const TimelineEntry& entry, bool insert, bool from_peer
) const {
    return Write(tx, c, entry, insert, from_peer, {});
}

Result<void> CaseRecorder::RecordStep(
    store::Transaction& tx,
    const Case& c,
    const TimelineEntry& entry,
    bool from_peer,
    const boost::json::object& details
) const {
    return Write(tx, c, entry, false, from_peer, details);
}

Result<void> CaseRecorder::Write(
    store::Transaction& tx,
    const Case& c,
    const TimelineEntry& entry,
    bool insert,
    bool from_peer,
    const boost::json::object& details
) const {
    if (insert) {
        CONCORD_RETURN_IF_ERROR(cases_.Insert(tx, c));
    } else {
        CONCORD_RETURN_IF_ERROR(cases_.Update(tx, c));
    }
    CONCORD_RETURN_IF_ERROR(cases_.AddTimeline(tx, c.id, entry));
    DomainEvent event = CaseDomainEvent(c, entry.transition, entry.at_ms, entry.actor);
    event.from_state = entry.from_state;
    event.to_state = entry.to_state;
    event.grounds = entry.grounds;
    CONCORD_RETURN_IF_ERROR(AppendDomainEvent(tx, event));
    // Metadata only: the audit log never carries case content (reasons stay in the case).
    boost::json::object leaf;
    leaf["event"] = "case." + entry.transition;
    leaf["case"] = c.id;
    leaf["number"] = c.number;
    leaf["version"] = c.version;
    leaf["from_state"] = entry.from_state;
    leaf["to_state"] = entry.to_state;
    leaf["actor"] = entry.actor;
    if (!entry.message_id.empty()) {
        leaf["message"] = entry.message_id;
    }
    CONCORD_RETURN_IF_ERROR(node_.AppendEvent(tx, leaf));
    if (hooks_.on_state_change) {
        StateChange change{
            entry.transition,
            entry.from_state,
            entry.to_state,
            entry.actor,
            entry.at_ms,
            from_peer,
            entry.grounds,
            entry.reasons,
            details};
        CONCORD_RETURN_IF_ERROR(hooks_.on_state_change(tx, c, change));
    }
    return {};
}

}  // namespace concord::app::detail
