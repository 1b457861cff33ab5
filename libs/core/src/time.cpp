#include "concord/core/time.hpp"

#include <charconv>
#include <cstdio>
#include <limits>

namespace concord {
namespace {

using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::year_month_day;

// Reads exactly `n` decimal digits at `pos`; -1 if they are not all digits.
int ReadDigits(std::string_view text, std::size_t pos, std::size_t n) {
    if (pos + n > text.size()) {
        return -1;
    }
    int value = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (text[i] < '0' || text[i] > '9') {
            return -1;
        }
        value = value * 10 + (text[i] - '0');
    }
    return value;
}

Error BadTimestamp(std::string_view text, std::string_view why) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        "timestamp '" + std::string(text.substr(0, 64)) + "': " + std::string(why)
    );
}

}  // namespace

std::int64_t NowMillis() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch()
    )
        .count();
}

std::string FormatTimestamp(std::int64_t unix_millis) {
    std::int64_t day_count = unix_millis / 86'400'000;
    std::int64_t rest = unix_millis % 86'400'000;
    if (rest < 0) {
        rest += 86'400'000;
        --day_count;
    }
    const year_month_day ymd{sys_days{days{day_count}}};
    char out[32];
    std::snprintf(
        out,
        sizeof out,
        "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ",
        static_cast<int>(ymd.year()),
        static_cast<unsigned>(ymd.month()),
        static_cast<unsigned>(ymd.day()),
        static_cast<int>(rest / 3'600'000),
        static_cast<int>(rest / 60'000 % 60),
        static_cast<int>(rest / 1000 % 60),
        static_cast<int>(rest % 1000)
    );
    return out;
}

Result<std::int64_t> ParseTimestamp(std::string_view text) {
    // YYYY-MM-DDThh:mm:ss[.f{1,9}](Z|+hh:mm|-hh:mm)
    const int year = ReadDigits(text, 0, 4);
    const int month = ReadDigits(text, 5, 2);
    const int day = ReadDigits(text, 8, 2);
    const int hour = ReadDigits(text, 11, 2);
    const int minute = ReadDigits(text, 14, 2);
    const int second = ReadDigits(text, 17, 2);
    if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0 ||
        text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != 't') ||
        text[13] != ':' || text[16] != ':') {
        return BadTimestamp(text, "expected YYYY-MM-DDThh:mm:ss with a zone");
    }
    const year_month_day ymd{
        std::chrono::year{year},
        std::chrono::month{static_cast<unsigned>(month)},
        std::chrono::day{static_cast<unsigned>(day)}};
    if (!ymd.ok() || hour > 23 || minute > 59 || second > 59) {
        return BadTimestamp(text, "no such date or time of day");
    }
    std::size_t pos = 19;
    std::int64_t millis = 0;
    if (pos < text.size() && text[pos] == '.') {
        ++pos;
        std::size_t digits = 0;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
            if (digits < 3) {
                millis = millis * 10 + (text[pos] - '0');
            }
            ++digits;
            ++pos;
        }
        if (digits == 0 || digits > 9) {
            return BadTimestamp(text, "a fraction needs 1 to 9 digits");
        }
        for (std::size_t i = digits; i < 3; ++i) {
            millis *= 10;
        }
    }
    std::int64_t offset_minutes = 0;
    if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
        ++pos;
    } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
        const int oh = ReadDigits(text, pos + 1, 2);
        const int om = ReadDigits(text, pos + 4, 2);
        if (oh < 0 || om < 0 || text[pos + 3] != ':' || oh > 23 || om > 59) {
            return BadTimestamp(text, "zone offset must be +hh:mm or -hh:mm");
        }
        offset_minutes = std::int64_t{oh * 60 + om} * (text[pos] == '-' ? -1 : 1);
        pos += 6;
    } else {
        return BadTimestamp(text, "a zone (Z or +hh:mm) is required");
    }
    if (pos != text.size()) {
        return BadTimestamp(text, "trailing characters");
    }
    const std::int64_t day_count = sys_days{ymd}.time_since_epoch().count();
    return ((day_count * 24 + hour) * 60 + minute - offset_minutes) * 60'000 +
           std::int64_t{second} * 1000 + millis;
}

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
    std::int64_t value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc{} || ptr == text.data() || value < 0) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "duration '" + std::string(text) + "': expected a number and a unit (ms, s, m, h, d)"
        );
    }
    const std::string_view unit(ptr, static_cast<std::size_t>(end - ptr));
    std::int64_t scale = 0;
    if (unit == "ms") {
        scale = 1;
    } else if (unit == "s") {
        scale = 1000;
    } else if (unit == "m") {
        scale = 60'000;
    } else if (unit == "h") {
        scale = 3'600'000;
    } else if (unit == "d") {
        scale = 86'400'000;
    } else {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "duration '" + std::string(text) + "': unit must be ms, s, m, h or d"
        );
    }
    if (value > std::numeric_limits<std::int64_t>::max() / scale / 1000) {
        return MakeError(
            ErrorCode::kInvalidArgument, "duration '" + std::string(text) + "' is too large"
        );
    }
    return std::chrono::milliseconds{value * scale};
}

}  // namespace concord
