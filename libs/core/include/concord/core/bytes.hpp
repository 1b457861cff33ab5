#pragma once

#include <concepts>
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

/// Appends `value` as sizeof(T) big-endian bytes.
template <std::unsigned_integral T>
void AppendBigEndian(Bytes& out, T value) {
    for (int shift = 8 * (static_cast<int>(sizeof(T)) - 1); shift >= 0; shift -= 8) {
        out.push_back(static_cast<std::uint8_t>(value >> shift));
    }
}
/// Reads sizeof(T) big-endian bytes; `data` must have at least that many.
template <std::unsigned_integral T>
T ReadBigEndian(ByteSpan data) {
    T v = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) {
        v = static_cast<T>((v << 8) | data[i]);
    }
    return v;
}
/// Appends `value` as 8 big-endian bytes.
inline void AppendU64BigEndian(Bytes& out, std::uint64_t value) {
    AppendBigEndian(out, value);
}
/// Reads 8 big-endian bytes; `data` must have at least 8 bytes.
inline std::uint64_t ReadU64BigEndian(ByteSpan data) {
    return ReadBigEndian<std::uint64_t>(data);
}

}  // namespace concord
