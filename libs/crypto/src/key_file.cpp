#include "concord/crypto/key_file.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <system_error>
#include <utility>

#include <sodium.h>

#include "concord/core/assert.hpp"
#include "concord/core/bytes.hpp"
#include "concord/core/file.hpp"
#include "concord/crypto/random.hpp"
#include "concord/crypto/sha256.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

// Layout and rationale: docs/formats/key-file.md.

namespace concord::crypto {
namespace {

constexpr std::array<std::uint8_t, 8> kMagic = {'C', 'O', 'N', 'C', 'K', 'E', 'Y', 0};
constexpr std::uint16_t kVersion = 1;
constexpr std::size_t kFixedPrefixBytes = 12;  // magic, version, label length
constexpr std::size_t kSaltBytes = crypto_pwhash_SALTBYTES;
constexpr std::size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;
constexpr std::size_t kChecksumBytes = 32;
// ops(4) + mem(8) + salt + nonce + ciphertext length(4), after the label.
constexpr std::size_t kParamsBytes = 4 + 8 + kSaltBytes + kNonceBytes + 4;

constexpr std::size_t kMaxLabelBytes = 255;
constexpr std::size_t kMaxSecretBytes = 4096;
constexpr std::size_t kMaxFileBytes = kFixedPrefixBytes + kMaxLabelBytes + kParamsBytes +
                                      kMaxSecretBytes + kTagBytes + kChecksumBytes;
// A hostile or damaged file must not make us allocate or spin for long before the checks fail.
constexpr std::uint64_t kMaxOpsLimit = 32;
constexpr std::uint64_t kMaxMemLimit = 1ull << 30;  // 1 GiB

static_assert(kSaltBytes == 16 && kNonceBytes == 24 && kTagBytes == 16);

std::ptrdiff_t Offset(std::size_t n) {
    return static_cast<std::ptrdiff_t>(n);
}

bool ParamsInRange(std::uint64_t ops, std::uint64_t mem) {
    return ops >= crypto_pwhash_argon2id_OPSLIMIT_MIN && ops <= kMaxOpsLimit &&
           mem >= crypto_pwhash_argon2id_MEMLIMIT_MIN && mem <= kMaxMemLimit;
}

std::string Quoted(const std::filesystem::path& path) {
    return "key file '" + path.string() + "'";
}

Error FileError(ErrorCode code, const std::filesystem::path& path, std::string_view what) {
    return MakeError(code, Quoted(path) + ": " + std::string(what));
}

Error ErrnoError(const std::filesystem::path& path, std::string_view op, int err) {
    Error error = FileErrnoError(path, op, err);
    error.message = "key file " + error.message;
    return error;
}

}  // namespace

Result<void> KeyFile::Write(
    const std::filesystem::path& path,
    std::string_view label,
    const SecretBytes& secret,
    std::string_view passphrase,
    const Argon2Params& params
) {
    if (label.size() > kMaxLabelBytes) {
        return FileError(ErrorCode::kInvalidArgument, path, "label longer than 255 bytes");
    }
    if (secret.Empty() || secret.Size() > kMaxSecretBytes) {
        return FileError(ErrorCode::kInvalidArgument, path, "secret must be 1 to 4096 bytes");
    }
    if (!ParamsInRange(params.ops_limit, params.mem_limit)) {
        return FileError(
            ErrorCode::kInvalidArgument,
            path,
            "Argon2id parameters outside the key file limits (ops <= 32, mem <= 1 GiB)"
        );
    }
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0) {
        return FileError(ErrorCode::kAlreadyExists, path, "already exists");
    }
    if (errno != ENOENT) {
        return ErrnoError(path, "stat", errno);
    }

    Bytes file;
    file.reserve(kMaxFileBytes);
    file.insert(file.end(), kMagic.begin(), kMagic.end());
    AppendBigEndian<std::uint16_t>(file, kVersion);
    AppendBigEndian<std::uint16_t>(file, static_cast<std::uint16_t>(label.size()));
    const ByteSpan label_bytes = AsBytes(label);
    file.insert(file.end(), label_bytes.begin(), label_bytes.end());
    AppendBigEndian<std::uint32_t>(file, static_cast<std::uint32_t>(params.ops_limit));
    AppendU64BigEndian(file, params.mem_limit);
    const std::size_t salt_at = file.size();
    file.resize(salt_at + kSaltBytes + kNonceBytes);
    RandomFill(std::span(file).subspan(salt_at, kSaltBytes + kNonceBytes));
    const std::size_t ciphertext_len = secret.Size() + kTagBytes;
    AppendBigEndian<std::uint32_t>(file, static_cast<std::uint32_t>(ciphertext_len));
    const std::size_t header_len = file.size();

    CONCORD_ASSIGN_OR_RETURN(
        SecretBytes key, DeriveKey(passphrase, ByteSpan(file).subspan(salt_at, kSaltBytes), params)
    );
    file.resize(header_len + ciphertext_len);
    unsigned long long written = 0;
    CONCORD_ASSERT(
        crypto_aead_xchacha20poly1305_ietf_encrypt(
            file.data() + header_len,
            &written,
            secret.Data(),
            secret.Size(),
            file.data(),
            header_len,
            nullptr,
            file.data() + salt_at + kSaltBytes,
            key.Data()
        ) == 0
    );
    CONCORD_ASSERT(written == ciphertext_len);
    const Hash256 checksum = Sha256(file);
    file.insert(file.end(), checksum.begin(), checksum.end());

    auto stored = WriteFileAtomically(path, file, 0600, ExistingFile::kRefuse);
    if (!stored) {
        return MakeError(stored.error().code, "key file " + stored.error().message);
    }
    return {};
}

Result<KeyFile::Contents> KeyFile::Read(
    const std::filesystem::path& path, std::string_view passphrase
) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.Get() < 0) {
        return ErrnoError(path, "open", errno);
    }
    struct stat st {};
    if (::fstat(fd.Get(), &st) != 0) {
        return ErrnoError(path, "stat", errno);
    }
    if (!S_ISREG(st.st_mode)) {
        return FileError(ErrorCode::kInvalidArgument, path, "not a regular file");
    }
    if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        return FileError(
            ErrorCode::kPermissionDenied, path, "accessible by group or others; run chmod 600 on it"
        );
    }

    Bytes file(kMaxFileBytes + 1);
    std::size_t size = 0;
    while (size < file.size()) {
        const ssize_t n = ::read(fd.Get(), file.data() + size, file.size() - size);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return ErrnoError(path, "read", errno);
        }
        if (n == 0) {
            break;
        }
        size += static_cast<std::size_t>(n);
    }
    if (size > kMaxFileBytes) {
        return FileError(ErrorCode::kCorruption, path, "corrupted: larger than any key file");
    }
    file.resize(size);

    // Every field is checked as soon as it is present, so a file cut short reports "truncated"
    // and a file with wrong bytes reports "corrupted", whatever the cut point.
    const auto truncated = [&] {
        return FileError(ErrorCode::kCorruption, path, "truncated: shorter than its header says");
    };
    const std::size_t magic_seen = std::min(size, kMagic.size());
    if (!std::equal(file.begin(), file.begin() + Offset(magic_seen), kMagic.begin())) {
        return FileError(ErrorCode::kCorruption, path, "corrupted: bad magic");
    }
    if (size < kFixedPrefixBytes) {
        return truncated();
    }
    if (const std::uint16_t version = ReadBigEndian<std::uint16_t>(ByteSpan(file).subspan(8));
        version != kVersion) {
        return FileError(
            ErrorCode::kCorruption, path, "corrupted: unknown version " + std::to_string(version)
        );
    }
    const std::size_t label_len = ReadBigEndian<std::uint16_t>(ByteSpan(file).subspan(10));
    if (label_len > kMaxLabelBytes) {
        return FileError(ErrorCode::kCorruption, path, "corrupted: label too long");
    }
    const std::size_t params_at = kFixedPrefixBytes + label_len;
    const std::size_t header_len = params_at + kParamsBytes;
    if (size < header_len) {
        return truncated();
    }
    const std::uint64_t ops = ReadBigEndian<std::uint32_t>(ByteSpan(file).subspan(params_at));
    const std::uint64_t mem = ReadU64BigEndian(ByteSpan(file).subspan(params_at + 4, 8));
    const std::size_t salt_at = params_at + 12;
    const std::size_t nonce_at = salt_at + kSaltBytes;
    const std::size_t ciphertext_len =
        ReadBigEndian<std::uint32_t>(ByteSpan(file).subspan(nonce_at + kNonceBytes));
    if (ciphertext_len <= kTagBytes || ciphertext_len > kMaxSecretBytes + kTagBytes) {
        return FileError(ErrorCode::kCorruption, path, "corrupted: bad ciphertext length");
    }
    const std::size_t checksum_at = header_len + ciphertext_len;
    if (size < checksum_at + kChecksumBytes) {
        return truncated();
    }
    if (size > checksum_at + kChecksumBytes) {
        return FileError(ErrorCode::kCorruption, path, "corrupted: trailing bytes");
    }
    const Hash256 checksum = Sha256(ByteSpan(file).first(checksum_at));
    // The checksum is not secret and not a MAC; it only tells damage from a wrong passphrase.
    if (!std::equal(checksum.begin(), checksum.end(), file.begin() + Offset(checksum_at))) {
        return FileError(ErrorCode::kCorruption, path, "corrupted: checksum mismatch");
    }
    // Checked after the checksum so a damaged number reads as damage, and before Argon2id runs:
    // the checksum is unkeyed, so anyone can write a file asking for absurd work.
    if (!ParamsInRange(ops, mem)) {
        return FileError(
            ErrorCode::kCorruption,
            path,
            "corrupted: Argon2id parameters outside the accepted range"
        );
    }

    CONCORD_ASSIGN_OR_RETURN(
        SecretBytes key,
        DeriveKey(
            passphrase,
            ByteSpan(file).subspan(salt_at, kSaltBytes),
            Argon2Params{.ops_limit = ops, .mem_limit = mem}
        )
    );
    Contents contents;
    contents.label.assign(reinterpret_cast<const char*>(&file[kFixedPrefixBytes]), label_len);
    contents.secret = SecretBytes(ciphertext_len - kTagBytes);
    unsigned long long secret_len = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            contents.secret.Data(),
            &secret_len,
            nullptr,
            &file[header_len],
            ciphertext_len,
            file.data(),
            header_len,
            &file[nonce_at],
            key.Data()
        ) != 0) {
        return FileError(
            ErrorCode::kUnauthenticated, path, "wrong passphrase (the file checksum is intact)"
        );
    }
    CONCORD_ASSERT(secret_len == contents.secret.Size());
    return contents;
}

}  // namespace concord::crypto
