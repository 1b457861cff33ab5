#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "concord/core/result.hpp"

namespace concord {

/// Owned bytes.
using Bytes = std::vector<std::uint8_t>;
/// Borrowed read-only bytes.
using ByteSpan = std::span<const std::uint8_t>;

/// Views the characters of `s` as bytes (no copy; borrows `s`).
inline ByteSpan AsBytes(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
/// Copies bytes into a std::string.
inline std::string ToString(ByteSpan b) {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}
/// Copies the characters of `s` into owned bytes.
inline Bytes ToBytes(std::string_view s) {
    auto v = AsBytes(s);
    return {v.begin(), v.end()};
}

/// Lower-case hexadecimal encoding.
std::string HexEncode(ByteSpan data);
/// Decodes hexadecimal (either case). kInvalidArgument on odd length or a non-hex character.
Result<Bytes> HexDecode(std::string_view text);

/// Appends `value` as 8 big-endian bytes.
void AppendU64BigEndian(Bytes& out, std::uint64_t value);
/// Reads 8 big-endian bytes; `data` must have at least 8 bytes.
std::uint64_t ReadU64BigEndian(ByteSpan data);

}  // namespace concord
