#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "concord/core/result.hpp"

namespace concord::net {

/// A node's TLS certificate and private key, both PEM, and the certificate's pin.
struct TlsIdentity {
    std::string cert_pem;
    std::string key_pem;             ///< unencrypted PKCS#8 PEM: store it like any secret
    std::string sha256_fingerprint;  ///< lower-case hex SHA-256 of the certificate's DER
};

/// Creates an ECDSA P-256 key and a self-signed X.509 v3 certificate for `common_name`, valid
/// from now (minus one hour of clock skew) for `validity`, with a subjectAltName entry for each
/// of `ip_and_dns_names` (IP literals become iPAddress, anything else dNSName).
/// kInvalidArgument for an empty name or a non-positive validity; kInternal if OpenSSL fails.
Result<TlsIdentity> GenerateSelfSignedCertificate(
    std::string_view common_name,
    const std::vector<std::string>& ip_and_dns_names,
    std::chrono::hours validity
);

/// Lower-case hex SHA-256 of the DER of the first certificate in `cert_pem`;
/// kInvalidArgument if it does not parse.
Result<std::string> CertificateFingerprint(std::string_view cert_pem);

/// Normalises a fingerprint for comparison: lower case, ':' and spaces removed.
std::string NormalizeFingerprint(std::string_view fingerprint);

}  // namespace concord::net
