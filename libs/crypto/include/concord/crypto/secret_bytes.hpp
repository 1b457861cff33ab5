#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "concord/core/bytes.hpp"

namespace concord::crypto {

/// Secret key material in guarded memory (sodium_malloc: guard pages, mlock where allowed),
/// zeroed when destroyed. Move-only; it has no stream or format operator, so it cannot be logged
/// by accident. Not thread-safe.
class SecretBytes {
public:
    SecretBytes() = default;
    /// Allocates `size` zeroed bytes. Aborts if guarded memory cannot be allocated.
    explicit SecretBytes(std::size_t size);
    /// Copies `data` into guarded memory.
    static SecretBytes CopyFrom(ByteSpan data);
    ~SecretBytes();
    SecretBytes(const SecretBytes&) = delete;
    SecretBytes& operator=(const SecretBytes&) = delete;
    SecretBytes(SecretBytes&& other) noexcept;
    SecretBytes& operator=(SecretBytes&& other) noexcept;

    [[nodiscard]] std::size_t Size() const { return size_; }
    [[nodiscard]] bool Empty() const { return size_ == 0; }
    [[nodiscard]] std::uint8_t* Data() { return data_; }
    [[nodiscard]] const std::uint8_t* Data() const { return data_; }
    [[nodiscard]] ByteSpan Span() const { return {data_, size_}; }
    [[nodiscard]] std::span<std::uint8_t> MutableSpan() { return {data_, size_}; }

private:
    std::uint8_t* data_{nullptr};
    std::size_t size_{0};
};

}  // namespace concord::crypto
