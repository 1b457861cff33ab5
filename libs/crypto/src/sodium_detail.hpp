#pragma once

#include "concord/core/bytes.hpp"

namespace concord::crypto::detail {

/// Runs sodium_init() once per process (thread-safe) and aborts if it fails. Called by the few
/// entry points that may run before Initialize() (SecretBytes allocation needs the page size that
/// sodium_init() computes).
void EnsureSodiumInitialized();

/// The data pointer of `data`, or a pointer to a static byte when `data` is empty (an empty span
/// may hold nullptr, which C APIs taking a length are not all documented to accept).
inline const unsigned char* NonNull(ByteSpan data) {
    static constexpr unsigned char kEmpty = 0;
    return data.empty() ? &kEmpty : data.data();
}

}  // namespace concord::crypto::detail
