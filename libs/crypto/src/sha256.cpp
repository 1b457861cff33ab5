#include "concord/crypto/sha256.hpp"

#include <openssl/evp.h>

#include "concord/core/assert.hpp"

namespace concord::crypto {
namespace {

// Explicit fetch (OpenSSL 3): done once, instead of the implicit per-call lookup that
// EVP_sha256() triggers inside EVP_DigestInit_ex. The EVP_MD is never freed (process lifetime).
const EVP_MD* Sha256Md() {
    static const EVP_MD* const kMd = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    CONCORD_ASSERT(kMd != nullptr);
    return kMd;
}

void InitContext(EVP_MD_CTX* ctx) {
    CONCORD_ASSERT(EVP_DigestInit_ex2(ctx, Sha256Md(), nullptr) == 1);
}

}  // namespace

struct Sha256Hasher::Impl {
    EVP_MD_CTX* ctx{nullptr};

    Impl() : ctx(EVP_MD_CTX_new()) {
        CONCORD_ASSERT(ctx != nullptr);
        InitContext(ctx);
    }
    ~Impl() { EVP_MD_CTX_free(ctx); }
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;
};

Hash256 Sha256(ByteSpan data) {
    Hash256 out{};
    unsigned int len = 0;
    CONCORD_ASSERT(
        EVP_Digest(data.data(), data.size(), out.data(), &len, Sha256Md(), nullptr) == 1
    );
    CONCORD_ASSERT(len == out.size());
    return out;
}

Sha256Hasher::Sha256Hasher() : impl_(std::make_unique<Impl>()) {}
Sha256Hasher::~Sha256Hasher() = default;
Sha256Hasher::Sha256Hasher(Sha256Hasher&&) noexcept = default;
Sha256Hasher& Sha256Hasher::operator=(Sha256Hasher&&) noexcept = default;

Sha256Hasher& Sha256Hasher::Update(ByteSpan data) {
    CONCORD_ASSERT(impl_ != nullptr);  // not moved from
    if (!data.empty()) {
        CONCORD_ASSERT(EVP_DigestUpdate(impl_->ctx, data.data(), data.size()) == 1);
    }
    return *this;
}

Hash256 Sha256Hasher::Finish() {
    CONCORD_ASSERT(impl_ != nullptr);
    Hash256 out{};
    unsigned int len = 0;
    CONCORD_ASSERT(EVP_DigestFinal_ex(impl_->ctx, out.data(), &len) == 1);
    CONCORD_ASSERT(len == out.size());
    InitContext(impl_->ctx);
    return out;
}

}  // namespace concord::crypto
