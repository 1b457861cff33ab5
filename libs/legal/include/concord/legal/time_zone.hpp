#pragma once

#include <cstdint>
#include <string_view>

#include "concord/core/result.hpp"

namespace concord::legal {

/// The offset from UTC, in seconds, of the IANA time zone `zone` (e.g. "Europe/Paris") at the
/// instant `unix_ms`, daylight saving included, from ICU's time-zone data. kInvalidArgument for a
/// name ICU does not know (an abbreviation such as "CET" is not an IANA zone name either way
/// round: it is refused too unless ICU lists it) or longer than 64 bytes.
Result<std::int32_t> UtcOffsetSeconds(std::string_view zone, std::int64_t unix_ms);

}  // namespace concord::legal
