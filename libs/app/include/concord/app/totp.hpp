#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "concord/core/bytes.hpp"
#include "concord/core/result.hpp"

namespace concord::app {

/// The HMAC of a TOTP (RFC 6238 §1.2); authenticator apps support SHA-1 universally.
enum class TotpAlgorithm { kSha1, kSha256, kSha512 };

/// TOTP parameters. Concord enrols users with the defaults (SHA-1, 6 digits, 30 s).
struct TotpParams {
    TotpAlgorithm algorithm{TotpAlgorithm::kSha1};
    int digits{6};                  ///< 6, 7 or 8
    std::int64_t step_seconds{30};  ///< X in RFC 6238 §4.1
};

/// Bytes of a freshly generated TOTP secret (160 bits, RFC 4226 §4 recommends at least 128).
inline constexpr std::size_t kTotpSecretBytes = 20;

/// The TOTP of `secret` at `unix_seconds` (T0 = 0), computed by liboath.
/// kInvalidArgument for digits outside 6..8, a step below 1, a negative time or an empty secret.
Result<std::string> TotpCode(
    ByteSpan secret, std::int64_t unix_seconds, const TotpParams& params = {}
);

/// The time step (RFC 6238 T) of `unix_seconds`.
std::int64_t TotpStep(std::int64_t unix_seconds, const TotpParams& params = {});

/// Checks `code` against the steps T-1, T and T+1 around `unix_seconds` (clock drift of one step
/// either way) and returns the step that matched. A step at or before `last_accepted_step` is
/// refused, so a code is accepted once only (RFC 6238 §5.2). Comparisons are constant-time.
/// kUnauthenticated if no step in the window matches (or only a used one); kInvalidArgument as
/// for TotpCode.
Result<std::int64_t> VerifyTotp(
    ByteSpan secret,
    std::string_view code,
    std::int64_t unix_seconds,
    std::int64_t last_accepted_step,
    const TotpParams& params = {}
);

/// RFC 4648 base32 without padding, as otpauth:// URIs carry secrets.
std::string Base32Encode(ByteSpan data);
/// Decodes base32 (padding and case are ignored). kInvalidArgument if it is not base32.
Result<Bytes> Base32Decode(std::string_view text);

/// The enrolment URI authenticator apps read ("Key Uri Format"):
/// otpauth://totp/ISSUER:ACCOUNT?secret=BASE32&issuer=ISSUER&algorithm=SHA1&digits=6&period=30,
/// with the label and issuer percent-encoded.
std::string OtpauthUri(
    std::string_view issuer,
    std::string_view account,
    ByteSpan secret,
    const TotpParams& params = {}
);

}  // namespace concord::app
