#pragma once

// What technical_assistance.cpp (the use cases) and technical_assistance_wire.cpp (the same
// changes arriving from another node) share: the checks, the rows and the state machine of an
// engagement.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/object.hpp>

#include "concord/app/technical_assistance.hpp"
#include "concord/core/result.hpp"
#include "concord/federation/message.hpp"
#include "concord/store/store.hpp"

namespace concord::app {

/// Messages a change wrote into its transaction, handed to delivery after the commit.
struct TechnicalAssistance::Pending {
    std::vector<std::pair<federation::OutgoingMessage, federation::Submitted>> sent;
};

namespace detail {

/// The rules of a posting's topic, languages, period and description.
Result<void> CheckPostingInput(const AssistancePostingInput& in);
/// The rules of an engagement step's name, score and comment (not of the state it applies to).
Result<void> CheckEngagementStep(const EngagementStep& step);
/// Applies `step` to `e` (state, evaluation or cancel reason); AssistanceWrongState when the
/// step does not apply to e's state. Returns the state e was in.
Result<EngagementState> ApplyEngagementStep(AssistanceEngagement& e, const EngagementStep& step);

Result<PostingKind> PostingKindNamed(std::string_view name);
Result<EngagementState> EngagementStateNamed(std::string_view name);

/// The row of posting `id`, if any (no visibility check).
Result<std::optional<AssistancePosting>> FindPosting(store::Transaction& tx, std::string_view id);
Result<std::optional<AssistanceEngagement>> FindEngagement(
    store::Transaction& tx, std::string_view id
);
Result<void> InsertPosting(store::Transaction& tx, const AssistancePosting& p);
Result<void> InsertEngagement(store::Transaction& tx, const AssistanceEngagement& e);
/// Writes e's state, evaluation, cancel reason, update and revision where the row is still in
/// `from`; AssistanceWrongState when it no longer is.
Result<void> UpdateEngagement(
    store::Transaction& tx, const AssistanceEngagement& e, EngagementState from
);
/// Moves posting `id` from `from` to `to`; AssistanceWrongState when it is no longer in `from`.
Result<void> SetPostingStatus(
    store::Transaction& tx,
    const std::string& id,
    PostingStatus from,
    PostingStatus to,
    std::int64_t at_ms,
    const std::string& by
);
/// The need and the offer of `e` take the status its state implies: open again when it is
/// cancelled, else matched; a withdrawn or absent posting stays as it is.
Result<void> FollowEngagement(store::Transaction& tx, const AssistanceEngagement& e);
/// The audit leaf of a change to a posting: what it is and whose, never its description.
boost::json::object PostingLeaf(std::string_view event, const AssistancePosting& p);
/// The audit leaf of an engagement's step from `from`.
boost::json::object StepLeaf(const AssistanceEngagement& e, EngagementState from);

}  // namespace detail
}  // namespace concord::app
