#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace concord::app {

/// Whether this node made the request (out) or received it (in).
enum class CaseDirection : std::uint8_t { kOut, kIn };

/// "out" or "in".
std::string_view CaseDirectionName(CaseDirection direction);

/// A request, outgoing or incoming, and everything that follows it (docs/cases.md).
///
/// Both parties hold a copy; `origin_node` and `origin_id` (the requesting node and its case id)
/// name the case on both, and `version` counts the transitions that crossed between them, so
/// both copies agree on the order of the steps.
struct Case {
    std::string id;      ///< this node's id of the case (UUIDv7)
    std::string number;  ///< readable and unique on this node: "AA-2026-000042"
    std::string origin_node;
    std::string origin_id;
    CaseDirection direction{CaseDirection::kOut};
    std::string instrument;
    std::string request_type;
    std::string peer_node;  ///< the other party's node
    std::string requesting_party;
    std::string requested_party;
    std::string state;
    std::int64_t version{0};
    std::string priority{"normal"};  ///< "normal" or "emergency"
    std::string unit;                ///< the unit it is assigned to; empty: not yet
    std::string assignee;            ///< the officer it is assigned to; empty: none
    std::string drafted_by;          ///< actor label
    std::string approved_by;         ///< actor label, empty until approved
    std::string offence;             ///< first offence named (citation)
    std::string peer_number;         ///< the other party's number of the case, once known
    std::string request_message_id;  ///< the federation message that carried the request
    std::int64_t created_ms{0};
    std::int64_t updated_ms{0};
    std::string body;  ///< the request (legal request JSON)
    /// Set by CaseService::Search only: the earliest due instant of the case's running (open or
    /// warned) legal deadlines; nullopt when none runs.
    std::optional<std::int64_t> next_due_ms;
};

/// A note on a case (internal to this node; never sent).
struct CaseNote {
    std::int64_t seq{0};
    std::int64_t at_ms{0};
    std::string author;
    std::string text;
};

/// One step in a case's history, as this node saw it.
struct TimelineEntry {
    std::int64_t seq{0};
    std::int64_t at_ms{0};
    std::string actor;
    std::string transition;  ///< a lifecycle transition, "received" or "transition_refused"
    std::string from_state;
    std::string to_state;
    std::vector<std::string> grounds;
    std::string reasons;
    std::int64_t version{0};
    std::string message_id;  ///< the federation message that carried it, if it crossed
};

/// Filters of a case search; empty members do not filter.
struct CaseFilter {
    std::string party;  ///< requesting or requested party
    std::string request_type;
    std::string state;
    std::string offence;
    std::string number_contains;  ///< text in the case number
    std::string unit;
    /// The federation message that carried the request (an incoming case: its inbox message, as
    /// a duty alert names it; an outgoing one: its outbox message).
    std::string request_message;
    std::optional<CaseDirection> direction;
    /// Deadline filter: cases with a running (open or warned) deadline due strictly before this
    /// instant (ms since the epoch; negative: kInvalidArgument). Suspended, met, breached and
    /// cancelled deadlines do not count.
    std::optional<std::int64_t> due_before_ms;
    std::size_t limit{50};  ///< at most 500
    std::size_t offset{0};
};

}  // namespace concord::app
