// Helpers of the fuzz targets that build signed inputs: an invariant check that aborts (so that
// libFuzzer reports the input), unwrapping a Result that must hold, and fixed signing keys.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <utility>

#include "concord/core/bytes.hpp"
#include "concord/core/result.hpp"
#include "concord/crypto/ed25519.hpp"

namespace concord::fuzz {

/// Aborts unless `ok`.
inline void Check(bool ok) {
    if (!ok) {
        std::abort();
    }
}

/// The value of `r`; aborts on an error.
template <class T>
T Must(Result<T> r) {
    Check(r.has_value());
    return std::move(*r);
}

/// The signing key whose 32-byte seed is `b` repeated.
inline crypto::SigningKey KeyFromByte(std::uint8_t b) {
    std::uint8_t seed[32];
    std::fill(std::begin(seed), std::end(seed), b);
    return Must(crypto::SigningKey::FromSeed(ByteSpan(seed, sizeof seed)));
}

}  // namespace concord::fuzz
