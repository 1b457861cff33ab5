#include "concord/crypto/secret_bytes.hpp"

#include <cstring>
#include <utility>

#include <sodium.h>

#include "concord/core/assert.hpp"

#include "sodium_detail.hpp"

namespace concord::crypto {

SecretBytes::SecretBytes(std::size_t size) {
    if (size == 0) {
        return;
    }
    detail::EnsureSodiumInitialized();
    // sodium_malloc fills new memory with 0xdb (to catch use of uninitialised bytes); we promise
    // zeroed bytes, so clear it.
    void* p = sodium_malloc(size);
    CONCORD_ASSERT(p != nullptr);
    sodium_memzero(p, size);
    data_ = static_cast<std::uint8_t*>(p);
    size_ = size;
}

SecretBytes SecretBytes::CopyFrom(ByteSpan data) {
    SecretBytes out(data.size());
    if (!data.empty()) {
        std::memcpy(out.data_, data.data(), data.size());
    }
    return out;
}

SecretBytes::~SecretBytes() {
    // sodium_free zeroes the region before unmapping it.
    if (data_ != nullptr) {
        sodium_free(data_);
    }
}

SecretBytes::SecretBytes(SecretBytes&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
    if (this != &other) {
        if (data_ != nullptr) {
            sodium_free(data_);
        }
        data_ = std::exchange(other.data_, nullptr);
        size_ = std::exchange(other.size_, 0);
    }
    return *this;
}

}  // namespace concord::crypto
