#pragma once

#include <array>
#include <cstdint>
#include <memory>

#include "concord/core/bytes.hpp"

namespace concord::crypto {

/// A SHA-256 digest.
using Hash256 = std::array<std::uint8_t, 32>;

/// SHA-256 of `data` through OpenSSL EVP (uses SHA-NI where the CPU has it).
Hash256 Sha256(ByteSpan data);

/// Incremental SHA-256 (OpenSSL EVP). Not thread-safe; reusable after Finish().
class Sha256Hasher {
public:
    Sha256Hasher();
    ~Sha256Hasher();
    Sha256Hasher(const Sha256Hasher&) = delete;
    Sha256Hasher& operator=(const Sha256Hasher&) = delete;
    Sha256Hasher(Sha256Hasher&&) noexcept;
    Sha256Hasher& operator=(Sha256Hasher&&) noexcept;

    /// Feeds more bytes.
    Sha256Hasher& Update(ByteSpan data);
    /// Returns the digest of everything fed since construction or the last Finish(), and resets.
    Hash256 Finish();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace concord::crypto
