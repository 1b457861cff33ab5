#include "concord/app/case_hearings.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "concord/core/log.hpp"
#include "concord/core/time.hpp"
#include "concord/legal/field_types.hpp"
#include "concord/legal/time_zone.hpp"

#include "case_context.hpp"

namespace concord::app {
namespace {

constexpr std::string_view kColumns =
    "case_id, state, proposal, proposed_by, slots, agreed, meeting_address, participants, "
    "held_ms, recording_sha256, minutes_sha256, recorded_by, record_leaf, updated_ms";
constexpr std::size_t kMaxSlots = 5;
constexpr std::size_t kMaxParticipants = 50;
constexpr std::size_t kMaxNameBytes = 200;
constexpr std::size_t kMaxAddressBytes = 2048;
constexpr std::int64_t kMinMinutes = 5;
constexpr std::int64_t kMaxMinutes = 1440;
// A hearing recorded as held later than this after the record was made is refused (clocks of
// the parties' systems may differ by a few minutes).
constexpr std::int64_t kClockSkewMs = std::int64_t{5} * 60 * 1000;

constexpr std::array<std::string_view, 11> kRoles{
    "judge",
    "prosecutor",
    "investigator",
    "defence_counsel",
    "interpreter",
    "witness",
    "expert",
    "suspect",
    "accused",
    "registrar",
    "other"};

std::string Schema(std::string_view integer) {
    const std::string i(integer);
    return "CREATE TABLE app_hearings (case_id TEXT PRIMARY KEY, state TEXT NOT NULL, proposal " +
           i +
           " NOT NULL, proposed_by TEXT NOT NULL, slots TEXT NOT NULL, agreed TEXT NOT NULL, "
           "meeting_address TEXT NOT NULL, participants TEXT NOT NULL, held_ms " +
           i +
           " NOT NULL, recording_sha256 TEXT NOT NULL, minutes_sha256 TEXT NOT NULL, "
           "recorded_by TEXT NOT NULL, record_leaf " +
           i + " NOT NULL, updated_ms " + i + " NOT NULL)";
}

Error Details(std::string_view why) {
    return MakeError(
        ErrorCode::kInvalidArgument, "hearing_details: " + std::string(why), "hearing_details"
    );
}

Result<std::string> Str(
    const boost::json::object& o, std::string_view key, std::size_t max, bool required
) {
    const boost::json::value* v = o.if_contains(key);
    if (v == nullptr && !required) {
        return std::string{};
    }
    if (v == nullptr || !v->is_string() || v->as_string().empty() || v->as_string().size() > max) {
        return Details(fmt::format("'{}' must be a text of 1-{} bytes", key, max));
    }
    return std::string(v->as_string());
}

Result<std::int64_t> Int(
    const boost::json::object& o, std::string_view key, std::int64_t min, std::int64_t max
) {
    const boost::json::value* v = o.if_contains(key);
    if (v == nullptr || !v->is_int64() || v->as_int64() < min || v->as_int64() > max) {
        return Details(fmt::format("'{}' must be an integer from {} to {}", key, min, max));
    }
    return v->as_int64();
}

Result<void> OnlyKeys(const boost::json::object& o, std::initializer_list<std::string_view> keys) {
    for (const auto& member : o) {
        bool known = false;
        for (std::string_view k : keys) {
            known = known || member.key() == k;
        }
        if (!known) {
            return Details(fmt::format("unknown member '{}'", std::string_view(member.key())));
        }
    }
    return {};
}

// The offset an RFC 3339 text states, in seconds ("Z": 0). The text parsed already.
std::int32_t StatedOffsetSeconds(std::string_view text) {
    if (text.ends_with('Z') || text.ends_with('z') || text.size() < 6) {
        return 0;
    }
    const std::string_view tail = text.substr(text.size() - 6);  // "+hh:mm"
    const int hours = (tail[1] - '0') * 10 + (tail[2] - '0');
    const int minutes = (tail[4] - '0') * 10 + (tail[5] - '0');
    const int seconds = hours * 3600 + minutes * 60;
    return tail[0] == '-' ? -seconds : seconds;
}

std::string OffsetText(std::int32_t seconds) {
    const char sign = seconds < 0 ? '-' : '+';
    const std::int32_t a = std::abs(seconds);
    return fmt::format("{}{:02}:{:02}", sign, a / 3600, (a % 3600) / 60);
}

Result<HearingSlot> ParseSlot(const boost::json::value& v, std::size_t index) {
    if (!v.is_object()) {
        return Details(fmt::format("slots[{}] must be an object", index));
    }
    const boost::json::object& o = v.as_object();
    CONCORD_RETURN_IF_ERROR(OnlyKeys(o, {"start", "time_zone", "minutes"}));
    HearingSlot s;
    CONCORD_ASSIGN_OR_RETURN(s.start, Str(o, "start", 64, true));
    CONCORD_ASSIGN_OR_RETURN(s.time_zone, Str(o, "time_zone", 64, true));
    CONCORD_ASSIGN_OR_RETURN(s.minutes, Int(o, "minutes", kMinMinutes, kMaxMinutes));
    auto start = ParseTimestamp(s.start);
    if (!start) {
        return Details(fmt::format("slots[{}].start: {}", index, start.error().message));
    }
    s.start_ms = *start;
    auto offset = legal::UtcOffsetSeconds(s.time_zone, s.start_ms);
    if (!offset) {
        return Details(fmt::format("slots[{}]: {}", index, offset.error().message));
    }
    // The start is written as the clock on the wall of the place shows it: the offset must be
    // the zone's at that instant, or one of the two is a mistake (summer time forgotten).
    if (*offset != StatedOffsetSeconds(s.start)) {
        return Details(fmt::format(
            "slots[{}]: {} is at offset {} in {} on that day, not {}",
            index,
            s.start,
            OffsetText(*offset),
            s.time_zone,
            OffsetText(StatedOffsetSeconds(s.start))
        ));
    }
    return s;
}

boost::json::object SlotJson(const HearingSlot& s) {
    boost::json::object o;
    o["start"] = s.start;
    o["time_zone"] = s.time_zone;
    o["minutes"] = s.minutes;
    return o;
}

// The list `v` (the "participants" member of a record, or the stored column).
Result<std::vector<HearingParticipant>> ParseParticipants(const boost::json::value* v) {
    if (v == nullptr || !v->is_array() || v->as_array().empty() ||
        v->as_array().size() > kMaxParticipants) {
        return Details(fmt::format("'participants' must list 1-{} people", kMaxParticipants));
    }
    std::vector<HearingParticipant> out;
    for (const boost::json::value& p : v->as_array()) {
        if (!p.is_object()) {
            return Details("each participant must be an object");
        }
        const boost::json::object& po = p.as_object();
        CONCORD_RETURN_IF_ERROR(OnlyKeys(po, {"name", "role", "party"}));
        HearingParticipant h;
        CONCORD_ASSIGN_OR_RETURN(h.name, Str(po, "name", kMaxNameBytes, true));
        CONCORD_ASSIGN_OR_RETURN(h.role, Str(po, "role", 32, true));
        CONCORD_ASSIGN_OR_RETURN(h.party, Str(po, "party", 16, true));
        if (legal::CheckPlainText(h.name, false)) {
            return Details("a participant's name must be plain text");
        }
        if (std::find(kRoles.begin(), kRoles.end(), h.role) == kRoles.end()) {
            return Details(
                "a participant's role is one of judge, prosecutor, investigator, "
                "defence_counsel, interpreter, witness, expert, suspect, accused, registrar, other"
            );
        }
        if (h.party != "requesting" && h.party != "requested") {
            return Details("a participant's party is requesting or requested");
        }
        out.push_back(std::move(h));
    }
    return out;
}

boost::json::array ParticipantsJson(const std::vector<HearingParticipant>& people) {
    boost::json::array a;
    for (const HearingParticipant& p : people) {
        boost::json::object o;
        o["name"] = p.name;
        o["role"] = p.role;
        o["party"] = p.party;
        a.push_back(std::move(o));
    }
    return a;
}

Result<std::string> Sha256Hex(const boost::json::object& o, std::string_view key, bool required) {
    CONCORD_ASSIGN_OR_RETURN(std::string hex, Str(o, key, 64, required));
    if (hex.empty()) {
        return hex;
    }
    const bool ok =
        hex.size() == 64 && hex.find_first_not_of("0123456789abcdef") == std::string::npos;
    if (!ok) {
        return Details(fmt::format("'{}' must be 64 lower-case hexadecimal digits", key));
    }
    return hex;
}

Result<std::string> MeetingAddress(const boost::json::object& o) {
    CONCORD_ASSIGN_OR_RETURN(std::string url, Str(o, "meeting_address", kMaxAddressBytes, false));
    if (!url.empty() && (!url.starts_with("https://") || legal::CheckUrl(url))) {
        return Details("'meeting_address' must be an https address");
    }
    return url;
}

Hearing FromRow(const store::Row& r) {
    Hearing h;
    h.case_id = r.Text(0);
    const std::string& state = r.Text(1);
    h.state = state == "held"        ? HearingState::kHeld
              : state == "scheduled" ? HearingState::kScheduled
                                     : HearingState::kProposed;
    h.proposal = r.Int(2);
    h.proposed_by = r.Text(3);
    // Written by this class from checked values: parsed back without a second check.
    boost::system::error_code ec;
    const boost::json::value slots = boost::json::parse(r.Text(4), ec);
    if (!ec && slots.is_array()) {
        for (const auto& s : slots.as_array()) {
            auto slot = ParseSlot(s, 0);
            if (slot) {
                h.slots.push_back(std::move(*slot));
            }
        }
    }
    const std::string& agreed = r.Text(5);
    if (!agreed.empty()) {
        const boost::json::value a = boost::json::parse(agreed, ec);
        auto slot = !ec ? ParseSlot(a, 0) : Result<HearingSlot>(Details("stored"));
        if (slot) {
            h.agreed = std::move(*slot);
        }
    }
    h.meeting_address = r.Text(6);
    const boost::json::value people = boost::json::parse(r.Text(7), ec);
    if (!ec && people.is_array() && !people.as_array().empty()) {
        h.participants = ParseParticipants(&people).value_or(std::vector<HearingParticipant>{});
    }
    h.held_ms = r.Int(8);
    h.recording_sha256 = r.Text(9);
    h.minutes_sha256 = r.Text(10);
    h.recorded_by = r.Text(11);
    h.record_leaf = r.Int(12);
    h.updated_ms = r.Int(13);
    return h;
}

Error WrongState(const Case& c, std::string_view why) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        fmt::format("hearing_wrong_state: case {}: {}", c.number, why),
        "hearing_wrong_state"
    );
}

}  // namespace

std::string_view HearingStateName(HearingState state) {
    switch (state) {
        case HearingState::kProposed:
            return "proposed";
        case HearingState::kScheduled:
            return "scheduled";
        case HearingState::kHeld:
            return "held";
    }
    return "proposed";
}

std::vector<store::Migration> CaseHearings::Migrations() {
    return {store::Migration{"app_hearings", 1, Schema("INTEGER"), Schema("BIGINT")}};
}

CaseHearings::CaseHearings(
    std::function<Result<std::uint64_t>(store::Transaction&, const boost::json::object&)>
        append_leaf
)
    : append_leaf_(std::move(append_leaf)) {}

Result<void> CaseHearings::OnStateChange(
    store::Transaction& tx, const Case& c, const StateChange& change
) {
    if (change.transition != "propose_hearing" && change.transition != "accept_hearing" &&
        change.transition != "record_hearing") {
        return {};
    }
    auto applied = Apply(tx, c, change);
    if (applied || !change.from_peer || applied.error().code != ErrorCode::kInvalidArgument) {
        return applied;
    }
    // The peer's step is on the timeline already; the hearing stays as it was.
    log::Warning(
        "a peer's hearing step was not applied",
        {{"case", c.id}, {"transition", change.transition}, {"reason", applied.error().message}}
    );
    return {};
}

Result<void> CaseHearings::Apply(store::Transaction& tx, const Case& c, const StateChange& change) {
    if (c.request_type != kHearingRequestType) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            fmt::format(
                "hearing_not_a_hearing: case {} is a {} request, not a video_hearing",
                c.number,
                c.request_type
            ),
            "hearing_not_a_hearing"
        );
    }
    const std::string side(
        legal::SideName(change.from_peer ? detail::PeerSide(c) : detail::OwnSide(c))
    );
    const boost::json::object& d = change.details;
    CONCORD_ASSIGN_OR_RETURN(auto found, ForCaseIn(tx, c.id));
    Hearing h = found ? *found : Hearing{};
    h.case_id = c.id;
    boost::json::object leaf;
    leaf["case"] = c.id;
    leaf["number"] = c.number;
    leaf["actor"] = change.actor;
    if (change.transition == "propose_hearing") {
        CONCORD_RETURN_IF_ERROR(OnlyKeys(d, {"slots"}));
        if (found && found->state == HearingState::kHeld) {
            return WrongState(c, "the hearing was held and recorded");
        }
        const boost::json::value* slots = d.if_contains("slots");
        if (slots == nullptr || !slots->is_array() || slots->as_array().empty() ||
            slots->as_array().size() > kMaxSlots) {
            return Details(fmt::format("'slots' must list 1-{} times", kMaxSlots));
        }
        std::vector<HearingSlot> parsed;
        for (std::size_t i = 0; i < slots->as_array().size(); ++i) {
            CONCORD_ASSIGN_OR_RETURN(HearingSlot s, ParseSlot(slots->as_array()[i], i));
            if (!change.from_peer && s.start_ms <= change.at_ms) {
                return Details(fmt::format("slots[{}] starts in the past", i));
            }
            parsed.push_back(std::move(s));
        }
        h.state = HearingState::kProposed;
        h.proposal += 1;
        h.proposed_by = side;
        h.slots = std::move(parsed);
        h.agreed.reset();
        leaf["event"] = "hearing.proposed";
        leaf["proposal"] = h.proposal;
        leaf["slots"] = h.slots.size();
    } else if (change.transition == "accept_hearing") {
        CONCORD_RETURN_IF_ERROR(OnlyKeys(d, {"proposal", "slot", "meeting_address"}));
        if (!found || found->state != HearingState::kProposed) {
            return WrongState(c, "no proposed time is waiting for an answer");
        }
        if (found->proposed_by == side) {
            return WrongState(c, "a party does not accept its own proposal");
        }
        CONCORD_ASSIGN_OR_RETURN(std::int64_t number, Int(d, "proposal", 1, h.proposal));
        if (number != h.proposal) {
            return WrongState(
                c, fmt::format("proposal {} was replaced by proposal {}", number, h.proposal)
            );
        }
        CONCORD_ASSIGN_OR_RETURN(
            std::int64_t slot, Int(d, "slot", 0, static_cast<std::int64_t>(h.slots.size()) - 1)
        );
        CONCORD_ASSIGN_OR_RETURN(std::string address, MeetingAddress(d));
        h.state = HearingState::kScheduled;
        h.agreed = h.slots.at(static_cast<std::size_t>(slot));
        if (!address.empty()) {
            h.meeting_address = std::move(address);
        }
        leaf["event"] = "hearing.scheduled";
        leaf["proposal"] = h.proposal;
        leaf["start"] = FormatTimestamp(h.agreed->start_ms);
        leaf["minutes"] = h.agreed->minutes;
    } else {
        CONCORD_RETURN_IF_ERROR(OnlyKeys(
            d, {"held_at", "minutes_sha256", "recording_sha256", "participants", "meeting_address"}
        ));
        if (!found || found->state != HearingState::kScheduled) {
            return WrongState(
                c,
                found && found->state == HearingState::kHeld ? "the hearing was recorded already"
                                                             : "no time was agreed"
            );
        }
        CONCORD_ASSIGN_OR_RETURN(std::string held_at, Str(d, "held_at", 64, true));
        auto held = ParseTimestamp(held_at);
        if (!held) {
            return Details("held_at: " + held.error().message);
        }
        if (!change.from_peer && *held > change.at_ms + kClockSkewMs) {
            return Details("'held_at' is in the future");
        }
        CONCORD_ASSIGN_OR_RETURN(h.minutes_sha256, Sha256Hex(d, "minutes_sha256", true));
        CONCORD_ASSIGN_OR_RETURN(h.recording_sha256, Sha256Hex(d, "recording_sha256", false));
        CONCORD_ASSIGN_OR_RETURN(h.participants, ParseParticipants(d.if_contains("participants")));
        CONCORD_ASSIGN_OR_RETURN(std::string address, MeetingAddress(d));
        if (!address.empty()) {
            h.meeting_address = std::move(address);
        }
        h.state = HearingState::kHeld;
        h.held_ms = *held;
        h.recorded_by = side;
        // The hashes are no personal data: the audit log keeps them, so that anyone holding the
        // log's inclusion proof of this leaf can show later that the record is unaltered.
        leaf["event"] = "hearing.recorded";
        leaf["held_at"] = FormatTimestamp(h.held_ms);
        leaf["minutes_sha256"] = h.minutes_sha256;
        if (!h.recording_sha256.empty()) {
            leaf["recording_sha256"] = h.recording_sha256;
        }
        leaf["participants"] = h.participants.size();
    }
    leaf["side"] = side;
    CONCORD_ASSIGN_OR_RETURN(std::uint64_t index, append_leaf_(tx, leaf));
    if (h.state == HearingState::kHeld) {
        h.record_leaf = static_cast<std::int64_t>(index);
    }
    h.updated_ms = change.at_ms;
    boost::json::array slots;
    for (const HearingSlot& s : h.slots) {
        slots.push_back(SlotJson(s));
    }
    const std::vector<store::Value> values{
        h.case_id,
        std::string(HearingStateName(h.state)),
        h.proposal,
        h.proposed_by,
        boost::json::serialize(slots),
        h.agreed ? boost::json::serialize(SlotJson(*h.agreed)) : std::string{},
        h.meeting_address,
        boost::json::serialize(ParticipantsJson(h.participants)),
        h.held_ms,
        h.recording_sha256,
        h.minutes_sha256,
        h.recorded_by,
        h.record_leaf,
        h.updated_ms};
    const std::string sql =
        found ? "UPDATE app_hearings SET state = $2, proposal = $3, proposed_by = $4, slots = $5, "
                "agreed = $6, meeting_address = $7, participants = $8, held_ms = $9, "
                "recording_sha256 = $10, minutes_sha256 = $11, recorded_by = $12, record_leaf = "
                "$13, updated_ms = $14 WHERE case_id = $1"
              : "INSERT INTO app_hearings (" + std::string(kColumns) +
                    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)";
    CONCORD_ASSIGN_OR_RETURN(auto changed, tx.Execute(sql, values));
    (void)changed;
    return {};
}

Result<std::optional<Hearing>> CaseHearings::ForCaseIn(
    store::Transaction& tx, std::string_view case_id
) {
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query(
            "SELECT " + std::string(kColumns) + " FROM app_hearings WHERE case_id = $1",
            {std::string(case_id)}
        )
    );
    if (rows.empty()) {
        return std::optional<Hearing>();
    }
    return std::optional<Hearing>(FromRow(rows[0]));
}

boost::json::object HearingJson(const Hearing& h) {
    boost::json::object o;
    o["state"] = HearingStateName(h.state);
    o["proposal"] = h.proposal;
    o["proposed_by"] = h.proposed_by;
    boost::json::array slots;
    for (const HearingSlot& s : h.slots) {
        slots.push_back(SlotJson(s));
    }
    o["slots"] = std::move(slots);
    o["agreed"] = h.agreed ? boost::json::value(SlotJson(*h.agreed)) : boost::json::value(nullptr);
    o["meeting_address"] = h.meeting_address;
    o["participants"] = ParticipantsJson(h.participants);
    o["held_at"] = h.held_ms > 0 ? boost::json::value(FormatTimestamp(h.held_ms))
                                 : boost::json::value(nullptr);
    o["recording_sha256"] = h.recording_sha256;
    o["minutes_sha256"] = h.minutes_sha256;
    o["recorded_by"] = h.recorded_by;
    o["record_leaf"] = h.record_leaf;
    o["updated_at"] = FormatTimestamp(h.updated_ms);
    return o;
}

}  // namespace concord::app
