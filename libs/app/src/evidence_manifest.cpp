#include "concord/app/evidence_manifest.hpp"

#include <set>
#include <utility>

#include <boost/json/array.hpp>

#include "concord/app/user_keys.hpp"
#include "concord/core/id.hpp"
#include "concord/core/time.hpp"
#include "concord/core/utf8.hpp"
#include "concord/crypto/base64.hpp"
#include "concord/crypto/sha256.hpp"
#include "concord/federation/signed_json.hpp"

#include "approval_json.hpp"
#include "certificate_chain.hpp"

namespace concord::app {
namespace {

using internal::Invalid;

constexpr std::string_view kKind = "evidence_manifest";
constexpr std::string_view kOfficerKind = "evidence_officer";
/// nonce (24) ‖ 32-byte key ‖ tag (16): what crypto::BoxSeal makes of a package key.
constexpr std::size_t kSealedKeyBytes = 24 + 32 + 16;
constexpr std::size_t kMaxNameBytes = 255;
constexpr std::size_t kMaxMediaTypeBytes = 127;
constexpr std::size_t kMaxCaseBytes = 128;
constexpr std::size_t kMaxConditionNoteBytes = 1000;

bool IsRestrictedNameChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '!' ||
           c == '#' || c == '$' || c == '&' || c == '-' || c == '^' || c == '_' || c == '.' ||
           c == '+';
}

Result<void> CheckFileName(std::string_view name) {
    if (name.empty() || name.size() > kMaxNameBytes) {
        return Invalid("file name must be 1 to 255 bytes");
    }
    if (name == "." || name == "..") {
        return Invalid("file name '" + std::string(name) + "' is not a name");
    }
    for (char c : name) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '/' || c == '\\' || byte < 0x20 || byte == 0x7f) {
            return Invalid("file name holds '/', '\\' or a control character");
        }
    }
    return {};
}

/// type "/" subtype, each 1-63 characters of RFC 6838's restricted-name set.
Result<void> CheckMediaType(std::string_view media_type) {
    const auto slash = media_type.find('/');
    const bool shape = media_type.size() <= kMaxMediaTypeBytes && slash != std::string_view::npos &&
                       slash > 0 && slash + 1 < media_type.size();
    bool chars = shape;
    for (std::size_t i = 0; chars && i < media_type.size(); ++i) {
        chars = i == slash || IsRestrictedNameChar(media_type[i]);
    }
    if (!chars) {
        return Invalid(
            "media type '" + std::string(media_type.substr(0, 64)) + "' is not type/subtype"
        );
    }
    return {};
}

Result<void> CheckManifest(const EvidenceManifest& m) {
    if (!IsUuidV7(m.package)) {
        return Invalid("package must be a UUIDv7");
    }
    if (m.case_id.empty() || m.case_id.size() > kMaxCaseBytes) {
        return Invalid("case must be 1 to 128 bytes");
    }
    for (char c : m.case_id) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            return Invalid("case holds a control character");
        }
    }
    CONCORD_RETURN_IF_ERROR(federation::CheckNodeId(m.from));
    CONCORD_RETURN_IF_ERROR(federation::CheckNodeId(m.to));
    CONCORD_RETURN_IF_ERROR(ChunkLayout::Create(0, m.chunk_bytes));
    if (m.files.empty() || m.files.size() > kMaxPackageFiles) {
        return Invalid("a package holds 1 to " + std::to_string(kMaxPackageFiles) + " files");
    }
    std::set<std::string_view> names;
    for (const EvidenceFile& f : m.files) {
        CONCORD_RETURN_IF_ERROR(CheckFileName(f.name));
        if (!names.insert(f.name).second) {
            return Invalid("file name '" + f.name + "' appears twice");
        }
        CONCORD_RETURN_IF_ERROR(CheckMediaType(f.media_type));
        CONCORD_RETURN_IF_ERROR(ChunkLayout::Create(f.sealed.size, m.chunk_bytes));
        if (!IsBlobAddress(f.sealed.sha256) || !IsBlobAddress(f.sealed.encrypted_sha256)) {
            return Invalid("file '" + f.name + "': hashes must be 64 lower-case hex digits");
        }
        if (auto login = CheckLogin(f.added_by); !login) {
            return Invalid("file '" + f.name + "': added_by: " + login.error().message);
        }
    }
    if (m.sealed_key.size() != kSealedKeyBytes) {
        return Invalid("sealed_key must be " + std::to_string(kSealedKeyBytes) + " bytes");
    }
    return CheckUseConditions(m.conditions);
}

boost::json::object FileObject(const EvidenceFile& f) {
    return boost::json::object{
        {"name", f.name},
        {"media_type", f.media_type},
        {"size", static_cast<std::int64_t>(f.sealed.size)},
        {"sha256", f.sealed.sha256},
        {"encrypted_sha256", f.sealed.encrypted_sha256},
        {"added_by", f.added_by},
        {"added", FormatTimestamp(f.added_ms)},
    };
}

std::string Sha256Hex(std::string_view text) {
    return HexEncode(crypto::Sha256(AsBytes(text)));
}

/// The content of a signed manifest: everything but "officer", "key" and "sig".
boost::json::object ContentOf(const boost::json::object& signed_manifest) {
    boost::json::object content = signed_manifest;
    content.erase("officer");
    content.erase("key");
    content.erase("sig");
    return content;
}

Result<EvidenceFile> ParseFile(const boost::json::value& value) {
    if (!value.is_object()) {
        return Invalid("files: every entry must be an object");
    }
    const boost::json::object& o = value.get_object();
    CONCORD_RETURN_IF_ERROR(internal::OnlyMembers(
        o, {"name", "media_type", "size", "sha256", "encrypted_sha256", "added_by", "added"}
    ));
    EvidenceFile f;
    CONCORD_ASSIGN_OR_RETURN(f.name, federation::GetString(o, "name"));
    CONCORD_ASSIGN_OR_RETURN(f.media_type, federation::GetString(o, "media_type"));
    CONCORD_ASSIGN_OR_RETURN(std::int64_t size, federation::GetInt(o, "size"));
    if (size < 0) {
        return Invalid("file '" + f.name + "': size is negative");
    }
    f.sealed.size = static_cast<std::uint64_t>(size);
    CONCORD_ASSIGN_OR_RETURN(f.sealed.sha256, federation::GetString(o, "sha256"));
    CONCORD_ASSIGN_OR_RETURN(
        f.sealed.encrypted_sha256, federation::GetString(o, "encrypted_sha256")
    );
    CONCORD_ASSIGN_OR_RETURN(f.added_by, federation::GetString(o, "added_by"));
    CONCORD_ASSIGN_OR_RETURN(f.added_ms, internal::GetTimestamp(o, "added"));
    return f;
}

tl::unexpected<ManifestRefused> Refuse(ManifestFailure failure, std::string message) {
    return tl::unexpected(ManifestRefused{failure, std::move(message)});
}

ManifestFailure ChainFailure(internal::ChainBreak link) {
    switch (link) {
        case internal::ChainBreak::kUnknownNode:
            return ManifestFailure::kUnknownNode;
        case internal::ChainBreak::kNodeRevoked:
            return ManifestFailure::kNodeRevoked;
        case internal::ChainBreak::kWrongIssuer:
            return ManifestFailure::kWrongIssuer;
        case internal::ChainBreak::kBadCertificateSignature:
            return ManifestFailure::kBadCertificateSignature;
        case internal::ChainBreak::kWrongParty:
            return ManifestFailure::kWrongParty;
        case internal::ChainBreak::kCertificateNotValid:
            return ManifestFailure::kCertificateNotValid;
    }
    return ManifestFailure::kMalformed;
}

std::string KeyAssociatedData(
    std::string_view package, std::string_view from, std::string_view to
) {
    std::string ad(kEvidenceKeyDomain);
    ad.append("\n").append(package).append("\n").append(from).append("\n").append(to);
    return ad;
}

}  // namespace

Result<void> CheckUseConditions(const UseConditions& conditions) {
    if (conditions.note.size() > kMaxConditionNoteBytes || !IsValidUtf8(conditions.note)) {
        return Invalid("conditions: the note must be at most 1000 bytes of UTF-8");
    }
    for (char c : conditions.note) {
        if ((static_cast<unsigned char>(c) < 0x20 && c != '\n') || c == 0x7f) {
            return Invalid("conditions: the note holds a control character");
        }
    }
    return {};
}

boost::json::object UseConditionsJson(const UseConditions& conditions) {
    return boost::json::object{
        {"confidential", conditions.confidential},
        {"speciality", conditions.speciality},
        {"onward_consent", conditions.onward_consent},
        {"note", conditions.note}};
}

Result<UseConditions> ParseUseConditions(const boost::json::value& value) {
    if (!value.is_object()) {
        return Invalid("conditions must be an object");
    }
    const boost::json::object& o = value.get_object();
    CONCORD_RETURN_IF_ERROR(
        internal::OnlyMembers(o, {"confidential", "speciality", "onward_consent", "note"})
    );
    UseConditions c;
    for (auto [name, flag] :
         {std::pair{"confidential", &c.confidential},
          std::pair{"speciality", &c.speciality},
          std::pair{"onward_consent", &c.onward_consent}}) {
        const boost::json::value* v = o.if_contains(name);
        if (v == nullptr || !v->is_bool()) {
            return Invalid(std::string("conditions: '") + name + "' must be true or false");
        }
        *flag = v->get_bool();
    }
    CONCORD_ASSIGN_OR_RETURN(c.note, federation::GetString(o, "note"));
    CONCORD_RETURN_IF_ERROR(CheckUseConditions(c));
    return c;
}

Result<boost::json::object> ManifestContent(const EvidenceManifest& m) {
    CONCORD_RETURN_IF_ERROR(CheckManifest(m));
    boost::json::array files;
    for (const EvidenceFile& f : m.files) {
        files.emplace_back(FileObject(f));
    }
    boost::json::object content{
        {"v", 1},
        {"kind", kKind},
        {"package", m.package},
        {"case", m.case_id},
        {"from", m.from},
        {"to", m.to},
        {"created", FormatTimestamp(m.created_ms)},
        {"chunk_bytes", m.chunk_bytes},
        {"files", std::move(files)},
        {"sealed_key", crypto::Base64Encode(m.sealed_key)},
    };
    if (m.conditions.Any()) {
        content["conditions"] = UseConditionsJson(m.conditions);
    }
    return content;
}

Result<std::string> SignManifest(
    const EvidenceManifest& manifest,
    std::string_view certificate_text,
    const crypto::SigningKey& officer_key,
    std::int64_t time_ms,
    const crypto::SigningKey& node_key
) {
    CONCORD_ASSIGN_OR_RETURN(boost::json::object content, ManifestContent(manifest));
    CONCORD_ASSIGN_OR_RETURN(
        ParsedUserCertificate certificate, ParseUserCertificate(certificate_text)
    );
    if (!(certificate.certificate.public_key == officer_key.PublicKey())) {
        return Invalid("the certificate is for another key than the officer's");
    }
    boost::json::object officer{
        {"v", 1},
        {"kind", kOfficerKind},
        {"manifest_sha256", Sha256Hex(federation::CanonicalText(content))},
        {"time", FormatTimestamp(time_ms)},
        {"certificate", certificate.object},
    };
    CONCORD_ASSIGN_OR_RETURN(
        std::string officer_text,
        federation::SignObject(std::move(officer), kEvidenceOfficerDomain, officer_key)
    );
    CONCORD_ASSIGN_OR_RETURN(
        boost::json::object officer_signed, federation::ParseObject(officer_text)
    );
    content["officer"] = std::move(officer_signed);
    return federation::SignObject(std::move(content), kEvidenceManifestDomain, node_key);
}

Result<ParsedManifest> ParseManifest(std::string_view text) {
    if (text.size() > kMaxManifestBytes) {
        return Invalid("manifest larger than " + std::to_string(kMaxManifestBytes) + " bytes");
    }
    ParsedManifest parsed;
    CONCORD_ASSIGN_OR_RETURN(parsed.object, federation::ParseObject(text));
    const boost::json::object& o = parsed.object;
    CONCORD_RETURN_IF_ERROR(internal::OnlyMembers(
        o,
        {"v",
         "kind",
         "package",
         "case",
         "from",
         "to",
         "created",
         "chunk_bytes",
         "files",
         "sealed_key",
         "conditions",
         "officer",
         "key",
         "sig"}
    ));
    CONCORD_RETURN_IF_ERROR(internal::CheckVersionAndKind(o, kKind));
    EvidenceManifest& m = parsed.manifest;
    CONCORD_ASSIGN_OR_RETURN(m.package, federation::GetString(o, "package"));
    CONCORD_ASSIGN_OR_RETURN(m.case_id, federation::GetString(o, "case"));
    CONCORD_ASSIGN_OR_RETURN(m.from, federation::GetString(o, "from"));
    CONCORD_ASSIGN_OR_RETURN(m.to, federation::GetString(o, "to"));
    CONCORD_ASSIGN_OR_RETURN(m.created_ms, internal::GetTimestamp(o, "created"));
    CONCORD_ASSIGN_OR_RETURN(std::int64_t chunk_bytes, federation::GetInt(o, "chunk_bytes"));
    if (chunk_bytes < kMinEvidenceChunkBytes || chunk_bytes > kMaxEvidenceChunkBytes) {
        return Invalid("field 'chunk_bytes': out of range");
    }
    m.chunk_bytes = static_cast<std::uint32_t>(chunk_bytes);
    CONCORD_ASSIGN_OR_RETURN(const boost::json::array* files, federation::GetArray(o, "files"));
    if (files->size() > kMaxPackageFiles) {
        return Invalid("field 'files': more than " + std::to_string(kMaxPackageFiles) + " files");
    }
    for (const boost::json::value& file : *files) {
        CONCORD_ASSIGN_OR_RETURN(EvidenceFile f, ParseFile(file));
        m.files.push_back(std::move(f));
    }
    CONCORD_ASSIGN_OR_RETURN(std::string sealed_key, federation::GetString(o, "sealed_key"));
    auto key_bytes = crypto::Base64Decode(sealed_key);
    if (!key_bytes) {
        return Invalid("field 'sealed_key': not base64");
    }
    m.sealed_key = std::move(*key_bytes);
    if (const boost::json::value* conditions = o.if_contains("conditions")) {
        auto parsed_conditions = ParseUseConditions(*conditions);
        if (!parsed_conditions) {
            return Invalid("field 'conditions': " + parsed_conditions.error().message);
        }
        m.conditions = std::move(*parsed_conditions);
    }
    // An all-false "conditions" is not what ManifestContent writes: the canonical check below
    // refuses it.
    CONCORD_RETURN_IF_ERROR(CheckManifest(m));
    // The content must be exactly what ManifestContent writes (no number written another way).
    CONCORD_ASSIGN_OR_RETURN(boost::json::object rebuilt, ManifestContent(m));
    const std::string content_text = federation::CanonicalText(ContentOf(o));
    if (federation::CanonicalText(rebuilt) != content_text) {
        return Invalid("manifest content is not in canonical form");
    }
    parsed.content_sha256 = Sha256Hex(content_text);

    CONCORD_ASSIGN_OR_RETURN(
        const boost::json::object* officer, federation::GetObject(o, "officer")
    );
    CONCORD_RETURN_IF_ERROR(internal::OnlyMembers(
        *officer, {"v", "kind", "manifest_sha256", "time", "certificate", "key", "sig"}
    ));
    CONCORD_RETURN_IF_ERROR(internal::CheckVersionAndKind(*officer, kOfficerKind));
    CONCORD_ASSIGN_OR_RETURN(
        parsed.officer_manifest_sha256, federation::GetString(*officer, "manifest_sha256")
    );
    if (!IsBlobAddress(parsed.officer_manifest_sha256)) {
        return Invalid("officer: field 'manifest_sha256': 64 lower-case hex digits expected");
    }
    CONCORD_ASSIGN_OR_RETURN(parsed.officer_time_ms, internal::GetTimestamp(*officer, "time"));
    CONCORD_ASSIGN_OR_RETURN(
        const boost::json::object* certificate, federation::GetObject(*officer, "certificate")
    );
    auto parsed_certificate = ParseUserCertificate(*certificate);
    if (!parsed_certificate) {
        return Invalid("officer: certificate: " + parsed_certificate.error().message);
    }
    parsed.certificate = std::move(*parsed_certificate);
    CONCORD_ASSIGN_OR_RETURN(parsed.officer_key, internal::GetPublicKey(*officer, "key"));
    CONCORD_ASSIGN_OR_RETURN(std::string officer_sig, federation::GetString(*officer, "sig"));
    CONCORD_ASSIGN_OR_RETURN(parsed.node_key, internal::GetPublicKey(o, "key"));
    CONCORD_ASSIGN_OR_RETURN(std::string sig, federation::GetString(o, "sig"));
    return parsed;
}

std::string_view ManifestFailureCode(ManifestFailure failure) {
    switch (failure) {
        case ManifestFailure::kMalformed:
            return "malformed";
        case ManifestFailure::kUnknownNode:
            return "unknown_node";
        case ManifestFailure::kNodeRevoked:
            return "node_revoked";
        case ManifestFailure::kBadNodeSignature:
            return "bad_node_signature";
        case ManifestFailure::kWrongIssuer:
            return "wrong_issuer";
        case ManifestFailure::kBadCertificateSignature:
            return "bad_certificate_signature";
        case ManifestFailure::kWrongParty:
            return "wrong_party";
        case ManifestFailure::kCertificateNotValid:
            return "certificate_not_valid";
        case ManifestFailure::kNotPermitted:
            return "not_permitted";
        case ManifestFailure::kWrongKey:
            return "wrong_key";
        case ManifestFailure::kBadOfficerSignature:
            return "bad_officer_signature";
        case ManifestFailure::kContentMismatch:
            return "content_mismatch";
    }
    return "unknown";
}

Error ManifestRefused::ToError() const {
    return MakeError(
        failure == ManifestFailure::kMalformed ? ErrorCode::kInvalidArgument
                                               : ErrorCode::kUnauthenticated,
        "evidence manifest refused (" + std::string(ManifestFailureCode(failure)) + "): " + message
    );
}

tl::expected<VerifiedManifest, ManifestRefused> VerifyManifest(
    const federation::Directory& directory, std::string_view text
) {
    auto parsed = ParseManifest(text);
    if (!parsed) {
        return Refuse(ManifestFailure::kMalformed, parsed.error().message);
    }
    const std::string& from = parsed->manifest.from;
    const federation::NodeEntry* node = directory.FindNode(from);
    if (node == nullptr) {
        return Refuse(ManifestFailure::kUnknownNode, "node '" + from + "' is not in the directory");
    }
    if (node->revoked) {
        return Refuse(
            ManifestFailure::kNodeRevoked, "node '" + from + "' is revoked in the directory"
        );
    }
    if (!(parsed->node_key == node->signing_key)) {
        return Refuse(
            ManifestFailure::kBadNodeSignature,
            "the manifest is signed by another key than node '" + from + "''s directory key"
        );
    }
    if (auto sig = federation::VerifyObjectWithKey(
            parsed->object, kEvidenceManifestDomain, node->signing_key
        );
        !sig) {
        return Refuse(ManifestFailure::kBadNodeSignature, sig.error().message);
    }
    auto chain = internal::CheckCertificateChain(
        directory,
        from,
        parsed->certificate,
        {{"the officer's signing time", parsed->officer_time_ms}}
    );
    if (!chain) {
        return Refuse(ChainFailure(chain.error().link), std::move(chain.error().message));
    }
    const UserCertificate& c = parsed->certificate.certificate;
    if (!c.Has(Role::kOfficer) && !c.Has(Role::kDutyOfficer) && !c.Has(Role::kResponder)) {
        return Refuse(
            ManifestFailure::kNotPermitted,
            "certificate " + std::to_string(c.serial) + " of '" + c.user +
                "' gives no role that may add evidence (officer, duty_officer, responder)"
        );
    }
    if (!(parsed->officer_key == c.public_key)) {
        return Refuse(
            ManifestFailure::kWrongKey,
            "the officer signature is by another key than the one certificate " +
                std::to_string(c.serial) + " certifies"
        );
    }
    const boost::json::object& officer = parsed->object.at("officer").get_object();
    if (auto sig = federation::VerifyObjectWithKey(officer, kEvidenceOfficerDomain, c.public_key);
        !sig) {
        return Refuse(ManifestFailure::kBadOfficerSignature, sig.error().message);
    }
    if (parsed->officer_manifest_sha256 != parsed->content_sha256) {
        return Refuse(
            ManifestFailure::kContentMismatch,
            "the officer signed manifest " + parsed->officer_manifest_sha256 + ", not this one (" +
                parsed->content_sha256 + ")"
        );
    }
    VerifiedManifest out;
    out.officer_name = c.name;
    out.officer_user = c.user;
    out.authority = node->authority;
    out.unit = c.unit;
    out.certificate_serial = c.serial;
    out.parsed = std::move(*parsed);
    return out;
}

Result<Bytes> SealPackageKey(
    const crypto::SecretBytes& key,
    std::string_view package_id,
    std::string_view from,
    std::string_view to,
    const crypto::BoxPublicKey& recipient,
    const crypto::BoxKeyPair& sender
) {
    if (key.Size() != 32) {
        return Invalid("a package key is 32 bytes");
    }
    return crypto::BoxSeal(
        key.Span(), AsBytes(KeyAssociatedData(package_id, from, to)), recipient, sender
    );
}

Result<crypto::SecretBytes> OpenPackageKey(
    ByteSpan sealed,
    std::string_view package_id,
    std::string_view from,
    std::string_view to,
    const crypto::BoxPublicKey& sender,
    const crypto::BoxKeyPair& recipient
) {
    CONCORD_ASSIGN_OR_RETURN(
        Bytes key,
        crypto::BoxOpen(sealed, AsBytes(KeyAssociatedData(package_id, from, to)), sender, recipient)
    );
    if (key.size() != 32) {
        return Invalid("the sealed package key is not 32 bytes");
    }
    auto secret = crypto::SecretBytes::CopyFrom(key);
    std::fill(key.begin(), key.end(), std::uint8_t{0});
    return secret;
}

}  // namespace concord::app
