#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace concord {

/// Length (1-4) of the well-formed UTF-8 sequence starting at `pos` (Unicode 15, table 3-7: no
/// overlong forms, no surrogates, nothing above U+10FFFF), or 0 when the bytes there are
/// ill-formed or truncated. `pos` must be below text.size().
std::size_t Utf8SequenceLength(std::string_view text, std::size_t pos);

/// Offset of the first ill-formed UTF-8 sequence in `text`, if any.
std::optional<std::size_t> FirstInvalidUtf8(std::string_view text);

/// True if `text` is well-formed UTF-8.
inline bool IsValidUtf8(std::string_view text) {
    return !FirstInvalidUtf8(text).has_value();
}

/// The code point of the well-formed sequence of `len` bytes (from Utf8SequenceLength) at `pos`.
char32_t DecodeUtf8(std::string_view text, std::size_t pos, std::size_t len);

}  // namespace concord
