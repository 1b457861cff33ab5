#pragma once

#include <array>
#include <cstdint>
#include <memory>

#include "concord/core/bytes.hpp"
#include "concord/core/result.hpp"
#include "concord/crypto/secret_bytes.hpp"

namespace concord::crypto {

/// Size of the secretstream header written before the first chunk.
inline constexpr std::size_t kStreamHeaderBytes = 24;
/// Bytes an encrypted chunk adds to its plaintext.
inline constexpr std::size_t kStreamChunkOverhead = 17;

/// A fresh random 32-byte stream key.
SecretBytes GenerateStreamKey();

/// Encrypts a stream of chunks with libsodium's XChaCha20-Poly1305 secretstream. The last chunk
/// is pushed with `final = true`; a stream whose final tag is missing fails to decrypt (no
/// truncation). Memory use is constant. Not thread-safe.
class StreamDecryptor;

class StreamEncryptor {
public:
    /// kInvalidArgument if `key` is not 32 bytes.
    static Result<StreamEncryptor> Create(const SecretBytes& key);
    /// The encryptor that goes on where `pulled` stands: the chunks it pushes are the ones that
    /// follow, in the same stream, the chunks `pulled` has decrypted (secretstream's state moves
    /// the same way when a chunk is pushed as when it is pulled), and Header() is `header`. For
    /// a stream whose first chunks were stored before an interruption: they are checked by
    /// pulling them, then the stream is continued. kInvalidArgument once `pulled` has taken the
    /// final chunk, or for a header that is not kStreamHeaderBytes long.
    static Result<StreamEncryptor> ContinueAfter(const StreamDecryptor& pulled, ByteSpan header);
    ~StreamEncryptor();
    StreamEncryptor(StreamEncryptor&&) noexcept;
    StreamEncryptor& operator=(StreamEncryptor&&) noexcept;
    StreamEncryptor(const StreamEncryptor&) = delete;
    StreamEncryptor& operator=(const StreamEncryptor&) = delete;

    /// The header to store or send before the chunks.
    [[nodiscard]] const std::array<std::uint8_t, kStreamHeaderBytes>& Header() const;
    /// Encrypts one chunk; the output is plaintext.size() + kStreamChunkOverhead bytes.
    Bytes Push(ByteSpan plaintext, bool final);

private:
    StreamEncryptor();
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// Decrypts what StreamEncryptor produced, chunk by chunk. Not thread-safe.
class StreamDecryptor {
public:
    /// kInvalidArgument if `key` is not 32 bytes or the header is not kStreamHeaderBytes long.
    static Result<StreamDecryptor> Create(const SecretBytes& key, ByteSpan header);
    ~StreamDecryptor();
    StreamDecryptor(StreamDecryptor&&) noexcept;
    StreamDecryptor& operator=(StreamDecryptor&&) noexcept;
    StreamDecryptor(const StreamDecryptor&) = delete;
    StreamDecryptor& operator=(const StreamDecryptor&) = delete;

    /// Decrypts one chunk. kUnauthenticated if it was altered, reordered or is from another stream;
    /// kInvalidArgument if a chunk arrives after the final one.
    Result<Bytes> Pull(ByteSpan chunk);
    /// True once the chunk tagged final has been pulled.
    [[nodiscard]] bool Finished() const;

private:
    friend class StreamEncryptor;
    StreamDecryptor();
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace concord::crypto
