#include "io.hpp"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "concord/core/file.hpp"

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
    return WriteFileAtomically(path, AsBytes(data), 0644, ExistingFile::kReplace);
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
