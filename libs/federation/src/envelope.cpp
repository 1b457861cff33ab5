#include "concord/federation/envelope.hpp"

#include <algorithm>

#include "concord/core/canonical_json.hpp"
#include "concord/core/id.hpp"
#include "concord/core/time.hpp"
#include "concord/crypto/base64.hpp"
#include "concord/federation/directory.hpp"
#include "concord/federation/signed_json.hpp"

namespace concord::federation {
namespace {

constexpr std::string_view kEnvelopeDomain = "concord-envelope-v1";
constexpr std::string_view kEvidenceDomain = "concord-evidence-v1";

tl::unexpected<Refused> Refuse(Refusal reason, std::string message) {
    return tl::unexpected(Refused{reason, std::move(message)});
}

bool IsTypeName(std::string_view type) {
    return !type.empty() && type.size() <= 64 && std::all_of(type.begin(), type.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    });
}

// The header members, which are also the associated data of the body encryption.
boost::json::object HeaderObject(const Header& h) {
    boost::json::object o;
    o["v"] = kProtocolVersion;
    o["id"] = h.id;
    o["type"] = h.type;
    o["from"] = h.from;
    o["to"] = h.to;
    o["time"] = h.time;
    if (!h.in_reply_to.empty()) {
        o["in_reply_to"] = h.in_reply_to;
    }
    o["priority"] = h.priority;
    return o;
}

Result<void> CheckHeader(const Header& h) {
    if (!IsUuidV7(h.id)) {
        return MakeError(ErrorCode::kInvalidArgument, "field 'id': expected a lower-case UUIDv7");
    }
    if (!IsTypeName(h.type)) {
        return MakeError(ErrorCode::kInvalidArgument, "field 'type': expected [a-z0-9._-]{1,64}");
    }
    CONCORD_RETURN_IF_ERROR(CheckNodeId(h.from));
    CONCORD_RETURN_IF_ERROR(CheckNodeId(h.to));
    CONCORD_RETURN_IF_ERROR(ParseTimestamp(h.time));
    if (!h.in_reply_to.empty() && !IsUuidV7(h.in_reply_to)) {
        return MakeError(ErrorCode::kInvalidArgument, "field 'in_reply_to': expected a UUIDv7");
    }
    if (h.priority != "normal" && h.priority != "emergency") {
        return MakeError(
            ErrorCode::kInvalidArgument, "field 'priority': expected 'normal' or 'emergency'"
        );
    }
    return {};
}

Result<Header> ReadHeader(const boost::json::object& o) {
    Header h;
    CONCORD_ASSIGN_OR_RETURN(h.id, GetString(o, "id"));
    CONCORD_ASSIGN_OR_RETURN(h.type, GetString(o, "type"));
    CONCORD_ASSIGN_OR_RETURN(h.from, GetString(o, "from"));
    CONCORD_ASSIGN_OR_RETURN(h.to, GetString(o, "to"));
    CONCORD_ASSIGN_OR_RETURN(h.time, GetString(o, "time"));
    if (o.contains("in_reply_to")) {
        CONCORD_ASSIGN_OR_RETURN(h.in_reply_to, GetString(o, "in_reply_to"));
        if (h.in_reply_to.empty()) {
            return MakeError(ErrorCode::kInvalidArgument, "field 'in_reply_to': empty");
        }
    }
    CONCORD_ASSIGN_OR_RETURN(h.priority, GetString(o, "priority"));
    CONCORD_RETURN_IF_ERROR(CheckHeader(h));
    return h;
}

}  // namespace

std::string_view RefusalCode(Refusal reason) {
    switch (reason) {
        case Refusal::kMalformed:
            return "malformed";
        case Refusal::kUnsupportedVersion:
            return "unsupported_version";
        case Refusal::kTooLarge:
            return "too_large";
        case Refusal::kUnknownSender:
            return "unknown_sender";
        case Refusal::kBadSignature:
            return "bad_signature";
        case Refusal::kWrongRecipient:
            return "wrong_recipient";
        case Refusal::kReplay:
            return "replay";
        case Refusal::kStale:
            return "stale";
        case Refusal::kNotPermitted:
            return "not_permitted";
    }
    return "malformed";
}

unsigned RefusalHttpStatus(Refusal reason) {
    switch (reason) {
        case Refusal::kMalformed:
        case Refusal::kUnsupportedVersion:
            return 400;
        case Refusal::kTooLarge:
            return 413;
        case Refusal::kUnknownSender:
            return 403;
        case Refusal::kBadSignature:
            return 401;
        case Refusal::kWrongRecipient:
            return 421;
        case Refusal::kReplay:
            return 409;
        case Refusal::kStale:
            return 422;
        case Refusal::kNotPermitted:
            return 403;
    }
    return 400;
}

bool IsPermanentRefusal(std::string_view code) {
    // unknown_sender may heal when the receiver loads a newer directory; everything else that
    // the receiver refused will be refused again (not_permitted too: the sender checks the same
    // policy before it sends, so a refusal means the two directories disagree on the roles).
    return code == "malformed" || code == "unsupported_version" || code == "too_large" ||
           code == "bad_signature" || code == "wrong_recipient" || code == "replay" ||
           code == "stale" || code == "not_permitted";
}

std::string HashHex(const crypto::Hash256& hash) {
    return HexEncode(ByteSpan(hash.data(), hash.size()));
}

Result<std::string> SealEnvelope(
    const Header& header,
    std::string_view body_json,
    const crypto::SigningKey& signing_key,
    const crypto::BoxKeyPair& sender_box,
    const crypto::BoxPublicKey& recipient_box
) {
    CONCORD_RETURN_IF_ERROR(CheckHeader(header));
    CONCORD_ASSIGN_OR_RETURN(std::string body, json::CanonicalizeOrError(body_json));
    boost::json::object object = HeaderObject(header);
    const std::string associated_data = CanonicalText(object);
    CONCORD_ASSIGN_OR_RETURN(
        Bytes sealed,
        crypto::BoxSeal(AsBytes(body), AsBytes(associated_data), recipient_box, sender_box)
    );
    object["body"] = crypto::Base64Encode(sealed);
    return SignObject(std::move(object), kEnvelopeDomain, signing_key);
}

tl::expected<ParsedEnvelope, Refused> ParseEnvelope(std::string_view text) {
    auto object = ParseObject(text);
    if (!object) {
        return Refuse(Refusal::kMalformed, object.error().message);
    }
    ParsedEnvelope e;
    e.object = std::move(*object);
    auto version = GetInt(e.object, "v");
    if (!version) {
        return Refuse(Refusal::kMalformed, version.error().message);
    }
    if (*version != kProtocolVersion) {
        return Refuse(
            Refusal::kUnsupportedVersion,
            "envelope version " + std::to_string(*version) + "; this node speaks " +
                std::to_string(kProtocolVersion)
        );
    }
    static constexpr std::string_view kMembers[] = {
        "v", "id", "type", "from", "to", "time", "in_reply_to", "priority", "body", "key", "sig"};
    for (const auto& member : e.object) {
        if (std::find(std::begin(kMembers), std::end(kMembers), member.key()) ==
            std::end(kMembers)) {
            return Refuse(Refusal::kMalformed, "unknown field '" + std::string(member.key()) + "'");
        }
    }
    auto header = ReadHeader(e.object);
    if (!header) {
        return Refuse(Refusal::kMalformed, header.error().message);
    }
    e.header = std::move(*header);
    e.time_millis = *ParseTimestamp(e.header.time);
    auto key = SignerKey(e.object);
    if (!key) {
        return Refuse(Refusal::kMalformed, key.error().message);
    }
    e.key = *key;
    auto body_text = GetString(e.object, "body");
    if (!body_text) {
        return Refuse(Refusal::kMalformed, body_text.error().message);
    }
    auto body = crypto::Base64Decode(*body_text);
    if (!body) {
        return Refuse(Refusal::kMalformed, "field 'body': not base64");
    }
    e.sealed_body = std::move(*body);
    if (auto sig = GetString(e.object, "sig"); !sig) {
        return Refuse(Refusal::kMalformed, sig.error().message);
    }
    e.canonical = CanonicalText(e.object);
    e.hash = crypto::Sha256(AsBytes(e.canonical));
    return e;
}

tl::expected<void, Refused> VerifyEnvelopeSignature(const ParsedEnvelope& envelope) {
    // ParseEnvelope has parsed and validated the "key" member into envelope.key.
    auto ok = VerifyObjectWithKey(envelope.object, kEnvelopeDomain, envelope.key);
    if (!ok) {
        return Refuse(
            ok.error().code == ErrorCode::kUnauthenticated ? Refusal::kBadSignature
                                                           : Refusal::kMalformed,
            ok.error().message
        );
    }
    return {};
}

Result<std::string> OpenEnvelopeBody(
    const ParsedEnvelope& envelope,
    const crypto::BoxPublicKey& sender_box,
    const crypto::BoxKeyPair& recipient
) {
    const std::string associated_data = CanonicalText(HeaderObject(envelope.header));
    CONCORD_ASSIGN_OR_RETURN(
        Bytes plain,
        crypto::BoxOpen(envelope.sealed_body, AsBytes(associated_data), sender_box, recipient)
    );
    return ToString(plain);
}

Result<std::string> SignEvidence(const Evidence& evidence, const crypto::SigningKey& key) {
    boost::json::object o;
    o["v"] = kProtocolVersion;
    o["kind"] = "evidence";
    o["event"] = evidence.event;
    o["message_id"] = evidence.message_id;
    o["envelope_sha256"] = evidence.envelope_sha256;
    o["from"] = evidence.from;
    o["to"] = evidence.to;
    o["time"] = evidence.time;
    if (evidence.ledger_index) {
        o["ledger_index"] = static_cast<std::int64_t>(*evidence.ledger_index);
    }
    if (!evidence.reason.empty()) {
        o["reason"] = evidence.reason;
    }
    return SignObject(std::move(o), kEvidenceDomain, key);
}

Result<Evidence> VerifyEvidence(std::string_view text, const crypto::PublicKey& expected_signer) {
    CONCORD_ASSIGN_OR_RETURN(boost::json::object o, ParseObject(text));
    CONCORD_ASSIGN_OR_RETURN(crypto::PublicKey key, SignerKey(o));
    if (!(key == expected_signer)) {
        return MakeError(ErrorCode::kUnauthenticated, "evidence signed by an unexpected key");
    }
    CONCORD_RETURN_IF_ERROR(VerifyObjectWithKey(o, kEvidenceDomain, key));
    // A valid signature says who wrote the record, not that it means anything: every member is
    // checked as strictly as an envelope's (docs/formats/envelope.md §Evidence records).
    static constexpr std::string_view kMembers[] = {
        "v",
        "kind",
        "event",
        "message_id",
        "envelope_sha256",
        "from",
        "to",
        "time",
        "ledger_index",
        "reason",
        "key",
        "sig"};
    for (const auto& member : o) {
        if (std::find(std::begin(kMembers), std::end(kMembers), member.key()) ==
            std::end(kMembers)) {
            return MakeError(
                ErrorCode::kInvalidArgument,
                "evidence: unknown field '" + std::string(member.key().substr(0, 64)) + "'"
            );
        }
    }
    CONCORD_ASSIGN_OR_RETURN(std::int64_t version, GetInt(o, "v"));
    if (version != kProtocolVersion) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "evidence: field 'v': " + std::to_string(version) + ", expected " +
                std::to_string(kProtocolVersion)
        );
    }
    CONCORD_ASSIGN_OR_RETURN(std::string kind, GetString(o, "kind"));
    if (kind != "evidence") {
        return MakeError(
            ErrorCode::kInvalidArgument, "evidence: field 'kind': expected 'evidence'"
        );
    }
    Evidence e;
    CONCORD_ASSIGN_OR_RETURN(e.event, GetString(o, "event"));
    if (e.event != "delivery" && e.event != "retrieval" && e.event != "non_delivery" &&
        e.event != "submission") {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "evidence: field 'event': expected delivery, retrieval, non_delivery or submission"
        );
    }
    CONCORD_ASSIGN_OR_RETURN(e.message_id, GetString(o, "message_id"));
    if (!IsUuidV7(e.message_id)) {
        return MakeError(
            ErrorCode::kInvalidArgument, "evidence: field 'message_id': expected a UUIDv7"
        );
    }
    CONCORD_ASSIGN_OR_RETURN(e.envelope_sha256, GetString(o, "envelope_sha256"));
    const bool lower_hex =
        e.envelope_sha256.size() == 64 &&
        std::all_of(e.envelope_sha256.begin(), e.envelope_sha256.end(), [](char c) {
            return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
        });
    if (!lower_hex) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "evidence: field 'envelope_sha256': expected 64 lower-case hex digits"
        );
    }
    CONCORD_ASSIGN_OR_RETURN(e.from, GetString(o, "from"));
    CONCORD_RETURN_IF_ERROR(CheckNodeId(e.from));
    CONCORD_ASSIGN_OR_RETURN(e.to, GetString(o, "to"));
    CONCORD_RETURN_IF_ERROR(CheckNodeId(e.to));
    CONCORD_ASSIGN_OR_RETURN(e.time, GetString(o, "time"));
    if (auto t = ParseTimestamp(e.time); !t) {
        return MakeError(
            ErrorCode::kInvalidArgument, "evidence: field 'time': " + t.error().message
        );
    }
    if (o.contains("ledger_index")) {
        CONCORD_ASSIGN_OR_RETURN(std::int64_t index, GetInt(o, "ledger_index"));
        if (index < 0) {
            return MakeError(
                ErrorCode::kInvalidArgument, "evidence: field 'ledger_index': negative"
            );
        }
        e.ledger_index = static_cast<std::uint64_t>(index);
    }
    if (o.contains("reason")) {
        CONCORD_ASSIGN_OR_RETURN(e.reason, GetString(o, "reason"));
        if (e.event != "non_delivery" || e.reason.empty()) {
            return MakeError(
                ErrorCode::kInvalidArgument,
                "evidence: field 'reason': only a non_delivery record has one, and not empty"
            );
        }
    }
    return e;
}

}  // namespace concord::federation
