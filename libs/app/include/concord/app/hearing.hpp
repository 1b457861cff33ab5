#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

namespace concord::app {

/// The request type whose cases hold a hearing (instruments/request-types.toml).
inline constexpr std::string_view kHearingRequestType = "video_hearing";

/// Where a hearing by video conference stands (docs/cases.md "Hearings"): times proposed, one
/// agreed, the hearing held and its record kept (final).
enum class HearingState : std::uint8_t { kProposed, kScheduled, kHeld };

std::string_view HearingStateName(HearingState state);

/// A time a party proposes: the start as the proposer wrote it (RFC 3339 with the offset that
/// `time_zone` has at that instant), the IANA zone of the place, and the length.
struct HearingSlot {
    std::string start;
    std::string time_zone;
    std::int64_t start_ms{0};  ///< the same instant, UTC
    std::int64_t minutes{0};   ///< 5-1440
};

/// Somebody present at the hearing, as the record names them.
struct HearingParticipant {
    std::string name;
    std::string role;   ///< judge, prosecutor, defence_counsel, interpreter, witness, expert, ...
    std::string party;  ///< "requesting" or "requested"
};

/// The hearing of one case, as this node keeps it.
struct Hearing {
    std::string case_id;
    HearingState state{HearingState::kProposed};
    std::int64_t proposal{0};  ///< the number of the proposal in force (1, 2, ...)
    std::string proposed_by;   ///< its side: "requesting" or "requested"
    std::vector<HearingSlot> slots;
    std::optional<HearingSlot> agreed;  ///< from the acceptance on
    std::string meeting_address;        ///< the https address of the authorities' video system
    std::vector<HearingParticipant> participants;  ///< as the record names them
    std::int64_t held_ms{0};
    std::string recording_sha256;  ///< lower-case hex; empty when no recording was made
    std::string minutes_sha256;
    std::string recorded_by;  ///< the side that recorded it
    /// The audit-log index of the "hearing.recorded" leaf that holds both hashes (-1 before),
    /// so the record can be proved later with the log's inclusion proof.
    std::int64_t record_leaf{-1};
    std::int64_t updated_ms{0};
};

/// The JSON form of `h` (the API's and the CLI's, docs/cases.md "Hearings").
boost::json::object HearingJson(const Hearing& h);

}  // namespace concord::app
