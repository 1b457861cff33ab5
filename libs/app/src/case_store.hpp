#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "concord/app/case.hpp"
#include "concord/core/result.hpp"
#include "concord/store/store.hpp"

namespace concord::app::detail {

/// A peer's case message that arrived before the one it follows (held until its turn).
struct PendingStep {
    std::string sender;
    std::string message_id;
    std::string body;
    std::int64_t received_ms{0};
};

/// The rows of cases, their timelines, notes and held steps. SQL only: no decisions.
/// Every function works in the caller's transaction.
class CaseStore {
public:
    static std::vector<store::Migration> Migrations();

    explicit CaseStore(store::Backend backend) : backend_(backend) {}

    Result<void> Insert(store::Transaction& tx, const Case& c) const;
    /// Writes the mutable columns (state, version, unit, assignee, approved_by, peer_number,
    /// request_message_id, updated_ms).
    Result<void> Update(store::Transaction& tx, const Case& c) const;
    /// Writes a revised draft's request: instrument, request_type, offence, drafted_by, body.
    Result<void> UpdateRequest(store::Transaction& tx, const Case& c) const;
    /// kNotFound if absent. Locks the row on PostgreSQL until the transaction ends.
    Result<Case> Get(store::Transaction& tx, std::string_view id) const;
    Result<std::optional<Case>> FindByOrigin(
        store::Transaction& tx, std::string_view origin_node, std::string_view origin_id
    ) const;
    Result<std::optional<Case>> FindByRequestMessage(
        store::Transaction& tx, std::string_view message_id
    ) const;
    /// The incoming case that the request message `message_id` opened.
    Result<std::optional<Case>> FindIncomingByRequestMessage(
        store::Transaction& tx, std::string_view message_id
    ) const;
    Result<std::vector<Case>> Search(store::Transaction& tx, const CaseFilter& filter) const;

    /// The next number "<prefix>-NNNNNN" of `prefix` ("AA-2026").
    Result<std::string> NextNumber(store::Transaction& tx, std::string_view prefix) const;

    Result<void> AddTimeline(
        store::Transaction& tx, std::string_view case_id, const TimelineEntry& entry
    ) const;
    Result<std::vector<TimelineEntry>> Timeline(store::Transaction& tx, std::string_view case_id)
        const;
    Result<void> AddNote(store::Transaction& tx, std::string_view case_id, const CaseNote& note)
        const;
    Result<std::vector<CaseNote>> Notes(store::Transaction& tx, std::string_view case_id) const;

    /// Holds `step` as version `version` of the case (origin_node, origin_id); a second copy of
    /// the same version is ignored.
    Result<void> HoldStep(
        store::Transaction& tx,
        std::string_view origin_node,
        std::string_view origin_id,
        std::int64_t version,
        const PendingStep& step
    ) const;
    /// Removes and returns the held step `version`, if any.
    Result<std::optional<PendingStep>> TakeStep(
        store::Transaction& tx,
        std::string_view origin_node,
        std::string_view origin_id,
        std::int64_t version
    ) const;
    /// Steps held for all cases (the model test checks none is left behind).
    Result<std::int64_t> HeldCount(store::Transaction& tx) const;

private:
    store::Backend backend_;
};

}  // namespace concord::app::detail
