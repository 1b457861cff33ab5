#include "case_recorder.hpp"

#include <boost/json/object.hpp>

#include "concord/app/domain_events.hpp"

#include "case_context.hpp"

namespace concord::app::detail {

Result<void> CaseRecorder::Record(
    store::Transaction& tx, const Case& c, const TimelineEntry& entry, bool insert, bool from_peer
) const {
    if (insert) {
        CONCORD_RETURN_IF_ERROR(cases_.Insert(tx, c));
    } else {
        CONCORD_RETURN_IF_ERROR(cases_.Update(tx, c));
    }
    CONCORD_RETURN_IF_ERROR(cases_.AddTimeline(tx, c.id, entry));
    DomainEvent event;
    event.at_ms = entry.at_ms;
    event.actor = entry.actor;
    event.kind = entry.transition;
    event.case_id = c.id;
    event.request_type = c.request_type;
    event.requesting_party = c.requesting_party;
    event.requested_party = c.requested_party;
    event.from_state = entry.from_state;
    event.to_state = entry.to_state;
    event.priority = c.priority;
    event.grounds = entry.grounds;
    event.direction = CaseDirectionName(c.direction);
    event.offence = c.offence;
    event.data_categories = DataCategoriesOf(c.body);
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
            from_peer};
        CONCORD_RETURN_IF_ERROR(hooks_.on_state_change(tx, c, change));
    }
    return {};
}

}  // namespace concord::app::detail
