#include "concord/store/store.hpp"

#include <cerrno>
#include <map>
#include <utility>

#include "concord/core/file.hpp"

#include "backends.hpp"
#include <fcntl.h>
#include <unistd.h>

namespace concord::store {

void Transaction::RunCommitHooks() {
    // Move the hooks out first: a hook may register another hook or destroy the transaction's
    // owner, and each hook runs exactly once.
    auto hooks = std::exchange(commit_hooks_, {});
    for (auto& hook : hooks) {
        hook();
    }
}

Result<std::unique_ptr<Store>> Store::Open(const StoreOptions& options) {
    std::string_view url = options.url;
    constexpr std::string_view kSqlitePrefix = "sqlite:";
    if (url.starts_with(kSqlitePrefix)) {
        std::string path(url.substr(kSqlitePrefix.size()));
        if (path.empty()) {
            return MakeError(ErrorCode::kInvalidArgument, "store URL 'sqlite:' names no file");
        }
        return detail::OpenSqliteStore(options, path);
    }
    if (url.starts_with("postgresql://") || url.starts_with("postgres://") ||
        url.find("dbname=") != std::string_view::npos ||
        url.find("host=") != std::string_view::npos) {
        return detail::OpenPostgresStore(options);
    }
    // The URL may carry a password, so it is not echoed back.
    return MakeError(
        ErrorCode::kInvalidArgument,
        "unsupported store URL: expected 'sqlite:PATH', 'postgresql://...' or a libpq keyword "
        "string with dbname= or host="
    );
}

Result<std::unique_ptr<Store>> Store::Open(std::string_view url) {
    StoreOptions options;
    options.url = std::string(url);
    return Open(options);
}

namespace detail {

Result<void> ValidateMigrations(std::span<const Migration> migrations) {
    std::map<std::string, int, std::less<>> last_version;
    for (const Migration& m : migrations) {
        if (m.component.empty() || m.version < 1) {
            return MakeError(
                ErrorCode::kInvalidArgument,
                "migration '" + m.component + "' version " + std::to_string(m.version) +
                    ": component must be non-empty and version >= 1"
            );
        }
        auto [it, inserted] = last_version.try_emplace(m.component, m.version);
        if (!inserted) {
            if (m.version <= it->second) {
                return MakeError(
                    ErrorCode::kInvalidArgument,
                    "migrations of '" + m.component + "' must be listed in increasing version " +
                        "order without duplicates (version " + std::to_string(m.version) +
                        " after " + std::to_string(it->second) + ")"
                );
            }
            it->second = m.version;
        }
    }
    return {};
}

Result<void> SyncFileAndFolder(const std::filesystem::path& file) {
    for (const std::filesystem::path& path : {file, file.parent_path()}) {
        const std::filesystem::path target = path.empty() ? std::filesystem::path(".") : path;
        UniqueFd fd(::open(target.c_str(), O_RDONLY | O_CLOEXEC));
        if (fd.Get() < 0) {
            return FileErrnoError(target, "open", errno);
        }
        if (::fsync(fd.Get()) != 0) {
            return FileErrnoError(target, "fsync", errno);
        }
    }
    return {};
}

}  // namespace detail
}  // namespace concord::store
