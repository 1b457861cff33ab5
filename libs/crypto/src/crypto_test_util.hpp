#pragma once

#include <string_view>

#include <gtest/gtest.h>

#include "concord/core/bytes.hpp"

namespace concord::crypto::testing {

/// Decodes a hex literal in a test; fails the test on bad input.
inline Bytes Hex(std::string_view text) {
    auto bytes = HexDecode(text);
    EXPECT_TRUE(bytes.has_value()) << text;
    return bytes.has_value() ? *bytes : Bytes{};
}

}  // namespace concord::crypto::testing
