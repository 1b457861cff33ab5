#pragma once

#include <string>

#include <openssl/x509.h>

#include "concord/core/result.hpp"

namespace concord::net::detail {

/// Lower-case hex SHA-256 of the certificate's DER.
Result<std::string> FingerprintOf(X509* cert);

}  // namespace concord::net::detail
