#include "concord/crypto/base64.hpp"

#include <sodium.h>

#include "concord/core/assert.hpp"

#include "sodium_detail.hpp"

namespace concord::crypto {
namespace {

constexpr int kVariant = sodium_base64_VARIANT_ORIGINAL;

}  // namespace

std::string Base64Encode(ByteSpan data) {
    const std::size_t encoded_len = sodium_base64_ENCODED_LEN(data.size(), kVariant);  // incl. NUL
    std::string out(encoded_len, '\0');
    sodium_bin2base64(out.data(), encoded_len, detail::NonNull(data), data.size(), kVariant);
    out.resize(encoded_len - 1);
    return out;
}

Result<Bytes> Base64Decode(std::string_view text) {
    if (text.empty()) {
        return Bytes{};
    }
    // With padding required, the input is whole quanta of 4 characters, each giving 3 bytes.
    if (text.size() % 4 != 0) {
        return MakeError(ErrorCode::kInvalidArgument, "base64 length is not a multiple of 4");
    }
    Bytes out(text.size() / 4 * 3);
    std::size_t out_len = 0;
    const char* end = nullptr;
    // No `ignore` characters: whitespace is an error. libsodium stops at the first character it
    // cannot decode and reports where through `end`; it also rejects missing padding and non-zero
    // bits after the last full byte, so every byte string has exactly one accepted encoding.
    const int rc = sodium_base642bin(
        out.data(), out.size(), text.data(), text.size(), nullptr, &out_len, &end, kVariant
    );
    if (rc != 0 || end != text.data() + text.size()) {
        return MakeError(ErrorCode::kInvalidArgument, "invalid base64");
    }
    CONCORD_ASSERT(out_len <= out.size());
    out.resize(out_len);
    return out;
}

}  // namespace concord::crypto
