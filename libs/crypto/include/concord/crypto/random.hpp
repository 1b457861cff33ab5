#pragma once

#include <cstdint>
#include <span>

#include "concord/core/bytes.hpp"

namespace concord::crypto {

/// Fills `out` from the operating system CSPRNG (libsodium randombytes_buf).
void RandomFill(std::span<std::uint8_t> out);
/// `n` random bytes.
Bytes RandomBytes(std::size_t n);
/// A uniformly random integer in [0, upper_bound); upper_bound must be > 0.
std::uint32_t RandomUniform(std::uint32_t upper_bound);

}  // namespace concord::crypto
