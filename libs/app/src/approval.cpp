#include "concord/app/approval.hpp"

#include <boost/json/serialize.hpp>

#include "concord/core/canonical_json.hpp"
#include "concord/core/time.hpp"
#include "concord/crypto/sha256.hpp"
#include "concord/federation/envelope.hpp"
#include "concord/federation/signed_json.hpp"

#include "approval_json.hpp"
#include "certificate_chain.hpp"

namespace concord::app {
namespace {

using internal::Invalid;

constexpr std::string_view kKind = "approval";
constexpr std::string_view kRequestKind = "approval_request";
constexpr std::size_t kMaxCaseIdBytes = 128;

bool IsLowerHex(std::string_view text, std::size_t size) {
    if (text.size() != size) {
        return false;
    }
    for (char c : text) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return true;
}

bool IsRequestType(std::string_view text) {
    if (text.empty() || text.size() > 64) {
        return false;
    }
    for (char c : text) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'
            )) {
            return false;
        }
    }
    return true;
}

boost::json::object RequestObject(const ApprovalRequest& r) {
    boost::json::object o;
    o["v"] = 1;
    o["kind"] = kRequestKind;
    o["case"] = r.case_id;
    o["request_type"] = r.request_type;
    o["from"] = r.from;
    o["to"] = r.to;
    o["priority"] = r.priority;
    o["body_sha256"] = r.body_sha256;
    return o;
}

Result<ApprovalRequest> ParseRequest(const boost::json::object& o) {
    CONCORD_RETURN_IF_ERROR(internal::OnlyMembers(
        o, {"v", "kind", "case", "request_type", "from", "to", "priority", "body_sha256"}
    ));
    CONCORD_RETURN_IF_ERROR(internal::CheckVersionAndKind(o, kRequestKind));
    ApprovalRequest r;
    CONCORD_ASSIGN_OR_RETURN(r.case_id, internal::GetText(o, "case", kMaxCaseIdBytes));
    CONCORD_ASSIGN_OR_RETURN(r.request_type, federation::GetString(o, "request_type"));
    if (!IsRequestType(r.request_type)) {
        return Invalid("field 'request_type': expected 1 to 64 of a-z 0-9 . _ -");
    }
    for (const char* name : {"from", "to"}) {
        CONCORD_ASSIGN_OR_RETURN(std::string id, federation::GetString(o, name));
        if (auto checked = federation::CheckNodeId(id); !checked) {
            return Invalid("field '" + std::string(name) + "': " + checked.error().message);
        }
        (std::string_view(name) == "from" ? r.from : r.to) = std::move(id);
    }
    CONCORD_ASSIGN_OR_RETURN(r.priority, federation::GetString(o, "priority"));
    if (r.priority != "normal" && r.priority != "emergency") {
        return Invalid("field 'priority': expected 'normal' or 'emergency'");
    }
    CONCORD_ASSIGN_OR_RETURN(r.body_sha256, federation::GetString(o, "body_sha256"));
    if (!IsLowerHex(r.body_sha256, 64)) {
        return Invalid("field 'body_sha256': expected 64 lower-case hex digits");
    }
    return r;
}

tl::unexpected<ApprovalRefused> Refuse(ApprovalFailure failure, std::string message) {
    return tl::unexpected(ApprovalRefused{failure, std::move(message)});
}

ApprovalFailure ChainFailure(internal::ChainBreak link) {
    switch (link) {
        case internal::ChainBreak::kUnknownNode:
            return ApprovalFailure::kUnknownNode;
        case internal::ChainBreak::kNodeRevoked:
            return ApprovalFailure::kNodeRevoked;
        case internal::ChainBreak::kWrongIssuer:
            return ApprovalFailure::kWrongIssuer;
        case internal::ChainBreak::kBadCertificateSignature:
            return ApprovalFailure::kBadCertificateSignature;
        case internal::ChainBreak::kWrongParty:
            return ApprovalFailure::kWrongParty;
        case internal::ChainBreak::kCertificateNotValid:
            return ApprovalFailure::kCertificateNotValid;
    }
    return ApprovalFailure::kMalformed;
}

}  // namespace

Result<std::string> CanonicalRequest(const ApprovalRequest& request) {
    boost::json::object o = RequestObject(request);
    CONCORD_RETURN_IF_ERROR(ParseRequest(o));
    return federation::CanonicalText(o);
}

Result<std::string> BodySha256(std::string_view body_json) {
    CONCORD_ASSIGN_OR_RETURN(std::string canonical, json::CanonicalizeOrError(body_json));
    return federation::HashHex(crypto::Sha256(AsBytes(canonical)));
}

Result<std::string> SignApproval(
    const ApprovalRequest& request,
    std::string_view certificate_text,
    const crypto::SigningKey& user_key,
    std::int64_t time_ms
) {
    CONCORD_ASSIGN_OR_RETURN(
        ParsedUserCertificate certificate, ParseUserCertificate(certificate_text)
    );
    if (!(certificate.certificate.public_key == user_key.PublicKey())) {
        return Invalid("the certificate is for another key than the approver's");
    }
    boost::json::object request_object = RequestObject(request);
    CONCORD_RETURN_IF_ERROR(ParseRequest(request_object));
    boost::json::object o;
    o["v"] = 1;
    o["kind"] = kKind;
    o["request"] = std::move(request_object);
    o["time"] = FormatTimestamp(time_ms);
    o["certificate"] = std::move(certificate.object);
    return federation::SignObject(std::move(o), kApprovalDomain, user_key);
}

Result<std::string> Approve(
    store::Transaction& tx,
    const UserKeys& keys,
    const UserCertifier& certifier,
    const CertifiedUser& approver,
    const ApprovalRequest& request,
    std::int64_t now_ms
) {
    if (std::find(approver.roles.begin(), approver.roles.end(), Role::kApprover) ==
        approver.roles.end()) {
        return MakeError(
            ErrorCode::kPermissionDenied,
            "user '" + approver.login + "' does not hold the approver role"
        );
    }
    CONCORD_RETURN_IF_ERROR(CanonicalRequest(request));
    CONCORD_ASSIGN_OR_RETURN(crypto::SigningKey key, keys.KeyFor(tx, approver.login));
    CONCORD_ASSIGN_OR_RETURN(
        IssuedCertificate certificate,
        certifier.CertificateFor(tx, approver, key.PublicKey(), now_ms)
    );
    return SignApproval(request, certificate.text, key, now_ms);
}

Result<ParsedApproval> ParseApproval(std::string_view text) {
    if (text.size() > kMaxApprovalBytes) {
        return Invalid("approval larger than " + std::to_string(kMaxApprovalBytes) + " bytes");
    }
    ParsedApproval parsed;
    CONCORD_ASSIGN_OR_RETURN(parsed.object, federation::ParseObject(text));
    const boost::json::object& o = parsed.object;
    CONCORD_RETURN_IF_ERROR(
        internal::OnlyMembers(o, {"v", "kind", "request", "time", "certificate", "key", "sig"})
    );
    CONCORD_RETURN_IF_ERROR(internal::CheckVersionAndKind(o, kKind));
    CONCORD_ASSIGN_OR_RETURN(
        const boost::json::object* request, federation::GetObject(o, "request")
    );
    auto parsed_request = ParseRequest(*request);
    if (!parsed_request) {
        return Invalid("request: " + parsed_request.error().message);
    }
    parsed.request = std::move(*parsed_request);
    parsed.canonical_request = federation::CanonicalText(*request);
    CONCORD_ASSIGN_OR_RETURN(parsed.time_ms, internal::GetTimestamp(o, "time"));
    CONCORD_ASSIGN_OR_RETURN(
        const boost::json::object* certificate, federation::GetObject(o, "certificate")
    );
    auto parsed_certificate = ParseUserCertificate(*certificate);
    if (!parsed_certificate) {
        return Invalid("certificate: " + parsed_certificate.error().message);
    }
    parsed.certificate = std::move(*parsed_certificate);
    CONCORD_ASSIGN_OR_RETURN(parsed.key, internal::GetPublicKey(o, "key"));
    CONCORD_ASSIGN_OR_RETURN(std::string sig, federation::GetString(o, "sig"));
    return parsed;
}

Result<std::string> CarriedApprovalText(const boost::json::value& value) {
    if (!value.is_object()) {
        return Invalid("'approval' must be an object");
    }
    std::string text = boost::json::serialize(value);
    if (text.size() > kMaxApprovalBytes) {
        return Invalid("'approval' is larger than " + std::to_string(kMaxApprovalBytes) + " bytes");
    }
    return text;
}

std::string_view ApprovalFailureCode(ApprovalFailure failure) {
    switch (failure) {
        case ApprovalFailure::kMalformed:
            return "malformed";
        case ApprovalFailure::kUnknownNode:
            return "unknown_node";
        case ApprovalFailure::kNodeRevoked:
            return "node_revoked";
        case ApprovalFailure::kWrongIssuer:
            return "wrong_issuer";
        case ApprovalFailure::kBadCertificateSignature:
            return "bad_certificate_signature";
        case ApprovalFailure::kWrongParty:
            return "wrong_party";
        case ApprovalFailure::kCertificateNotValid:
            return "certificate_not_valid";
        case ApprovalFailure::kNotApprover:
            return "not_approver";
        case ApprovalFailure::kWrongKey:
            return "wrong_key";
        case ApprovalFailure::kBadSignature:
            return "bad_signature";
        case ApprovalFailure::kRequestMismatch:
            return "request_mismatch";
        case ApprovalFailure::kTimeOutOfRange:
            return "time_out_of_range";
    }
    return "unknown";
}

Error ApprovalRefused::ToError() const {
    return MakeError(
        failure == ApprovalFailure::kMalformed ? ErrorCode::kInvalidArgument
                                               : ErrorCode::kUnauthenticated,
        "approval refused (" + std::string(ApprovalFailureCode(failure)) + "): " + message
    );
}

std::string DescribeApproval(const VerifiedApproval& approval) {
    std::string out =
        "approved by " + approval.name + ", " + approval.role + ", " + approval.authority;
    if (!approval.unit.empty()) {
        out += " (" + approval.unit + ")";
    }
    return out + ", node " + approval.node + ", certificate " +
           std::to_string(approval.certificate_serial);
}

tl::expected<VerifiedApproval, ApprovalRefused> VerifyApproval(
    const federation::Directory& directory,
    std::string_view sender_node_id,
    std::string_view approval_text,
    std::string_view canonical_request,
    std::int64_t at_ms
) {
    auto parsed = ParseApproval(approval_text);
    if (!parsed) {
        return Refuse(ApprovalFailure::kMalformed, parsed.error().message);
    }
    // Links 1-3: directory → node key → certificate, valid at the approval's and the message's
    // time.
    const UserCertificate& c = parsed->certificate.certificate;
    auto chain = internal::CheckCertificateChain(
        directory,
        sender_node_id,
        parsed->certificate,
        {{"the approval's time", parsed->time_ms}, {"the message's time", at_ms}}
    );
    if (!chain) {
        return Refuse(ChainFailure(chain.error().link), std::move(chain.error().message));
    }
    const federation::NodeEntry* node = *chain;
    if (!c.Has(Role::kApprover)) {
        return Refuse(
            ApprovalFailure::kNotApprover,
            "certificate " + std::to_string(c.serial) + " of '" + c.user +
                "' does not give the approver role"
        );
    }
    // Link 4: the approval is signed by the certified key, and approves this request.
    if (!(parsed->key == c.public_key)) {
        return Refuse(
            ApprovalFailure::kWrongKey,
            "the approval is signed by another key than the one certificate " +
                std::to_string(c.serial) + " certifies"
        );
    }
    if (auto sig = federation::VerifyObjectWithKey(parsed->object, kApprovalDomain, c.public_key);
        !sig) {
        return Refuse(
            ApprovalFailure::kBadSignature,
            "the approval's signature does not verify: " + sig.error().message
        );
    }
    if (parsed->canonical_request != canonical_request) {
        return Refuse(
            ApprovalFailure::kRequestMismatch,
            "the approval approves " + parsed->canonical_request + ", not " +
                std::string(canonical_request.substr(0, 1024))
        );
    }
    // time_ms is a parsed timestamp (years 0 to 9999), so this cannot overflow; at_ms + skew could.
    if (parsed->time_ms - kApprovalClockSkewMs > at_ms) {
        return Refuse(
            ApprovalFailure::kTimeOutOfRange,
            "the approval is dated " + FormatTimestamp(parsed->time_ms) +
                ", after the message's time " + FormatTimestamp(at_ms)
        );
    }
    VerifiedApproval out;
    out.name = c.name;
    out.user = c.user;
    out.role = std::string(RoleName(Role::kApprover));
    for (Role role : c.roles) {
        out.roles.emplace_back(RoleName(role));
    }
    out.authority = node->authority;
    out.party = node->party;
    out.unit = c.unit;
    out.node = c.node;
    out.certificate_serial = c.serial;
    out.time_ms = parsed->time_ms;
    out.request = parsed->request;
    return out;
}

}  // namespace concord::app
