#include "concord/app/totp.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace concord::app {
namespace {

struct Vector {
    std::int64_t time{0};
    std::int64_t step{0};
    std::string code;
    TotpAlgorithm algorithm{TotpAlgorithm::kSha1};
};

// tests/vectors/rfc6238/totp.txt: "unix_time step_hex totp mode" per line, '#' comments.
std::vector<Vector> ReadVectors() {
    std::ifstream in(std::filesystem::path(CONCORD_SOURCE_DIR) / "tests/vectors/rfc6238/totp.txt");
    EXPECT_TRUE(in.good());
    std::vector<Vector> vectors;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') {
            continue;
        }
        std::istringstream fields(line);
        Vector v;
        std::string step_hex;
        std::string mode;
        fields >> v.time >> step_hex >> v.code >> mode;
        v.step = static_cast<std::int64_t>(std::stoull(step_hex, nullptr, 16));
        v.algorithm = mode == "SHA256"   ? TotpAlgorithm::kSha256
                      : mode == "SHA512" ? TotpAlgorithm::kSha512
                                         : TotpAlgorithm::kSha1;
        EXPECT_TRUE(mode == "SHA1" || mode == "SHA256" || mode == "SHA512") << line;
        vectors.push_back(v);
    }
    return vectors;
}

// The seeds of RFC 6238 Appendix A's reference implementation, per HMAC.
Bytes Seed(TotpAlgorithm algorithm) {
    switch (algorithm) {
        case TotpAlgorithm::kSha1:
            return ToBytes("12345678901234567890");
        case TotpAlgorithm::kSha256:
            return ToBytes("12345678901234567890123456789012");
        case TotpAlgorithm::kSha512:
            return ToBytes("1234567890123456789012345678901234567890123456789012345678901234");
    }
    return {};
}

TEST(Totp, MatchesEveryRfc6238AppendixBValue) {
    const auto vectors = ReadVectors();
    ASSERT_EQ(vectors.size(), 18u);
    for (const Vector& v : vectors) {
        const TotpParams params{v.algorithm, 8, 30};
        EXPECT_EQ(TotpStep(v.time, params), v.step) << v.time;
        auto code = TotpCode(Seed(v.algorithm), v.time, params);
        ASSERT_TRUE(code) << code.error().message;
        EXPECT_EQ(*code, v.code) << v.time;
        auto step = VerifyTotp(Seed(v.algorithm), v.code, v.time, 0, params);
        ASSERT_TRUE(step) << v.time;
        EXPECT_EQ(*step, v.step);
    }
}

TEST(Totp, AcceptsOneStepOfDriftEitherWayAndNoMore) {
    const Bytes seed = Seed(TotpAlgorithm::kSha1);
    const TotpParams params{TotpAlgorithm::kSha1, 8, 30};
    // 1111111109 is step 0x23523EC; its code is also valid 30 s before and after.
    const std::string code = "07081804";
    const std::int64_t step = 0x23523EC;
    EXPECT_EQ(*VerifyTotp(seed, code, 1111111109 - 30, 0, params), step);
    EXPECT_EQ(*VerifyTotp(seed, code, 1111111109 + 30, 0, params), step);
    EXPECT_EQ(
        VerifyTotp(seed, code, 1111111109 - 60, 0, params).error().code, ErrorCode::kUnauthenticated
    );
    EXPECT_EQ(
        VerifyTotp(seed, code, 1111111109 + 60, 0, params).error().code, ErrorCode::kUnauthenticated
    );
}

TEST(Totp, RefusesACodeOfAStepAlreadyAccepted) {
    const Bytes seed = Seed(TotpAlgorithm::kSha1);
    const TotpParams params{TotpAlgorithm::kSha1, 8, 30};
    const std::int64_t step = 0x23523EC;
    EXPECT_TRUE(VerifyTotp(seed, "07081804", 1111111109, step - 1, params));
    EXPECT_EQ(
        VerifyTotp(seed, "07081804", 1111111109, step, params).error().code,
        ErrorCode::kUnauthenticated
    );
    // The next step's code is still accepted after this one was used.
    EXPECT_TRUE(VerifyTotp(seed, "14050471", 1111111111, step, params));
}

TEST(Totp, RefusesWrongCodesAndBadParameters) {
    const Bytes seed = Seed(TotpAlgorithm::kSha1);
    const TotpParams params{TotpAlgorithm::kSha1, 8, 30};
    for (const std::string code : {"07081805", "7081804", "", "070818040", "abcdefgh"}) {
        EXPECT_EQ(
            VerifyTotp(seed, code, 1111111109, 0, params).error().code, ErrorCode::kUnauthenticated
        ) << code;
    }
    EXPECT_EQ(
        TotpCode(seed, 59, {TotpAlgorithm::kSha1, 5, 30}).error().code, ErrorCode::kInvalidArgument
    );
    EXPECT_EQ(
        TotpCode(seed, 59, {TotpAlgorithm::kSha1, 6, 0}).error().code, ErrorCode::kInvalidArgument
    );
    EXPECT_EQ(TotpCode(seed, -1, params).error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(TotpCode({}, 59, params).error().code, ErrorCode::kInvalidArgument);
    // Six digits by default: the last six of the eight-digit value (RFC 4226 truncation).
    EXPECT_EQ(*TotpCode(seed, 59), "287082");
}

TEST(Totp, Base32RoundTripsAndRefusesOtherText) {
    const Bytes seed = Seed(TotpAlgorithm::kSha1);
    const std::string text = Base32Encode(seed);
    EXPECT_EQ(text, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");  // RFC 4648 §6 alphabet, no padding
    EXPECT_EQ(*Base32Decode(text), seed);
    EXPECT_EQ(*Base32Decode("gezdgnbvgy3tqojqgezdgnbvgy3tqojq"), seed);
    EXPECT_EQ(Base32Encode(ToBytes("f")), "MY");
    EXPECT_EQ(*Base32Decode("MY"), ToBytes("f"));
    EXPECT_EQ(Base32Decode("M1!").error().code, ErrorCode::kInvalidArgument);
}

TEST(Totp, OtpauthUriNamesIssuerAccountAndParameters) {
    const std::string uri = OtpauthUri("fr.central", "alice b", Seed(TotpAlgorithm::kSha1));
    EXPECT_EQ(
        uri,
        "otpauth://totp/fr.central:alice%20b?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
        "&issuer=fr.central&algorithm=SHA1&digits=6&period=30"
    );
}

}  // namespace
}  // namespace concord::app
