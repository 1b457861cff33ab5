#pragma once

#include "concord/core/result.hpp"

namespace concord::crypto {

/// Initialises libsodium. Call once at startup before any other crypto function; calling it again
/// is harmless. kInternal if libsodium cannot initialise (no usable randomness source).
Result<void> Initialize();

}  // namespace concord::crypto
