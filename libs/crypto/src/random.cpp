#include "concord/crypto/random.hpp"

#include <sodium.h>

#include "concord/core/assert.hpp"

namespace concord::crypto {

void RandomFill(std::span<std::uint8_t> out) {
    if (!out.empty()) {
        randombytes_buf(out.data(), out.size());
    }
}

Bytes RandomBytes(std::size_t n) {
    Bytes out(n);
    RandomFill(out);
    return out;
}

std::uint32_t RandomUniform(std::uint32_t upper_bound) {
    // randombytes_uniform(0) returns 0, which is outside the promised [0, 0) range.
    CONCORD_ASSERT(upper_bound > 0);
    return randombytes_uniform(upper_bound);  // rejection sampling: no modulo bias
}

}  // namespace concord::crypto
