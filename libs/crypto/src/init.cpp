#include "concord/crypto/init.hpp"

#include <sodium.h>

#include "concord/core/assert.hpp"

#include "sodium_detail.hpp"

namespace concord::crypto {

Result<void> Initialize() {
    // sodium_init() is idempotent and thread-safe: 0 = initialised now, 1 = already, -1 = failure.
    if (sodium_init() < 0) {
        return MakeError(ErrorCode::kInternal, "libsodium failed to initialise");
    }
    return {};
}

namespace detail {

void EnsureSodiumInitialized() {
    static const bool kInitialised = sodium_init() >= 0;
    CONCORD_ASSERT(kInitialised);
}

}  // namespace detail
}  // namespace concord::crypto
