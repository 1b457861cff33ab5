#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "concord/core/result.hpp"
#include "concord/store/store.hpp"

namespace concord::app {

/// One typed domain event (table `app_domain_events`, docs/cases.md "Domain events"). Written in
/// the transaction of the state change it records; statistics are computed from these rows.
struct DomainEvent {
    std::int64_t seq{0};  ///< assigned by the store
    std::int64_t at_ms{0};
    std::string actor;  ///< "node", "user:<login>" or "peer:<node id>"
    /// A lifecycle transition ("approve", "refuse", ...), "drafted", "received", "assigned" or
    /// "transition_refused" (a peer's step that was invalid in this node's view).
    std::string kind;
    std::string case_id;
    std::string request_type;
    std::string requesting_party;
    std::string requested_party;
    std::string from_state;
    std::string to_state;
    std::string priority;
    std::vector<std::string> grounds;
    std::string direction;  ///< "out" (this node requests) or "in"; empty in rows of version 1
    std::string offence;    ///< the case's first offence (citation); may be empty
    /// The data categories the request names (`fields.data_categories`); may be empty.
    std::vector<std::string> data_categories;
    /// The other node of the case (an outgoing request's addressee); "" in rows of versions 1-3.
    std::string peer_node;
};

/// The JSON array text of a list column (grounds, data categories), and back ("" or text that is
/// not an array of strings gives an empty list).
std::string StringListJson(const std::vector<std::string>& list);
std::vector<std::string> StringListFromJson(std::string_view text);

/// The schema of `app_domain_events` (component "app_domain_events").
std::vector<store::Migration> DomainEventMigrations();

/// Appends `event` in `tx`; returns its seq.
Result<std::int64_t> AppendDomainEvent(store::Transaction& tx, const DomainEvent& event);

/// Events with seq > `after_seq`, oldest first, at most `limit`.
Result<std::vector<DomainEvent>> ReadDomainEvents(
    store::Transaction& tx, std::int64_t after_seq, std::size_t limit
);

/// Events not yet folded into statistics, oldest first, at most `limit`. A flag rather than a
/// cursor: on PostgreSQL a transaction can commit an event after one with a higher seq, which a
/// cursor would pass over for good.
Result<std::vector<DomainEvent>> ReadUnfoldedDomainEvents(
    store::Transaction& tx, std::size_t limit
);

/// Marks event `seq` folded; false when it already was (another fold took it first).
Result<bool> MarkDomainEventFolded(store::Transaction& tx, std::int64_t seq);

}  // namespace concord::app
