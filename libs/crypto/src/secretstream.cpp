#include "concord/crypto/secretstream.hpp"

#include <algorithm>

#include <sodium.h>

#include "concord/core/assert.hpp"

#include "sodium_detail.hpp"

namespace concord::crypto {
namespace {

using detail::NonNull;

using State = crypto_secretstream_xchacha20poly1305_state;

static_assert(crypto_secretstream_xchacha20poly1305_HEADERBYTES == kStreamHeaderBytes);
static_assert(crypto_secretstream_xchacha20poly1305_ABYTES == kStreamChunkOverhead);
static_assert(crypto_secretstream_xchacha20poly1305_KEYBYTES == 32);

// The stream state holds the running subkey, so it lives in guarded memory and is wiped on free.
SecretBytes NewState() {
    return SecretBytes(sizeof(State));
}
State* AsState(SecretBytes& bytes) {
    return reinterpret_cast<State*>(bytes.Data());
}

}  // namespace

SecretBytes GenerateStreamKey() {
    SecretBytes key(crypto_secretstream_xchacha20poly1305_KEYBYTES);
    crypto_secretstream_xchacha20poly1305_keygen(key.Data());
    return key;
}

struct StreamEncryptor::Impl {
    SecretBytes state = NewState();
    std::array<std::uint8_t, kStreamHeaderBytes> header{};
};

StreamEncryptor::StreamEncryptor() : impl_(std::make_unique<Impl>()) {}
StreamEncryptor::~StreamEncryptor() = default;
StreamEncryptor::StreamEncryptor(StreamEncryptor&&) noexcept = default;
StreamEncryptor& StreamEncryptor::operator=(StreamEncryptor&&) noexcept = default;

Result<StreamEncryptor> StreamEncryptor::Create(const SecretBytes& key) {
    if (key.Size() != crypto_secretstream_xchacha20poly1305_KEYBYTES) {
        return MakeError(ErrorCode::kInvalidArgument, "stream key must be 32 bytes");
    }
    StreamEncryptor enc;
    CONCORD_ASSERT(
        crypto_secretstream_xchacha20poly1305_init_push(
            AsState(enc.impl_->state), enc.impl_->header.data(), key.Data()
        ) == 0
    );
    return enc;
}

const std::array<std::uint8_t, kStreamHeaderBytes>& StreamEncryptor::Header() const {
    CONCORD_ASSERT(impl_ != nullptr);
    return impl_->header;
}

Bytes StreamEncryptor::Push(ByteSpan plaintext, bool final) {
    CONCORD_ASSERT(impl_ != nullptr);
    Bytes out(plaintext.size() + kStreamChunkOverhead);
    unsigned long long out_len = 0;
    const unsigned char tag = final ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
                                    : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
    CONCORD_ASSERT(
        crypto_secretstream_xchacha20poly1305_push(
            AsState(impl_->state),
            out.data(),
            &out_len,
            NonNull(plaintext),
            plaintext.size(),
            nullptr,
            0,
            tag
        ) == 0
    );
    CONCORD_ASSERT(out_len == out.size());
    return out;
}

struct StreamDecryptor::Impl {
    SecretBytes state = NewState();
    bool finished{false};
};

Result<StreamEncryptor> StreamEncryptor::ContinueAfter(
    const StreamDecryptor& pulled, ByteSpan header
) {
    CONCORD_ASSERT(pulled.impl_ != nullptr);
    if (pulled.impl_->finished) {
        return MakeError(ErrorCode::kInvalidArgument, "the stream has ended: it cannot go on");
    }
    if (header.size() != kStreamHeaderBytes) {
        return MakeError(ErrorCode::kInvalidArgument, "stream header must be 24 bytes");
    }
    StreamEncryptor enc;
    std::copy(header.begin(), header.end(), enc.impl_->header.begin());
    // libsodium's push and pull keep the same state (key, nonce) and step it the same way after
    // each chunk, so the puller's state is the pusher's at the same point of the stream.
    std::copy_n(pulled.impl_->state.Data(), sizeof(State), enc.impl_->state.Data());
    return enc;
}

StreamDecryptor::StreamDecryptor() : impl_(std::make_unique<Impl>()) {}
StreamDecryptor::~StreamDecryptor() = default;
StreamDecryptor::StreamDecryptor(StreamDecryptor&&) noexcept = default;
StreamDecryptor& StreamDecryptor::operator=(StreamDecryptor&&) noexcept = default;

Result<StreamDecryptor> StreamDecryptor::Create(const SecretBytes& key, ByteSpan header) {
    if (key.Size() != crypto_secretstream_xchacha20poly1305_KEYBYTES) {
        return MakeError(ErrorCode::kInvalidArgument, "stream key must be 32 bytes");
    }
    if (header.size() != kStreamHeaderBytes) {
        return MakeError(ErrorCode::kInvalidArgument, "stream header must be 24 bytes");
    }
    StreamDecryptor dec;
    // init_pull only fails for a malformed header, and any 24 bytes are a well-formed header; a
    // header from another stream shows up as a failed Pull.
    if (crypto_secretstream_xchacha20poly1305_init_pull(
            AsState(dec.impl_->state), header.data(), key.Data()
        ) != 0) {
        return MakeError(ErrorCode::kInvalidArgument, "invalid stream header");
    }
    return dec;
}

Result<Bytes> StreamDecryptor::Pull(ByteSpan chunk) {
    CONCORD_ASSERT(impl_ != nullptr);
    if (impl_->finished) {
        return MakeError(ErrorCode::kInvalidArgument, "stream chunk after the final chunk");
    }
    if (chunk.size() < kStreamChunkOverhead) {
        return MakeError(ErrorCode::kUnauthenticated, "stream chunk is too short to authenticate");
    }
    Bytes out(chunk.size() - kStreamChunkOverhead);
    std::uint8_t empty_out = 0;
    unsigned long long out_len = 0;
    unsigned char tag = 0;
    // On failure libsodium leaves the state untouched, so a bad chunk does not poison the stream.
    if (crypto_secretstream_xchacha20poly1305_pull(
            AsState(impl_->state),
            out.empty() ? &empty_out : out.data(),
            &out_len,
            &tag,
            chunk.data(),
            chunk.size(),
            nullptr,
            0
        ) != 0) {
        return MakeError(
            ErrorCode::kUnauthenticated,
            "stream chunk was altered, reordered or is from another stream"
        );
    }
    CONCORD_ASSERT(out_len == out.size());
    if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
        impl_->finished = true;
    }
    return out;
}

bool StreamDecryptor::Finished() const {
    return impl_ != nullptr && impl_->finished;
}

}  // namespace concord::crypto
