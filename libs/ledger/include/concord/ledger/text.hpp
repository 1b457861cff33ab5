#pragma once

#include <string_view>

namespace concord::ledger {

/// True if `s` is well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF).
bool IsValidUtf8(std::string_view s);
/// True if valid UTF-8 `s` contains a Unicode White_Space character outside ASCII.
bool ContainsUnicodeSpace(std::string_view s);

}  // namespace concord::ledger
