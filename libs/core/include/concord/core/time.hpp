#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "concord/core/result.hpp"

namespace concord {

/// Milliseconds since the Unix epoch, UTC (the system clock).
std::int64_t NowMillis();

/// RFC 3339 in UTC with milliseconds, e.g. "2026-11-29T15:21:05.123Z".
std::string FormatTimestamp(std::int64_t unix_millis);

/// Parses an RFC 3339 timestamp with an explicit zone ("Z" or "+hh:mm"/"-hh:mm") and optional
/// fraction (at most 9 digits; kept to milliseconds). kInvalidArgument naming what is wrong.
Result<std::int64_t> ParseTimestamp(std::string_view text);

/// Parses a duration such as "250ms", "30s", "5m", "2h", "10d" (one integer and one unit).
/// kInvalidArgument if malformed, negative or too large.
Result<std::chrono::milliseconds> ParseDuration(std::string_view text);

}  // namespace concord
