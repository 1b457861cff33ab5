#include "case_context.hpp"

#include <chrono>

#include <boost/json/parse.hpp>

namespace concord::app::detail {

Relation RelationTo(const Actor& actor, const Case& c) {
    if (c.unit.empty()) {
        return c.direction == CaseDirection::kIn ? Relation::kIncoming : Relation::kOtherUnit;
    }
    return !actor.unit.empty() && c.unit == actor.unit ? Relation::kOwnUnit : Relation::kOtherUnit;
}

std::string FirstOffence(const boost::json::object& request) {
    const boost::json::value* offences = request.if_contains("offences");
    if (offences == nullptr || !offences->is_array() || offences->as_array().empty() ||
        !offences->as_array()[0].is_object()) {
        return {};
    }
    const boost::json::value* article = offences->as_array()[0].as_object().if_contains("article");
    return article != nullptr && article->is_string() ? std::string(article->as_string())
                                                      : std::string{};
}

std::string Qualified(std::string_view columns, std::string_view alias) {
    std::string out;
    for (std::string_view rest = columns; !rest.empty();) {
        const std::size_t comma = rest.find(", ");
        out += (out.empty() ? "" : ", ") + std::string(alias) + "." +
               std::string(rest.substr(0, comma));
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 2);
    }
    return out;
}

DomainEvent CaseDomainEvent(
    const Case& c, std::string kind, std::int64_t at_ms, std::string actor
) {
    DomainEvent event;
    event.at_ms = at_ms;
    event.actor = std::move(actor);
    event.kind = std::move(kind);
    event.case_id = c.id;
    event.request_type = c.request_type;
    event.requesting_party = c.requesting_party;
    event.requested_party = c.requested_party;
    event.priority = c.priority;
    event.direction = CaseDirectionName(c.direction);
    event.offence = c.offence;
    event.data_categories = DataCategoriesOf(c.body);
    event.peer_node = c.peer_node;
    return event;
}

std::vector<std::string> DataCategoriesOf(std::string_view body) {
    std::vector<std::string> out;
    boost::system::error_code ec;
    const boost::json::value v = boost::json::parse(body, ec);
    if (ec || !v.is_object()) {
        return out;
    }
    const boost::json::value* fields = v.as_object().if_contains("fields");
    const boost::json::value* list = fields != nullptr && fields->is_object()
                                         ? fields->as_object().if_contains("data_categories")
                                         : nullptr;
    if (list == nullptr || !list->is_array()) {
        return out;
    }
    for (const boost::json::value& item : list->as_array()) {
        if (item.is_string()) {
            out.emplace_back(item.as_string());
        }
    }
    return out;
}

legal::Side OwnSide(const Case& c) {
    return c.direction == CaseDirection::kOut ? legal::Side::kRequesting : legal::Side::kRequested;
}

legal::Side PeerSide(const Case& c) {
    return c.direction == CaseDirection::kOut ? legal::Side::kRequested : legal::Side::kRequesting;
}

Result<std::string> OwnParty(const federation::Node& node) {
    auto dir = node.Directory();
    const federation::NodeEntry* self = dir ? dir->FindNode(node.Id()) : nullptr;
    if (self == nullptr) {
        return MakeError(ErrorCode::kUnavailable, "the directory does not list this node");
    }
    return self->party;
}

std::string NumberPrefix(std::string_view party, std::int64_t now_ms) {
    const auto days = std::chrono::floor<std::chrono::days>(
        std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(now_ms))
    );
    const std::chrono::year_month_day date(days);
    return std::string(party) + "-" + std::to_string(static_cast<int>(date.year()));
}

federation::Priority SendablePriority(
    const federation::Node& node, std::string_view type, std::string_view wanted
) {
    if (wanted != "emergency") {
        return federation::Priority::kNormal;
    }
    auto dir = node.Directory();
    const federation::NodeEntry* self = dir ? dir->FindNode(node.Id()) : nullptr;
    if (self != nullptr && dir->MayNodeSend(*self, type, "emergency", false)) {
        return federation::Priority::kEmergency;
    }
    return federation::Priority::kNormal;
}

}  // namespace concord::app::detail

namespace concord::app {

std::string_view CaseDirectionName(CaseDirection direction) {
    return direction == CaseDirection::kIn ? "in" : "out";
}

}  // namespace concord::app
