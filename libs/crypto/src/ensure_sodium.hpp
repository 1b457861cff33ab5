#pragma once

namespace concord::crypto::detail {

/// Runs sodium_init() once per process (thread-safe) and aborts if it fails. Called by the few
/// entry points that may run before Initialize() (SecretBytes allocation needs the page size that
/// sodium_init() computes).
void EnsureSodiumInitialized();

}  // namespace concord::crypto::detail
