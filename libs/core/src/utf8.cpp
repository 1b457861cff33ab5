#include "concord/core/utf8.hpp"

#include <cstdint>
#include <cstring>

namespace concord {

std::size_t Utf8SequenceLength(std::string_view text, std::size_t pos) {
    auto byte = [&](std::size_t i) -> unsigned {
        return i < text.size() ? static_cast<unsigned char>(text[i]) : 0x100U;
    };
    auto in = [](unsigned b, unsigned lo, unsigned hi) { return b >= lo && b <= hi; };
    const unsigned b0 = byte(pos);
    if (b0 < 0x80) {
        return 1;
    }
    if (in(b0, 0xC2, 0xDF)) {
        return in(byte(pos + 1), 0x80, 0xBF) ? 2 : 0;
    }
    if (in(b0, 0xE0, 0xEF)) {
        const unsigned lo = b0 == 0xE0 ? 0xA0 : 0x80;  // no overlong forms
        const unsigned hi = b0 == 0xED ? 0x9F : 0xBF;  // no UTF-8-encoded surrogates
        return in(byte(pos + 1), lo, hi) && in(byte(pos + 2), 0x80, 0xBF) ? 3 : 0;
    }
    if (in(b0, 0xF0, 0xF4)) {
        const unsigned lo = b0 == 0xF0 ? 0x90 : 0x80;  // no overlong forms
        const unsigned hi = b0 == 0xF4 ? 0x8F : 0xBF;  // nothing above U+10FFFF
        return in(byte(pos + 1), lo, hi) && in(byte(pos + 2), 0x80, 0xBF) &&
                       in(byte(pos + 3), 0x80, 0xBF)
                   ? 4
                   : 0;
    }
    return 0;
}

std::optional<std::size_t> FirstInvalidUtf8(std::string_view text) {
    std::size_t pos = 0;
    while (pos < text.size()) {
        // ASCII, the common case, eight bytes at a time.
        std::uint64_t word = 0;
        if (pos + sizeof word <= text.size()) {
            std::memcpy(&word, text.data() + pos, sizeof word);
            if ((word & 0x8080808080808080ULL) == 0) {
                pos += sizeof word;
                continue;
            }
        }
        const std::size_t len = Utf8SequenceLength(text, pos);
        if (len == 0) {
            return pos;
        }
        pos += len;
    }
    return std::nullopt;
}

char32_t DecodeUtf8(std::string_view text, std::size_t pos, std::size_t len) {
    static constexpr unsigned kLeadMask[] = {0, 0x7FU, 0x1FU, 0x0FU, 0x07U};
    char32_t cp = static_cast<unsigned char>(text[pos]) & kLeadMask[len];
    for (std::size_t i = 1; i < len; ++i) {
        cp = (cp << 6) | (static_cast<unsigned char>(text[pos + i]) & 0x3FU);
    }
    return cp;
}

}  // namespace concord
