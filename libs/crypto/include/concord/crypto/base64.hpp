#pragma once

#include <string>
#include <string_view>

#include "concord/core/bytes.hpp"
#include "concord/core/result.hpp"

namespace concord::crypto {

/// Standard base64 (RFC 4648 §4) with padding, through libsodium's constant-time codec.
std::string Base64Encode(ByteSpan data);
/// Decodes strict standard base64 with padding: no whitespace, no missing padding.
/// kInvalidArgument otherwise.
Result<Bytes> Base64Decode(std::string_view text);

}  // namespace concord::crypto
