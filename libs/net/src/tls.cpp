// TLS certificates. net is, with crypto, the only module that uses OpenSSL: here for TLS and
// X.509 only (signatures and encryption of messages live in crypto, on libsodium).
#include "concord/net/tls.hpp"

#include <memory>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tls_internal.hpp"
#include <arpa/inet.h>

namespace concord::net {
namespace {

template <class T, void (*F)(T*)>
struct Deleter {
    void operator()(T* p) const { F(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION, X509_EXTENSION_free>>;

Error OpenSslError(std::string_view what) {
    return MakeError(ErrorCode::kInternal, "OpenSSL failed: " + std::string(what));
}

std::string BioToString(BIO* bio) {
    char* data = nullptr;
    long size = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<size_t>(size));
}

std::string Hex(const unsigned char* data, size_t size) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(size * 2);
    for (size_t i = 0; i < size; ++i) {
        out.push_back(kDigits[data[i] >> 4]);
        out.push_back(kDigits[data[i] & 0xf]);
    }
    return out;
}

bool IsIpLiteral(const std::string& name) {
    unsigned char buf[16];
    return inet_pton(AF_INET, name.c_str(), buf) == 1 ||
           inet_pton(AF_INET6, name.c_str(), buf) == 1;
}

}  // namespace

namespace detail {

bool ApplyTlsPolicy(SSL_CTX* ctx) {
    return SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) == 1 &&
           SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) == 1;
}

Result<std::string> FingerprintOf(X509* cert) {
    unsigned char* der = nullptr;
    int len = i2d_X509(cert, &der);
    if (len <= 0) {
        return OpenSslError("i2d_X509");
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    int ok = EVP_Digest(der, static_cast<size_t>(len), digest, &digest_len, EVP_sha256(), nullptr);
    OPENSSL_free(der);
    if (ok != 1) {
        return OpenSslError("EVP_Digest");
    }
    return Hex(digest, digest_len);
}

}  // namespace detail

std::string NormalizeFingerprint(std::string_view fingerprint) {
    std::string out;
    for (char c : fingerprint) {
        if (c == ':' || c == ' ') {
            continue;
        }
        out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
    }
    return out;
}

Result<std::string> CertificateFingerprint(std::string_view cert_pem) {
    BioPtr bio(BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size())));
    if (!bio) {
        return OpenSslError("BIO_new_mem_buf");
    }
    X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) {
        return MakeError(ErrorCode::kInvalidArgument, "not a PEM certificate");
    }
    return detail::FingerprintOf(cert.get());
}

Result<TlsIdentity> GenerateSelfSignedCertificate(
    std::string_view common_name,
    const std::vector<std::string>& ip_and_dns_names,
    std::chrono::hours validity
) {
    if (common_name.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "certificate common name is empty");
    }
    if (validity.count() <= 0) {
        return MakeError(ErrorCode::kInvalidArgument, "certificate validity must be positive");
    }
    KeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    if (!key) {
        return OpenSslError("EC P-256 key generation");
    }
    X509Ptr cert(X509_new());
    if (!cert || X509_set_version(cert.get(), 2) != 1) {
        return OpenSslError("X509_new");
    }
    unsigned char serial[16];
    if (RAND_bytes(serial, sizeof serial) != 1) {
        return OpenSslError("RAND_bytes");
    }
    serial[0] &= 0x7f;  // a positive serial number
    BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
    ASN1_INTEGER* asn1_serial = bn == nullptr ? nullptr : BN_to_ASN1_INTEGER(bn, nullptr);
    BN_free(bn);
    if (asn1_serial == nullptr) {
        return OpenSslError("serial number");
    }
    int ok = X509_set_serialNumber(cert.get(), asn1_serial);
    ASN1_INTEGER_free(asn1_serial);
    if (ok != 1) {
        return OpenSslError("X509_set_serialNumber");
    }
    // One hour back for clock skew between nodes.
    if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) == nullptr ||
        X509_gmtime_adj(
            X509_getm_notAfter(cert.get()),
            static_cast<long>(std::chrono::duration_cast<std::chrono::seconds>(validity).count())
        ) == nullptr) {
        return OpenSslError("validity");
    }
    X509_NAME* name = X509_get_subject_name(cert.get());
    std::string cn(common_name);
    if (X509_NAME_add_entry_by_txt(
            name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0
        ) != 1 ||
        X509_set_issuer_name(cert.get(), name) != 1 ||
        X509_set_pubkey(cert.get(), key.get()) != 1) {
        return OpenSslError("subject");
    }
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
    std::string san;
    for (const auto& entry : ip_and_dns_names) {
        if (entry.empty() || entry.find_first_of(",\n\r") != std::string::npos) {
            return MakeError(ErrorCode::kInvalidArgument, "bad subjectAltName entry: " + entry);
        }
        san += san.empty() ? "" : ",";
        san += (IsIpLiteral(entry) ? "IP:" : "DNS:") + entry;
    }
    std::vector<std::pair<int, std::string>> extensions = {
        {NID_basic_constraints, "critical,CA:FALSE"},
        {NID_key_usage, "critical,digitalSignature"},
        {NID_ext_key_usage, "serverAuth,clientAuth"},
        {NID_subject_key_identifier, "hash"},
    };
    if (!san.empty()) {
        extensions.emplace_back(NID_subject_alt_name, san);
    }
    for (const auto& [nid, value] : extensions) {
        ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
        if (!ext || X509_add_ext(cert.get(), ext.get(), -1) != 1) {
            return MakeError(ErrorCode::kInvalidArgument, "bad certificate extension: " + value);
        }
    }
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) {
        return OpenSslError("X509_sign");
    }
    BioPtr cert_bio(BIO_new(BIO_s_mem()));
    BioPtr key_bio(BIO_new(BIO_s_mem()));
    if (!cert_bio || !key_bio || PEM_write_bio_X509(cert_bio.get(), cert.get()) != 1 ||
        PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
            1) {
        return OpenSslError("PEM encoding");
    }
    TlsIdentity identity;
    identity.cert_pem = BioToString(cert_bio.get());
    identity.key_pem = BioToString(key_bio.get());
    CONCORD_ASSIGN_OR_RETURN(identity.sha256_fingerprint, detail::FingerprintOf(cert.get()));
    return identity;
}

}  // namespace concord::net
