#include "io.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

namespace concord::cli {

Result<std::string> ReadFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return MakeError(
            std::filesystem::exists(path) ? ErrorCode::kUnavailable : ErrorCode::kNotFound,
            "cannot read " + path.string()
        );
    }
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string ReadAll(std::istream& in) {
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

Result<void> WriteFile(const std::filesystem::path& path, std::string_view data) {
    std::filesystem::path tmp = path;
    tmp += ".tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        return MakeError(ErrorCode::kUnavailable, "cannot create " + tmp.string() + ": " + std::strerror(errno));
    }
    std::size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            ::close(fd);
            return MakeError(ErrorCode::kUnavailable, "cannot write " + tmp.string());
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        return MakeError(ErrorCode::kUnavailable, "cannot sync " + tmp.string());
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        return MakeError(ErrorCode::kUnavailable, "cannot rename to " + path.string());
    }
    return {};
}

Result<std::string> ReadPassphrase(const std::string& passphrase_file) {
    std::string pass;
    if (!passphrase_file.empty()) {
        CONCORD_ASSIGN_OR_RETURN(pass, ReadFile(passphrase_file));
    } else if (const char* env = std::getenv("CONCORD_PASSPHRASE"); env != nullptr) {
        pass = env;
    } else {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "no passphrase: use --passphrase-file or set CONCORD_PASSPHRASE"
        );
    }
    while (!pass.empty() && (pass.back() == '\n' || pass.back() == '\r')) {
        pass.pop_back();
    }
    if (pass.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "the passphrase is empty");
    }
    return pass;
}

int ReportError(std::ostream& err, const Error& error) {
    err << "concord: " << error.ToString() << "\n";
    switch (error.code) {
        case ErrorCode::kUnauthenticated:
        case ErrorCode::kCorruption:
            return kExitInvalid;
        default:
            return kExitUsage;
    }
}

}  // namespace concord::cli
