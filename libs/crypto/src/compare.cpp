#include "concord/crypto/compare.hpp"

#include <sodium.h>

namespace concord::crypto {

bool ConstantTimeEqual(ByteSpan a, ByteSpan b) {
    // Lengths are public (they leak through the caller's buffers anyway); contents are not.
    if (a.size() != b.size()) {
        return false;
    }
    if (a.empty()) {
        return true;
    }
    return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace concord::crypto
