// Fuzz target: RFC 8785 canonical JSON (concord::json::Canonicalize, FormatNumber).
// Invariants: arbitrary bytes never crash; a refusal points inside the input (offset <= size);
// accepted output is itself accepted and canonicalises to itself; CanonicalizeOrError agrees
// with Canonicalize; FormatNumber's text parses back to the same double.
#include <bit>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "concord/core/assert.hpp"
#include "concord/core/canonical_json.hpp"

namespace {

void CheckFormatNumber(const std::uint8_t* data, std::size_t size) {
    if (size < sizeof(std::uint64_t)) {
        return;
    }
    std::uint64_t bits = 0;
    std::memcpy(&bits, data, sizeof bits);
    const double value = std::bit_cast<double>(bits);
    if (!std::isfinite(value)) {
        return;
    }
    const std::string text = concord::json::FormatNumber(value);
    double back = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), back);
    CONCORD_ASSERT(ec == std::errc{} && ptr == text.data() + text.size());
    CONCORD_ASSERT(back == value);  // -0 is written as 0, which compares equal
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);

    auto canonical = concord::json::Canonicalize(input);
    auto mapped = concord::json::CanonicalizeOrError(input);
    CONCORD_ASSERT(canonical.has_value() == mapped.has_value());
    if (!canonical) {
        CONCORD_ASSERT(canonical.error().offset <= size);
        CONCORD_ASSERT(!canonical.error().message.empty());
        CONCORD_ASSERT(mapped.error().code == concord::ErrorCode::kInvalidArgument);
    } else {
        CONCORD_ASSERT(*mapped == *canonical);
        auto again = concord::json::Canonicalize(*canonical);
        CONCORD_ASSERT(again.has_value());
        CONCORD_ASSERT(*again == *canonical);
    }

    CheckFormatNumber(data, size);
    return 0;
}
