#include "concord/app/totp.hpp"

#include <array>
#include <cstdlib>
#include <memory>
#include <mutex>

#include "concord/core/assert.hpp"
#include "concord/crypto/compare.hpp"

#include <liboath/oath.h>

namespace concord::app {
namespace {

// liboath needs oath_init once per process before any other call.
void InitOath() {
    static std::once_flag once;
    std::call_once(once, [] { CONCORD_ASSERT(oath_init() == OATH_OK); });
}

Result<void> CheckParams(ByteSpan secret, std::int64_t unix_seconds, const TotpParams& params) {
    if (params.digits < 6 || params.digits > 8) {
        return MakeError(ErrorCode::kInvalidArgument, "TOTP digits must be 6, 7 or 8");
    }
    if (params.step_seconds < 1) {
        return MakeError(ErrorCode::kInvalidArgument, "TOTP step must be at least 1 second");
    }
    if (unix_seconds < 0) {
        return MakeError(ErrorCode::kInvalidArgument, "TOTP time must not be negative");
    }
    if (secret.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "TOTP secret must not be empty");
    }
    return {};
}

int OathFlags(TotpAlgorithm algorithm) {
    switch (algorithm) {
        case TotpAlgorithm::kSha1:
            return 0;
        case TotpAlgorithm::kSha256:
            return OATH_TOTP_HMAC_SHA256;
        case TotpAlgorithm::kSha512:
            return OATH_TOTP_HMAC_SHA512;
    }
    return 0;
}

std::string_view AlgorithmName(TotpAlgorithm algorithm) {
    switch (algorithm) {
        case TotpAlgorithm::kSha1:
            return "SHA1";
        case TotpAlgorithm::kSha256:
            return "SHA256";
        case TotpAlgorithm::kSha512:
            return "SHA512";
    }
    return "SHA1";
}

// The code of one time step: liboath takes a time, so the start of the step is passed.
std::string CodeAtStep(ByteSpan secret, std::int64_t step, const TotpParams& params) {
    std::array<char, 16> out{};
    const int rc = oath_totp_generate2(
        reinterpret_cast<const char*>(secret.data()),
        secret.size(),
        static_cast<time_t>(step * params.step_seconds),
        static_cast<unsigned>(params.step_seconds),
        0,
        static_cast<unsigned>(params.digits),
        OathFlags(params.algorithm),
        out.data()
    );
    CONCORD_ASSERT(rc == OATH_OK);
    return std::string(out.data());
}

// RFC 3986 unreserved characters pass; everything else is %XX.
std::string PercentEncode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            out += c;
        } else {
            out += '%';
            out += kHex[u >> 4];
            out += kHex[u & 0x0f];
        }
    }
    return out;
}

}  // namespace

std::int64_t TotpStep(std::int64_t unix_seconds, const TotpParams& params) {
    return unix_seconds / params.step_seconds;
}

Result<std::string> TotpCode(ByteSpan secret, std::int64_t unix_seconds, const TotpParams& params) {
    CONCORD_RETURN_IF_ERROR(CheckParams(secret, unix_seconds, params));
    InitOath();
    return CodeAtStep(secret, TotpStep(unix_seconds, params), params);
}

Result<std::int64_t> VerifyTotp(
    ByteSpan secret,
    std::string_view code,
    std::int64_t unix_seconds,
    std::int64_t last_accepted_step,
    const TotpParams& params
) {
    CONCORD_RETURN_IF_ERROR(CheckParams(secret, unix_seconds, params));
    InitOath();
    const std::int64_t now_step = TotpStep(unix_seconds, params);
    // Every step of the window is computed and compared, whatever matches, so the time taken
    // does not tell which step (or whether any) matched.
    std::int64_t matched = -1;
    for (std::int64_t step = now_step - 1; step <= now_step + 1; ++step) {
        if (step < 0) {
            continue;
        }
        const std::string expected = CodeAtStep(secret, step, params);
        if (crypto::ConstantTimeEqual(AsBytes(expected), AsBytes(code)) &&
            step > last_accepted_step && matched < 0) {
            matched = step;
        }
    }
    if (matched < 0) {
        return MakeError(ErrorCode::kUnauthenticated, "one-time code does not match");
    }
    return matched;
}

std::string Base32Encode(ByteSpan data) {
    InitOath();
    char* out = nullptr;
    size_t out_len = 0;
    CONCORD_ASSERT(
        oath_base32_encode(
            reinterpret_cast<const char*>(data.data()), data.size(), &out, &out_len
        ) == OATH_OK
    );
    std::unique_ptr<char, decltype(&std::free)> owned(out, &std::free);
    std::string text(out, out_len);
    while (!text.empty() && text.back() == '=') {
        text.pop_back();
    }
    return text;
}

Result<Bytes> Base32Decode(std::string_view text) {
    InitOath();
    std::string upper;
    for (char c : text) {
        if (c == '=') {
            continue;
        }
        upper += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    }
    // liboath wants whole 8-character blocks: pad again.
    while (upper.size() % 8 != 0) {
        upper += '=';
    }
    char* out = nullptr;
    size_t out_len = 0;
    if (oath_base32_decode(upper.data(), upper.size(), &out, &out_len) != OATH_OK) {
        return MakeError(ErrorCode::kInvalidArgument, "not base32");
    }
    std::unique_ptr<char, decltype(&std::free)> owned(out, &std::free);
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(out);
    return Bytes(bytes, bytes + out_len);
}

std::string OtpauthUri(
    std::string_view issuer, std::string_view account, ByteSpan secret, const TotpParams& params
) {
    std::string uri = "otpauth://totp/" + PercentEncode(issuer) + ":" + PercentEncode(account);
    uri += "?secret=" + Base32Encode(secret);
    uri += "&issuer=" + PercentEncode(issuer);
    uri += "&algorithm=" + std::string(AlgorithmName(params.algorithm));
    uri += "&digits=" + std::to_string(params.digits);
    uri += "&period=" + std::to_string(params.step_seconds);
    return uri;
}

}  // namespace concord::app
