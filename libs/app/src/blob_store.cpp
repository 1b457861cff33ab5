#include "concord/app/blob_store.hpp"

#include <array>
#include <cerrno>
#include <system_error>
#include <vector>

#include "concord/core/file.hpp"
#include "concord/core/id.hpp"
#include "concord/crypto/sha256.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace concord::app {
namespace {

constexpr std::size_t kReadPiece = std::size_t{1} << 20;

Error NotAnAddress(std::string_view address) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        "blob address must be 64 lower-case hex digits, got " + std::to_string(address.size()) +
            " characters"
    );
}

Result<void> SyncFolder(const std::filesystem::path& folder) {
    UniqueFd fd(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.Get() < 0 || ::fsync(fd.Get()) != 0) {
        return FileErrnoError(folder, "fsync", errno);
    }
    return {};
}

Result<void> MakePrivateFolder(const std::filesystem::path& folder) {
    if (::mkdir(folder.c_str(), 0700) != 0 && errno != EEXIST) {
        return FileErrnoError(folder, "mkdir", errno);
    }
    struct stat st {};
    if (::stat(folder.c_str(), &st) != 0) {
        return FileErrnoError(folder, "stat", errno);
    }
    if (!S_ISDIR(st.st_mode)) {
        return MakeError(ErrorCode::kInvalidArgument, "'" + folder.string() + "' is not a folder");
    }
    if ((st.st_mode & 0077) != 0) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "'" + folder.string() + "' is open to other users (mode must be 0700)"
        );
    }
    return {};
}

class FileBlobWriter final : public BlobWriter {
public:
    FileBlobWriter(std::filesystem::path temp, int fd, const DirectoryBlobStore& store)
        : temp_(std::move(temp)), fd_(fd), store_(store) {}
    ~FileBlobWriter() override {
        if (!committed_) {
            ::unlink(temp_.c_str());
        }
    }
    FileBlobWriter(const FileBlobWriter&) = delete;
    FileBlobWriter& operator=(const FileBlobWriter&) = delete;

    Result<void> Append(ByteSpan bytes) override {
        if (spent_) {
            return MakeError(ErrorCode::kInternal, "blob writer used after Commit");
        }
        if (auto written = WriteAll(fd_.Get(), bytes, temp_); !written) {
            spent_ = true;
            return written;
        }
        hasher_.Update(bytes);
        size_ += bytes.size();
        return {};
    }

    Result<std::string> Commit() override {
        if (spent_) {
            return MakeError(ErrorCode::kInternal, "blob writer used after Commit");
        }
        spent_ = true;
        if (::fsync(fd_.Get()) != 0) {
            return FileErrnoError(temp_, "fsync", errno);
        }
        if (fd_.Close() != 0) {
            return FileErrnoError(temp_, "close", errno);
        }
        const std::string address = HexEncode(hasher_.Finish());
        const auto target = store_.PathOf(address);
        CONCORD_RETURN_IF_ERROR(MakePrivateFolder(target.parent_path()));
        if (::rename(temp_.c_str(), target.c_str()) != 0) {
            return FileErrnoError(target, "rename", errno);
        }
        committed_ = true;
        CONCORD_RETURN_IF_ERROR(SyncFolder(target.parent_path()));
        return address;
    }

    [[nodiscard]] std::uint64_t Size() const override { return size_; }

private:
    std::filesystem::path temp_;
    UniqueFd fd_;
    const DirectoryBlobStore& store_;
    crypto::Sha256Hasher hasher_;
    std::uint64_t size_{0};
    bool spent_{false};
    bool committed_{false};
};

class FileBlobReader final : public BlobReader {
public:
    FileBlobReader(std::filesystem::path path, int fd, std::uint64_t size)
        : path_(std::move(path)), fd_(fd), size_(size) {}

    Result<std::size_t> Read(std::span<std::uint8_t> out) override {
        for (;;) {
            const ssize_t n = ::read(fd_.Get(), out.data(), out.size());
            if (n >= 0) {
                return static_cast<std::size_t>(n);
            }
            if (errno != EINTR) {
                return FileErrnoError(path_, "read", errno);
            }
        }
    }

    Result<void> Seek(std::uint64_t offset) override {
        if (offset > size_) {
            return MakeError(
                ErrorCode::kInvalidArgument,
                "offset " + std::to_string(offset) + " is past the end of a blob of " +
                    std::to_string(size_) + " bytes"
            );
        }
        if (::lseek(fd_.Get(), static_cast<off_t>(offset), SEEK_SET) < 0) {
            return FileErrnoError(path_, "lseek", errno);
        }
        return {};
    }

    [[nodiscard]] std::uint64_t Size() const override { return size_; }

private:
    std::filesystem::path path_;
    UniqueFd fd_;
    std::uint64_t size_;
};

class FilePartialBlob final : public PartialBlob {
public:
    FilePartialBlob(
        std::filesystem::path path, int fd, std::uint64_t size, const DirectoryBlobStore& store
    )
        : path_(std::move(path)), fd_(fd), size_(size), store_(store) {}

    [[nodiscard]] std::uint64_t Size() const override { return size_; }

    Result<std::size_t> ReadAt(std::uint64_t offset, std::span<std::uint8_t> out) override {
        for (;;) {
            const ssize_t n =
                ::pread(fd_.Get(), out.data(), out.size(), static_cast<off_t>(offset));
            if (n >= 0) {
                return static_cast<std::size_t>(n);
            }
            if (errno != EINTR) {
                return FileErrnoError(path_, "read", errno);
            }
        }
    }

    Result<void> Truncate(std::uint64_t size) override {
        if (size > size_) {
            return MakeError(ErrorCode::kInternal, "partial blob truncated past its end");
        }
        if (::ftruncate(fd_.Get(), static_cast<off_t>(size)) != 0) {
            return FileErrnoError(path_, "ftruncate", errno);
        }
        size_ = size;
        return {};
    }

    Result<void> Append(ByteSpan bytes) override {
        if (::lseek(fd_.Get(), static_cast<off_t>(size_), SEEK_SET) < 0) {
            return FileErrnoError(path_, "lseek", errno);
        }
        CONCORD_RETURN_IF_ERROR(WriteAll(fd_.Get(), bytes, path_));
        size_ += bytes.size();
        return {};
    }

    Result<void> Sync() override {
        if (::fsync(fd_.Get()) != 0) {
            return FileErrnoError(path_, "fsync", errno);
        }
        return {};
    }

    Result<void> CommitAs(std::string_view address) override {
        if (!IsBlobAddress(address)) {
            return MakeError(ErrorCode::kInvalidArgument, "not a blob address");
        }
        CONCORD_RETURN_IF_ERROR(Sync());
        const auto target = store_.PathOf(address);
        CONCORD_RETURN_IF_ERROR(MakePrivateFolder(target.parent_path()));
        if (::rename(path_.c_str(), target.c_str()) != 0) {
            return FileErrnoError(target, "rename", errno);
        }
        CONCORD_RETURN_IF_ERROR(SyncFolder(target.parent_path()));
        return SyncFolder(path_.parent_path());
    }

private:
    std::filesystem::path path_;
    UniqueFd fd_;
    std::uint64_t size_;
    const DirectoryBlobStore& store_;
};

bool IsPartialName(std::string_view name) {
    if (name.empty() || name.size() > 100 || name == "." || name == "..") {
        return false;
    }
    for (char c : name) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-')) {
            return false;
        }
    }
    return true;
}

}  // namespace

bool IsBlobAddress(std::string_view text) {
    if (text.size() != 64) {
        return false;
    }
    for (char c : text) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return true;
}

Result<void> BlobStore::Verify(std::string_view address) {
    CONCORD_ASSIGN_OR_RETURN(std::unique_ptr<BlobReader> reader, Open(address));
    crypto::Sha256Hasher hasher;
    std::vector<std::uint8_t> piece(kReadPiece);
    for (;;) {
        CONCORD_ASSIGN_OR_RETURN(std::size_t n, reader->Read(piece));
        if (n == 0) {
            break;
        }
        hasher.Update(ByteSpan(piece.data(), n));
    }
    if (HexEncode(hasher.Finish()) != address) {
        return MakeError(
            ErrorCode::kCorruption,
            "blob " + std::string(address) + ": its bytes no longer hash to its address"
        );
    }
    return {};
}

Result<std::unique_ptr<DirectoryBlobStore>> DirectoryBlobStore::OpenFolder(
    const std::filesystem::path& root
) {
    CONCORD_RETURN_IF_ERROR(MakePrivateFolder(root));
    CONCORD_RETURN_IF_ERROR(MakePrivateFolder(root / "sha256"));
    CONCORD_RETURN_IF_ERROR(MakePrivateFolder(root / "tmp"));
    CONCORD_RETURN_IF_ERROR(MakePrivateFolder(root / "partial"));
    std::error_code ec;
    for (const auto& leftover : std::filesystem::directory_iterator(root / "tmp", ec)) {
        std::filesystem::remove(leftover.path(), ec);
    }
    return std::unique_ptr<DirectoryBlobStore>(new DirectoryBlobStore(root));
}

std::filesystem::path DirectoryBlobStore::PathOf(std::string_view address) const {
    return root_ / "sha256" / std::string(address.substr(0, 2)) / std::string(address);
}

Result<std::unique_ptr<BlobWriter>> DirectoryBlobStore::Create() {
    const auto temp = root_ / "tmp" / (NewUuidV7() + ".part");
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        return FileErrnoError(temp, "open", errno);
    }
    return std::unique_ptr<BlobWriter>(std::make_unique<FileBlobWriter>(temp, fd, *this));
}

Result<std::unique_ptr<BlobReader>> DirectoryBlobStore::Open(std::string_view address) {
    if (!IsBlobAddress(address)) {
        return NotAnAddress(address);
    }
    const auto path = PathOf(address);
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return FileErrnoError(path, "open", errno);
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int err = errno;
        ::close(fd);
        return FileErrnoError(path, "fstat", err);
    }
    return std::unique_ptr<BlobReader>(
        std::make_unique<FileBlobReader>(path, fd, static_cast<std::uint64_t>(st.st_size))
    );
}

Result<bool> DirectoryBlobStore::Contains(std::string_view address) {
    if (!IsBlobAddress(address)) {
        return NotAnAddress(address);
    }
    struct stat st {};
    if (::stat(PathOf(address).c_str(), &st) == 0) {
        return true;
    }
    if (errno == ENOENT) {
        return false;
    }
    return FileErrnoError(PathOf(address), "stat", errno);
}

Result<void> DirectoryBlobStore::Remove(std::string_view address) {
    if (!IsBlobAddress(address)) {
        return NotAnAddress(address);
    }
    const auto path = PathOf(address);
    if (::unlink(path.c_str()) != 0) {
        return errno == ENOENT ? Result<void>{} : FileErrnoError(path, "unlink", errno);
    }
    return SyncFolder(path.parent_path());
}

Result<std::unique_ptr<PartialBlob>> DirectoryBlobStore::OpenPartial(std::string_view name) {
    if (!IsPartialName(name)) {
        return MakeError(ErrorCode::kInvalidArgument, "bad partial blob name");
    }
    const auto path = root_ / "partial" / std::string(name);
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        return FileErrnoError(path, "open", errno);
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int err = errno;
        ::close(fd);
        return FileErrnoError(path, "fstat", err);
    }
    return std::unique_ptr<PartialBlob>(
        std::make_unique<FilePartialBlob>(path, fd, static_cast<std::uint64_t>(st.st_size), *this)
    );
}

Result<std::uint64_t> DirectoryBlobStore::PartialSize(std::string_view name) {
    if (!IsPartialName(name)) {
        return MakeError(ErrorCode::kInvalidArgument, "bad partial blob name");
    }
    const auto path = root_ / "partial" / std::string(name);
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        if (errno == ENOENT) {
            return std::uint64_t{0};
        }
        return FileErrnoError(path, "stat", errno);
    }
    return static_cast<std::uint64_t>(st.st_size);
}

Result<std::vector<std::string>> DirectoryBlobStore::PartialNames() {
    std::vector<std::string> names;
    std::error_code ec;
    for (std::filesystem::directory_iterator it(root_ / "partial", ec), end; !ec && it != end;
         it.increment(ec)) {
        std::string name = it->path().filename().string();
        if (IsPartialName(name)) {
            names.push_back(std::move(name));
        }
    }
    if (ec) {
        return MakeError(
            ErrorCode::kUnavailable,
            "cannot list " + (root_ / "partial").string() + ": " + ec.message()
        );
    }
    return names;
}

Result<void> DirectoryBlobStore::RemovePartial(std::string_view name) {
    if (!IsPartialName(name)) {
        return MakeError(ErrorCode::kInvalidArgument, "bad partial blob name");
    }
    const auto path = root_ / "partial" / std::string(name);
    if (::unlink(path.c_str()) != 0) {
        return errno == ENOENT ? Result<void>{} : FileErrnoError(path, "unlink", errno);
    }
    return SyncFolder(path.parent_path());
}

}  // namespace concord::app
