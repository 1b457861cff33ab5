#include "concord/net/tls.hpp"

#include <gtest/gtest.h>

namespace concord::net {
namespace {

TEST(Tls, GeneratesASelfSignedCertificateWithAMatchingFingerprint) {
    auto identity = GenerateSelfSignedCertificate(
        "node-a", {"127.0.0.1", "::1", "localhost"}, std::chrono::hours(24)
    );
    ASSERT_TRUE(identity.has_value()) << identity.error().ToString();
    EXPECT_NE(identity->cert_pem.find("BEGIN CERTIFICATE"), std::string::npos);
    EXPECT_NE(identity->key_pem.find("BEGIN PRIVATE KEY"), std::string::npos);
    ASSERT_EQ(identity->sha256_fingerprint.size(), 64u);
    EXPECT_EQ(
        identity->sha256_fingerprint.find_first_not_of("0123456789abcdef"), std::string::npos
    );
    auto fingerprint = CertificateFingerprint(identity->cert_pem);
    ASSERT_TRUE(fingerprint.has_value());
    EXPECT_EQ(*fingerprint, identity->sha256_fingerprint);

    auto other = GenerateSelfSignedCertificate("node-a", {"127.0.0.1"}, std::chrono::hours(24));
    ASSERT_TRUE(other.has_value());
    EXPECT_NE(other->sha256_fingerprint, identity->sha256_fingerprint);
}

TEST(Tls, RejectsBadInput) {
    EXPECT_EQ(
        GenerateSelfSignedCertificate("", {}, std::chrono::hours(1)).error().code,
        ErrorCode::kInvalidArgument
    );
    EXPECT_EQ(
        GenerateSelfSignedCertificate("n", {}, std::chrono::hours(0)).error().code,
        ErrorCode::kInvalidArgument
    );
    EXPECT_EQ(
        GenerateSelfSignedCertificate("n", {"a,DNS:evil"}, std::chrono::hours(1)).error().code,
        ErrorCode::kInvalidArgument
    );
    EXPECT_EQ(CertificateFingerprint("not a pem").error().code, ErrorCode::kInvalidArgument);
}

TEST(Tls, NormalizeFingerprintIgnoresCaseAndColons) {
    EXPECT_EQ(NormalizeFingerprint("AB:cd:0F"), "abcd0f");
    EXPECT_EQ(NormalizeFingerprint("ab cd"), "abcd");
}

}  // namespace
}  // namespace concord::net
