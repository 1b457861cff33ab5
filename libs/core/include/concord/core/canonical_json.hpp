#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "concord/core/result.hpp"

namespace concord::json {

/// Deepest nesting of arrays and objects accepted by Canonicalize (documented limit).
inline constexpr std::size_t kMaxNestingDepth = 64;

/// Why a JSON text was refused; `offset` is the 0-based byte offset in the input where the
/// problem was found.
enum class JsonErrorKind : std::uint8_t {
    kSyntax,            ///< not JSON (unexpected character, unterminated string, ...)
    kInvalidUtf8,       ///< bytes that are not well-formed UTF-8
    kLoneSurrogate,     ///< a \uD800-\uDFFF escape without its pair
    kDuplicateKey,      ///< the same member name twice in one object
    kNumberOutOfRange,  ///< a number whose value is not a finite IEEE 754 double
    kTooDeep,           ///< nesting deeper than kMaxNestingDepth
    kTrailingData,      ///< anything but whitespace after the value
};

/// Stable name of a JsonErrorKind, e.g. "duplicate_key".
std::string_view JsonErrorKindName(JsonErrorKind kind);

/// A refused JSON text: the kind, the byte offset and a message naming both.
struct JsonError {
    JsonErrorKind kind{JsonErrorKind::kSyntax};
    std::size_t offset{0};
    std::string message;
};

/// The RFC 8785 (JCS) canonical form of a JSON text, or why it was refused.
///
/// Canonical form: no insignificant whitespace; object members sorted by their names compared as
/// arrays of UTF-16 code units; strings escaped minimally (only `\"`, `\\`, `\b`, `\f`, `\n`,
/// `\r`, `\t` and `\u00xx` for other control characters; everything else as UTF-8, no Unicode
/// normalisation); numbers in ECMAScript Number.prototype.toString form (shortest round trip),
/// with -0 written as 0; literals as is.
///
/// The input must be UTF-8 JSON (RFC 8259) without duplicate member names, with every number a
/// finite double and nesting at most kMaxNestingDepth.
tl::expected<std::string, JsonError> Canonicalize(std::string_view json_text);

/// As Canonicalize, mapping a refusal to Error{kInvalidArgument, "<kind> at byte <offset>: ..."}.
Result<std::string> CanonicalizeOrError(std::string_view json_text);

/// ECMAScript Number::toString(value) for a finite double (e.g. 1e+30, 0.002, 4.5, 0 for -0).
/// `value` must be finite.
std::string FormatNumber(double value);

}  // namespace concord::json
