#include "concord/legal/time_zone.hpp"

#include <memory>
#include <string>

#include <unicode/timezone.h>
#include <unicode/unistr.h>

namespace concord::legal {

Result<std::int32_t> UtcOffsetSeconds(std::string_view zone, std::int64_t unix_ms) {
    const auto refuse = [&] {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "time zone '" + std::string(zone.substr(0, 64)) +
                "' is not an IANA time zone name (e.g. Europe/Paris)"
        );
    };
    if (zone.empty() || zone.size() > 64) {
        return refuse();
    }
    const icu::UnicodeString name = icu::UnicodeString::fromUTF8(
        icu::StringPiece(zone.data(), static_cast<std::int32_t>(zone.size()))
    );
    // ICU answers an unknown name with the "Etc/Unknown" zone instead of an error.
    std::unique_ptr<icu::TimeZone> tz(icu::TimeZone::createTimeZone(name));
    icu::UnicodeString id;
    if (tz == nullptr || tz->getID(id) == icu::UnicodeString(u"Etc/Unknown")) {
        return refuse();
    }
    UErrorCode status = U_ZERO_ERROR;
    std::int32_t raw = 0;
    std::int32_t dst = 0;
    tz->getOffset(static_cast<UDate>(unix_ms), false, raw, dst, status);
    if (U_FAILURE(status)) {
        return refuse();
    }
    return (raw + dst) / 1000;
}

}  // namespace concord::legal
