#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <tl/expected.hpp>

#include "concord/app/evidence_stream.hpp"
#include "concord/app/user_certificate.hpp"
#include "concord/core/result.hpp"
#include "concord/crypto/box.hpp"
#include "concord/crypto/ed25519.hpp"
#include "concord/crypto/secret_bytes.hpp"
#include "concord/federation/directory.hpp"

namespace concord::app {

/// Signature domains of evidence packages (docs/formats/evidence.md).
inline constexpr std::string_view kEvidenceManifestDomain = "concord-evidence-manifest-v1";
inline constexpr std::string_view kEvidenceOfficerDomain = "concord-evidence-officer-v1";
/// Associated data prefix of the sealed package key.
inline constexpr std::string_view kEvidenceKeyDomain = "concord-evidence-key-v1";
/// Largest signed manifest text accepted from outside.
inline constexpr std::size_t kMaxManifestBytes = std::size_t{1} << 20;
/// Most files in one package.
inline constexpr std::size_t kMaxPackageFiles = 1000;

/// One file of a package as its manifest describes it.
struct EvidenceFile {
    std::string name;        ///< file name: 1-255 bytes, no '/', NUL or control characters
    std::string media_type;  ///< e.g. "application/pdf"
    SealedFile sealed;       ///< size, plaintext SHA-256, encrypted SHA-256 (blob address)
    std::string added_by;    ///< login of the person who added it at the sending node
    std::int64_t added_ms{0};
};

/// Conditions the sender attaches to the data of a package (docs/formats/evidence.md "Use
/// conditions"): they travel in the signed manifest and are shown wherever the package is.
struct UseConditions {
    /// Keep the data confidential (e.g. Budapest Convention 28(2)(a)).
    bool confidential{false};
    /// Use it only for the investigation or proceedings the request states (speciality; e.g.
    /// Budapest Convention 28(2)(b), UNCAC 46(19)).
    bool speciality{false};
    /// Transfer it to a third State, organisation or node only with the sender's prior consent.
    bool onward_consent{false};
    /// Further conditions in words: at most 1000 bytes of UTF-8, no control character but
    /// line feed.
    std::string note;

    [[nodiscard]] bool Any() const {
        return confidential || speciality || onward_consent || !note.empty();
    }
    friend bool operator==(const UseConditions&, const UseConditions&) = default;
};

/// kInvalidArgument for a note that breaks its rule.
Result<void> CheckUseConditions(const UseConditions& conditions);
/// {"confidential":…,"speciality":…,"onward_consent":…,"note":…}, as the manifest holds it.
boost::json::object UseConditionsJson(const UseConditions& conditions);
/// Exactly the four members, typed, the note within its rule. kInvalidArgument otherwise.
Result<UseConditions> ParseUseConditions(const boost::json::value& value);

/// What a package holds and for whom (the manifest's content, without signatures).
struct EvidenceManifest {
    std::string package;  ///< UUIDv7
    std::string case_id;  ///< the sending node's case id
    std::string from;     ///< sending node id
    std::string to;       ///< recipient node id
    std::int64_t created_ms{0};
    std::uint32_t chunk_bytes{kDefaultEvidenceChunkBytes};
    std::vector<EvidenceFile> files;
    Bytes sealed_key;          ///< the package key sealed to `to` (SealPackageKey)
    UseConditions conditions;  ///< in the content only when Any()
};

/// The manifest's content as a JSON object, every rule of the format checked (names unique,
/// bounds, ids). kInvalidArgument naming the member that breaks a rule.
Result<boost::json::object> ManifestContent(const EvidenceManifest& manifest);

/// Signs a manifest twice: the responsible officer's certified key signs its hash at `time_ms`
/// (with `certificate_text`, the officer's certificate for that key), then the node's key signs
/// the whole. Returns the canonical signed text. kInvalidArgument if a rule is broken or the
/// certificate is for another key.
Result<std::string> SignManifest(
    const EvidenceManifest& manifest,
    std::string_view certificate_text,
    const crypto::SigningKey& officer_key,
    std::int64_t time_ms,
    const crypto::SigningKey& node_key
);

/// A signed manifest as read from outside: structure checked, nothing verified.
struct ParsedManifest {
    EvidenceManifest manifest;
    std::string content_sha256;           ///< hex SHA-256 of the canonical content
    std::string officer_manifest_sha256;  ///< what the officer signed
    std::int64_t officer_time_ms{0};
    ParsedUserCertificate certificate;
    crypto::PublicKey officer_key;
    crypto::PublicKey node_key;
    boost::json::object object;  ///< the whole signed manifest
};

/// Parses a signed manifest of at most kMaxManifestBytes: every member present, typed and
/// within its bounds, nothing else. kInvalidArgument naming the member. Linear in its size.
Result<ParsedManifest> ParseManifest(std::string_view text);

/// The link of directory → node key → manifest / officer certificate → officer signature that
/// broke.
enum class ManifestFailure : std::uint8_t {
    kMalformed,                ///< not a manifest
    kUnknownNode,              ///< the sending node is not in the directory
    kNodeRevoked,              ///< the sending node is revoked
    kBadNodeSignature,         ///< the manifest is not signed by the sender's directory key
    kWrongIssuer,              ///< the officer's certificate is another node's
    kBadCertificateSignature,  ///< the certificate is not signed by the sender's key
    kWrongParty,               ///< the certificate's party is not the sender's
    kCertificateNotValid,      ///< the certificate does not hold when the officer signed
    kNotPermitted,             ///< the certificate gives no role that may add evidence
    kWrongKey,                 ///< the officer signature is by another key than the certified one
    kBadOfficerSignature,      ///< the officer signature does not verify
    kContentMismatch,          ///< the officer signed another manifest
};

/// Stable name of a failure ("bad_node_signature", ...), as the CLI prints it.
std::string_view ManifestFailureCode(ManifestFailure failure);

struct ManifestRefused {
    ManifestFailure failure{ManifestFailure::kMalformed};
    std::string message;
    /// kInvalidArgument for kMalformed, kUnauthenticated otherwise; the message starts with the
    /// failure code.
    [[nodiscard]] Error ToError() const;
};

/// A manifest whose every signature verified, with who vouches for it.
struct VerifiedManifest {
    ParsedManifest parsed;
    std::string officer_name;
    std::string officer_user;
    std::string authority;  ///< the sending node's authority, from the directory
    std::string unit;
    std::int64_t certificate_serial{0};
};

/// Verifies a signed manifest against the directory: the sender (`from`) is listed and not
/// revoked, the node signature is by its directory key, the officer's certificate chains to it
/// and holds at the officer's time, gives the officer, duty officer or responder role, the
/// officer signature is by the certified key and covers exactly this manifest's content.
/// The first broken link is returned.
tl::expected<VerifiedManifest, ManifestRefused> VerifyManifest(
    const federation::Directory& directory, std::string_view text
);

/// Seals the 32-byte package key to the recipient node: crypto::BoxSeal with associated data
/// kEvidenceKeyDomain ‖ "\n" ‖ package id ‖ "\n" ‖ from ‖ "\n" ‖ to.
Result<Bytes> SealPackageKey(
    const crypto::SecretBytes& key,
    std::string_view package_id,
    std::string_view from,
    std::string_view to,
    const crypto::BoxPublicKey& recipient,
    const crypto::BoxKeyPair& sender
);

/// Opens what SealPackageKey sealed. kUnauthenticated if it was sealed for another package,
/// node pair or key; kInvalidArgument if it is not 32 bytes once opened.
Result<crypto::SecretBytes> OpenPackageKey(
    ByteSpan sealed,
    std::string_view package_id,
    std::string_view from,
    std::string_view to,
    const crypto::BoxPublicKey& sender,
    const crypto::BoxKeyPair& recipient
);

}  // namespace concord::app
