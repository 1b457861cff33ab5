#pragma once

// What a layer above the federation does with a message from a peer that it does not take
// (technical assistance, statistics reports): the message stays received and acknowledged, and
// the refusal is one audit leaf and one log line, its reason bounded.

#include <cstddef>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "concord/core/log.hpp"
#include "concord/federation/message.hpp"

namespace concord::app::detail {

/// `text` cut to at most `max` bytes, never inside a UTF-8 character, with "..." when cut.
inline std::string Shortened(std::string_view text, std::size_t max) {
    if (text.size() <= max) {
        return std::string(text);
    }
    std::size_t cut = max;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0U) == 0x80U) {
        --cut;
    }
    return std::string(text.substr(0, cut)) + "...";
}

/// Logs the refusal of `m` (`what`, e.g. "assistance message refused") and returns its audit
/// leaf: {"event": event, "message", "from_node", "reason" (at most 300 bytes)}.
inline boost::json::object PeerRefusal(
    std::string_view event,
    std::string_view what,
    const federation::ReceivedMessage& m,
    std::string_view why
) {
    const std::string reason = Shortened(why, 300);
    log::Warning(what, {{"message", m.id}, {"from", m.from}, {"reason", reason}});
    return boost::json::object{
        {"event", event}, {"message", m.id}, {"from_node", m.from}, {"reason", reason}};
}

}  // namespace concord::app::detail
