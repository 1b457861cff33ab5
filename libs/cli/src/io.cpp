#include "io.hpp"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "concord/core/file.hpp"
#include "concord/crypto/base64.hpp"
#include "concord/crypto/ed25519.hpp"

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
        // NOLINTNEXTLINE(concurrency-mt-unsafe): nothing in this process calls setenv
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

Result<federation::Directory> ReadTrustedDirectory(
    const std::filesystem::path& path, const std::vector<std::string>& trusted_keys
) {
    std::vector<crypto::PublicKey> trusted;
    for (const auto& k : trusted_keys) {
        CONCORD_ASSIGN_OR_RETURN(Bytes bytes, crypto::Base64Decode(k));
        CONCORD_ASSIGN_OR_RETURN(crypto::PublicKey key, crypto::PublicKey::FromBytes(bytes));
        trusted.push_back(key);
    }
    CONCORD_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
    return federation::VerifyDirectory(text, trusted);
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
