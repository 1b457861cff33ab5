#include "concord/core/file.hpp"

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <string>
#include <system_error>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace concord {

Error FileErrnoError(const std::filesystem::path& path, std::string_view op, int err) {
    ErrorCode code = ErrorCode::kUnavailable;
    if (err == ENOENT) {
        code = ErrorCode::kNotFound;
    } else if (err == EACCES || err == EPERM) {
        code = ErrorCode::kPermissionDenied;
    } else if (err == EEXIST) {
        code = ErrorCode::kAlreadyExists;
    }
    return MakeError(
        code,
        "'" + path.string() + "': " + std::string(op) + ": " + std::generic_category().message(err)
    );
}

Result<void> WriteAll(int fd, ByteSpan data, const std::filesystem::path& path) {
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return FileErrnoError(path, "write", errno);
        }
        done += static_cast<std::size_t>(n);
    }
    return {};
}

namespace {

// Moves `from` to `to` atomically without ever replacing an existing `to`; -1 with errno set.
int RenameNoReplace(const std::filesystem::path& from, const std::filesystem::path& to) {
    if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) {
        return 0;
    }
    if (errno != EINVAL && errno != ENOSYS) {
        return -1;
    }
    // The file system lacks RENAME_NOREPLACE; link(2) is atomic and refuses to clobber too.
    if (::link(from.c_str(), to.c_str()) != 0) {
        return -1;
    }
    ::unlink(from.c_str());
    return 0;
}

}  // namespace

UniqueFd::~UniqueFd() {
    if (fd_ >= 0) {
        ::close(fd_);
    }
}

int UniqueFd::Close() {
    return ::close(std::exchange(fd_, -1));
}

Result<void> WriteFileAtomically(
    const std::filesystem::path& path, ByteSpan data, unsigned mode, ExistingFile existing
) {
    static std::atomic<std::uint64_t> counter{0};
    std::filesystem::path dir = path.parent_path();
    if (dir.empty()) {
        dir = ".";
    }
    // O_EXCL makes a clash with another writer's temporary file an error, never a shared file.
    const std::filesystem::path temp =
        dir / ("." + path.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
               std::to_string(counter.fetch_add(1)));
    UniqueFd fd(::open(
        temp.c_str(),
        O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
        static_cast<mode_t>(mode)
    ));
    if (fd.Get() < 0) {
        return FileErrnoError(path, "create temporary file", errno);
    }
    auto written = [&]() -> Result<void> {
        CONCORD_RETURN_IF_ERROR(WriteAll(fd.Get(), data, path));
        if (::fsync(fd.Get()) != 0) {
            return FileErrnoError(path, "fsync", errno);
        }
        if (fd.Close() != 0) {
            return FileErrnoError(path, "close", errno);
        }
        const int moved = existing == ExistingFile::kRefuse ? RenameNoReplace(temp, path)
                                                            : ::rename(temp.c_str(), path.c_str());
        if (moved != 0) {
            return FileErrnoError(
                path, existing == ExistingFile::kRefuse ? "create" : "rename", errno
            );
        }
        return {};
    }();
    if (!written) {
        ::unlink(temp.c_str());
        return written;
    }
    UniqueFd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dfd.Get() < 0 || ::fsync(dfd.Get()) != 0) {
        return FileErrnoError(path, "fsync directory", errno);
    }
    return {};
}

}  // namespace concord
