#include "concord/core/bytes.hpp"

namespace concord {
namespace {
int HexValue(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}
}  // namespace

std::string HexEncode(ByteSpan data) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(data.size() * 2);
    for (std::uint8_t b : data) {
        out.push_back(kDigits[b >> 4]);
        out.push_back(kDigits[b & 0x0f]);
    }
    return out;
}

Result<Bytes> HexDecode(std::string_view text) {
    if (text.size() % 2 != 0) {
        return MakeError(ErrorCode::kInvalidArgument, "hex: odd number of digits");
    }
    Bytes out;
    out.reserve(text.size() / 2);
    for (std::size_t i = 0; i < text.size(); i += 2) {
        int hi = HexValue(text[i]);
        int lo = HexValue(text[i + 1]);
        if (hi < 0 || lo < 0) {
            return MakeError(
                ErrorCode::kInvalidArgument,
                "hex: invalid digit at offset " + std::to_string(hi < 0 ? i : i + 1)
            );
        }
        out.push_back(static_cast<std::uint8_t>((hi << 4) | lo));
    }
    return out;
}

}  // namespace concord
