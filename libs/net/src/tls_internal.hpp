#pragma once

#include <string>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "concord/core/result.hpp"

namespace concord::net::detail {

/// Lower-case hex SHA-256 of the certificate's DER.
Result<std::string> FingerprintOf(X509* cert);

/// The TLS 1.2 suites Concord offers and accepts: ECDHE key exchange with AEAD ciphers only
/// (no CBC, no SHA-1 MAC, no static RSA key exchange). TLS 1.3 suites are all AEAD.
inline constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

/// Sets TLS 1.2 as the minimum and kTls12Ciphers as the TLS 1.2 suites; TLS 1.3 keeps
/// OpenSSL's defaults. False if OpenSSL refused the settings.
bool ApplyTlsPolicy(SSL_CTX* ctx);

}  // namespace concord::net::detail
