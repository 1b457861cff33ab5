#pragma once

#include "concord/core/bytes.hpp"

namespace concord::crypto {

/// True if `a` and `b` are equal. Time depends only on the lengths, never on the contents.
bool ConstantTimeEqual(ByteSpan a, ByteSpan b);

}  // namespace concord::crypto
