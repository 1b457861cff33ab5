#include "concord/federation/directory.hpp"

#include <algorithm>
#include <set>

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>

#include "concord/core/time.hpp"
#include "concord/crypto/base64.hpp"
#include "concord/federation/signed_json.hpp"

namespace concord::federation {
namespace {

constexpr std::string_view kDirectoryDomain = "concord-directory-v1";
constexpr std::string_view kDirectoryFormat = "concord-directory/1";

Error EntryError(std::string_view where, const Error& inner) {
    return MakeError(inner.code, std::string(where) + ": " + inner.message);
}

Result<std::vector<std::string>> GetStrings(
    const boost::json::object& o, std::string_view name, bool required
) {
    std::vector<std::string> out;
    if (!required && !o.contains(name)) {
        return out;
    }
    CONCORD_ASSIGN_OR_RETURN(const boost::json::array* array, GetArray(o, name));
    for (const auto& v : *array) {
        if (!v.is_string()) {
            return MakeError(
                ErrorCode::kInvalidArgument, "field '" + std::string(name) + "': expected strings"
            );
        }
        out.emplace_back(v.as_string());
    }
    return out;
}

boost::json::array ToArray(const std::vector<std::string>& items) {
    boost::json::array out;
    for (const auto& s : items) {
        out.emplace_back(s);
    }
    return out;
}

Result<InstrumentBinding> ParseBinding(const boost::json::object& o) {
    InstrumentBinding b;
    CONCORD_ASSIGN_OR_RETURN(b.id, GetString(o, "id"));
    CONCORD_ASSIGN_OR_RETURN(b.status, GetString(o, "status"));
    static const std::set<std::string, std::less<>> kStatuses = {
        "signed", "ratified", "acceded", "bound"};
    if (!kStatuses.contains(b.status)) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "field 'status': '" + b.status + "' is not signed, ratified, acceded or bound"
        );
    }
    CONCORD_ASSIGN_OR_RETURN(b.date, GetOptionalString(o, "date"));
    CONCORD_ASSIGN_OR_RETURN(b.reservations, GetStrings(o, "reservations", false));
    CONCORD_ASSIGN_OR_RETURN(b.declarations, GetStrings(o, "declarations", false));
    return b;
}

Result<Party> ParseParty(const boost::json::object& o) {
    Party p;
    CONCORD_ASSIGN_OR_RETURN(p.code, GetString(o, "code"));
    if (p.code.empty() || p.code.size() > 32) {
        return MakeError(ErrorCode::kInvalidArgument, "field 'code': 1 to 32 characters");
    }
    CONCORD_ASSIGN_OR_RETURN(p.name, GetString(o, "name"));
    CONCORD_ASSIGN_OR_RETURN(p.languages, GetStrings(o, "languages", true));
    CONCORD_ASSIGN_OR_RETURN(const boost::json::array* instruments, GetArray(o, "instruments"));
    for (const auto& v : *instruments) {
        if (!v.is_object()) {
            return MakeError(ErrorCode::kInvalidArgument, "field 'instruments': expected objects");
        }
        CONCORD_ASSIGN_OR_RETURN(InstrumentBinding b, ParseBinding(v.as_object()));
        p.instruments.push_back(std::move(b));
    }
    return p;
}

Result<Bytes> GetBase64(const boost::json::object& o, std::string_view name, std::size_t size) {
    CONCORD_ASSIGN_OR_RETURN(std::string text, GetString(o, name));
    auto bytes = crypto::Base64Decode(text);
    if (!bytes || bytes->size() != size) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "field '" + std::string(name) + "': expected base64 of " + std::to_string(size) +
                " bytes"
        );
    }
    return *bytes;
}

bool IsKnownRole(std::string_view role) {
    return std::find(std::begin(kRoles), std::end(kRoles), role) != std::end(kRoles);
}

Result<std::vector<std::string>> GetRoles(
    const boost::json::object& o, std::string_view name, bool required
) {
    CONCORD_ASSIGN_OR_RETURN(std::vector<std::string> roles, GetStrings(o, name, required));
    for (const auto& role : roles) {
        if (!IsKnownRole(role)) {
            return MakeError(
                ErrorCode::kInvalidArgument,
                "field '" + std::string(name) + "': unknown role '" + role.substr(0, 64) + "'"
            );
        }
    }
    return roles;
}

bool IsMessageType(std::string_view type) {
    return !type.empty() && type.size() <= 64 && std::all_of(type.begin(), type.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    });
}

Result<std::vector<MessageRule>> ParseMessagePolicy(const boost::json::array& rules) {
    std::vector<MessageRule> out;
    for (std::size_t i = 0; i < rules.size(); ++i) {
        const std::string where = "message_policy[" + std::to_string(i) + "]";
        if (!rules[i].is_object()) {
            return MakeError(ErrorCode::kInvalidArgument, where + ": expected an object");
        }
        const auto& o = rules[i].as_object();
        for (const auto& member : o) {
            const auto name = member.key();
            if (name != "type" && name != "roles" && name != "emergency_roles" &&
                name != "reply_only") {
                return MakeError(
                    ErrorCode::kInvalidArgument,
                    where + ": unknown field '" + std::string(name.substr(0, 64)) + "'"
                );
            }
        }
        auto rule = [&]() -> Result<MessageRule> {
            MessageRule r;
            CONCORD_ASSIGN_OR_RETURN(r.type, GetString(o, "type"));
            if (!IsMessageType(r.type)) {
                return MakeError(
                    ErrorCode::kInvalidArgument, "field 'type': expected [a-z0-9._-]{1,64}"
                );
            }
            CONCORD_ASSIGN_OR_RETURN(r.roles, GetRoles(o, "roles", true));
            CONCORD_ASSIGN_OR_RETURN(r.emergency_roles, GetRoles(o, "emergency_roles", false));
            for (const auto& role : r.emergency_roles) {
                if (std::find(r.roles.begin(), r.roles.end(), role) == r.roles.end()) {
                    return MakeError(
                        ErrorCode::kInvalidArgument,
                        "field 'emergency_roles': '" + role + "' is not in 'roles'"
                    );
                }
            }
            if (const auto* reply_only = o.if_contains("reply_only")) {
                if (!reply_only->is_bool()) {
                    return MakeError(
                        ErrorCode::kInvalidArgument, "field 'reply_only': expected true or false"
                    );
                }
                r.reply_only = reply_only->as_bool();
            }
            return r;
        }();
        if (!rule) {
            return EntryError(where, rule.error());
        }
        if (std::any_of(out.begin(), out.end(), [&](const MessageRule& r) {
                return r.type == rule->type;
            })) {
            return MakeError(
                ErrorCode::kInvalidArgument, where + ": duplicate type '" + rule->type + "'"
            );
        }
        out.push_back(std::move(*rule));
    }
    return out;
}

// A TLS pin: 64 lower-case hex digits (SHA-256 of the certificate's DER).
bool IsPin(std::string_view pin) {
    return pin.size() == 64 && std::all_of(pin.begin(), pin.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

// The host of an http(s) URL: a bracketed IPv6 literal or the text up to ':' or '/'.
std::string_view UrlHost(std::string_view url) {
    url.remove_prefix(url.find("://") + 3);
    if (url.starts_with('[')) {
        const auto close = url.find(']');
        return close == std::string_view::npos ? std::string_view() : url.substr(1, close - 1);
    }
    return url.substr(0, url.find_first_of(":/?#"));
}

bool IsLoopbackHost(std::string_view host) {
    return host == "localhost" || host == "::1" || host.starts_with("127.");
}

Result<void> CheckEndpoint(std::string_view endpoint) {
    const bool https = endpoint.starts_with("https://");
    if (!https && !endpoint.starts_with("http://")) {
        return MakeError(ErrorCode::kInvalidArgument, "field 'endpoint': expected an http(s) URL");
    }
    const std::string_view host = UrlHost(endpoint);
    if (host.empty() || endpoint.size() > 2048) {
        return MakeError(ErrorCode::kInvalidArgument, "field 'endpoint': no host");
    }
    if (!https && !IsLoopbackHost(host)) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "field 'endpoint': plain http:// is only for loopback development; '" +
                std::string(host.substr(0, 253)) + "' needs https://"
        );
    }
    return {};
}

Result<NodeEntry> ParseNode(const boost::json::object& o) {
    NodeEntry n;
    CONCORD_ASSIGN_OR_RETURN(n.id, GetString(o, "id"));
    CONCORD_RETURN_IF_ERROR(CheckNodeId(n.id));
    CONCORD_ASSIGN_OR_RETURN(n.party, GetString(o, "party"));
    CONCORD_ASSIGN_OR_RETURN(n.authority, GetString(o, "authority"));
    CONCORD_ASSIGN_OR_RETURN(n.roles, GetRoles(o, "roles", true));
    if (n.roles.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "field 'roles': at least one role");
    }
    CONCORD_ASSIGN_OR_RETURN(n.endpoint, GetString(o, "endpoint"));
    CONCORD_RETURN_IF_ERROR(CheckEndpoint(n.endpoint));
    CONCORD_ASSIGN_OR_RETURN(Bytes signing, GetBase64(o, "signing_key", 32));
    auto key = crypto::PublicKey::FromBytes(signing);
    if (!key) {
        return MakeError(
            ErrorCode::kInvalidArgument, "field 'signing_key': " + key.error().message
        );
    }
    n.signing_key = *key;
    CONCORD_ASSIGN_OR_RETURN(Bytes box, GetBase64(o, "box_key", 32));
    std::copy(box.begin(), box.end(), n.box_key.begin());
    // Checked here, not at the first delivery: a bad pin would otherwise only show as failed
    // connections until the delivery horizon.
    CONCORD_ASSIGN_OR_RETURN(n.tls_sha256, GetOptionalString(o, "tls_sha256"));
    if (n.endpoint.starts_with("https://") && n.tls_sha256.empty()) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "field 'tls_sha256': required for an https:// endpoint (the certificate pin)"
        );
    }
    if (!n.tls_sha256.empty() && !IsPin(n.tls_sha256)) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "field 'tls_sha256': expected 64 lower-case hex digits (SHA-256 of the certificate)"
        );
    }
    CONCORD_ASSIGN_OR_RETURN(n.languages, GetStrings(o, "languages", false));
    if (const auto* revoked = o.if_contains("revoked")) {
        if (!revoked->is_bool()) {
            return MakeError(
                ErrorCode::kInvalidArgument, "field 'revoked': expected true or false"
            );
        }
        n.revoked = revoked->as_bool();
    }
    return n;
}

}  // namespace

// The default message policy (docs/formats/directory.md §Message policy). Requests, orders and
// notices come from authorities; an emergency only from a 24/7 point of contact or a central
// authority (DESIGN §6: "an emergency request is only ever a signed message from a
// directory-listed 24/7 point of contact"); everyone, providers included, may answer.
const std::string_view kDefaultMessagePolicy = R"([
 {"type": "request",
  "roles": ["central_authority", "point_of_contact_24_7", "competent_authority"],
  "emergency_roles": ["central_authority", "point_of_contact_24_7"]},
 {"type": "order",
  "roles": ["central_authority", "point_of_contact_24_7", "competent_authority"],
  "emergency_roles": ["central_authority", "point_of_contact_24_7"]},
 {"type": "notice",
  "roles": ["central_authority", "point_of_contact_24_7", "competent_authority",
            "service_provider"],
  "emergency_roles": ["central_authority", "point_of_contact_24_7"]},
 {"type": "response",
  "roles": ["central_authority", "point_of_contact_24_7", "competent_authority",
            "service_provider"],
  "emergency_roles": ["central_authority", "point_of_contact_24_7", "competent_authority",
                      "service_provider"],
  "reply_only": true},
 {"type": "evidence.retrieval",
  "roles": ["central_authority", "point_of_contact_24_7", "competent_authority",
            "service_provider"],
  "emergency_roles": ["central_authority", "point_of_contact_24_7", "competent_authority",
                      "service_provider"],
  "reply_only": true}
])";

Result<void> Directory::MayNodeSend(
    const NodeEntry& sender, std::string_view type, std::string_view priority, bool is_reply
) const {
    const auto rule = std::find_if(
        message_policy.begin(), message_policy.end(), [&](const auto& r) { return r.type == type; }
    );
    if (rule == message_policy.end()) {
        return MakeError(
            ErrorCode::kPermissionDenied,
            "message type '" + std::string(type.substr(0, 64)) +
                "' is not in the directory's message policy"
        );
    }
    const auto& allowed = priority == "emergency" ? rule->emergency_roles : rule->roles;
    const bool permitted = std::any_of(allowed.begin(), allowed.end(), [&](const auto& role) {
        return sender.HasRole(role);
    });
    if (!permitted) {
        std::string roles;
        for (const auto& role : sender.roles) {
            roles += (roles.empty() ? "" : ", ") + role;
        }
        return MakeError(
            ErrorCode::kPermissionDenied,
            "'" + sender.id + "' (" + roles + ") may not send a " + std::string(priority) + " '" +
                rule->type + "' message"
        );
    }
    if (rule->reply_only && !is_reply) {
        return MakeError(
            ErrorCode::kPermissionDenied,
            "a '" + rule->type + "' message must answer an earlier one (in_reply_to)"
        );
    }
    return {};
}

bool NodeEntry::HasRole(std::string_view role) const {
    return std::find(roles.begin(), roles.end(), role) != roles.end();
}

const NodeEntry* Directory::FindNode(std::string_view id) const {
    for (const auto& n : nodes) {
        if (n.id == id) {
            return &n;
        }
    }
    return nullptr;
}

const Party* Directory::FindParty(std::string_view code) const {
    for (const auto& p : parties) {
        if (p.code == code) {
            return &p;
        }
    }
    return nullptr;
}

Result<void> CheckNodeId(std::string_view id) {
    const bool ok =
        !id.empty() && id.size() <= 64 &&
        std::all_of(
            id.begin(),
            id.end(),
            [](char c) {
                return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
            }
        ) &&
        id.front() != '.' && id.front() != '-';
    if (!ok) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "node id '" + std::string(id.substr(0, 80)) +
                "': 1 to 64 characters of a-z, 0-9, '.', '-', starting with a letter or digit"
        );
    }
    return {};
}

Result<Directory> ParseDirectoryBody(const boost::json::object& body) {
    Directory d;
    CONCORD_ASSIGN_OR_RETURN(std::string format, GetString(body, "format"));
    if (format != kDirectoryFormat) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "field 'format': expected '" + std::string(kDirectoryFormat) + "', got '" + format + "'"
        );
    }
    CONCORD_ASSIGN_OR_RETURN(std::int64_t serial, GetInt(body, "serial"));
    if (serial < 1) {
        return MakeError(ErrorCode::kInvalidArgument, "field 'serial': must be at least 1");
    }
    d.serial = static_cast<std::uint64_t>(serial);
    CONCORD_ASSIGN_OR_RETURN(d.issued, GetString(body, "issued"));
    if (auto t = ParseTimestamp(d.issued); !t) {
        return EntryError("field 'issued'", t.error());
    }
    CONCORD_ASSIGN_OR_RETURN(const boost::json::array* parties, GetArray(body, "parties"));
    for (std::size_t i = 0; i < parties->size(); ++i) {
        const auto& v = (*parties)[i];
        const std::string where = "parties[" + std::to_string(i) + "]";
        if (!v.is_object()) {
            return MakeError(ErrorCode::kInvalidArgument, where + ": expected an object");
        }
        auto party = ParseParty(v.as_object());
        if (!party) {
            return EntryError(where, party.error());
        }
        if (d.FindParty(party->code) != nullptr) {
            return MakeError(
                ErrorCode::kInvalidArgument, where + ": duplicate code " + party->code
            );
        }
        d.parties.push_back(std::move(*party));
    }
    CONCORD_ASSIGN_OR_RETURN(const boost::json::array* nodes, GetArray(body, "nodes"));
    for (std::size_t i = 0; i < nodes->size(); ++i) {
        const auto& v = (*nodes)[i];
        const std::string where = "nodes[" + std::to_string(i) + "]";
        if (!v.is_object()) {
            return MakeError(ErrorCode::kInvalidArgument, where + ": expected an object");
        }
        auto node = ParseNode(v.as_object());
        if (!node) {
            return EntryError(where, node.error());
        }
        if (d.FindNode(node->id) != nullptr) {
            return MakeError(
                ErrorCode::kInvalidArgument, where + ": duplicate node id " + node->id
            );
        }
        if (d.FindParty(node->party) == nullptr) {
            return MakeError(
                ErrorCode::kInvalidArgument, where + ": party '" + node->party + "' is not listed"
            );
        }
        d.nodes.push_back(std::move(*node));
    }
    if (const auto* policy = body.if_contains("message_policy")) {
        if (!policy->is_array()) {
            return MakeError(
                ErrorCode::kInvalidArgument, "field 'message_policy': expected an array"
            );
        }
        CONCORD_ASSIGN_OR_RETURN(d.message_policy, ParseMessagePolicy(policy->as_array()));
    } else {
        auto fallback = boost::json::parse(kDefaultMessagePolicy);
        CONCORD_ASSIGN_OR_RETURN(d.message_policy, ParseMessagePolicy(fallback.as_array()));
    }
    d.body = CanonicalText(body);
    return d;
}

Result<std::string> SignDirectory(
    std::string_view body_json, std::span<const crypto::SigningKey* const> keys
) {
    CONCORD_ASSIGN_OR_RETURN(boost::json::object body, ParseObject(body_json));
    CONCORD_RETURN_IF_ERROR(ParseDirectoryBody(body));
    if (keys.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "a directory needs at least one signing key");
    }
    boost::json::array signatures;
    for (const crypto::SigningKey* key : keys) {
        boost::json::object to_sign;
        to_sign["directory"] = body;
        CONCORD_ASSIGN_OR_RETURN(
            std::string signed_text, SignObject(to_sign, kDirectoryDomain, *key)
        );
        CONCORD_ASSIGN_OR_RETURN(boost::json::object signed_object, ParseObject(signed_text));
        boost::json::object entry;
        entry["key"] = signed_object["key"];
        entry["sig"] = signed_object["sig"];
        signatures.push_back(std::move(entry));
    }
    boost::json::object out;
    out["directory"] = std::move(body);
    out["signatures"] = std::move(signatures);
    return CanonicalText(out);
}

Result<Directory> VerifyDirectory(
    std::string_view signed_json, std::span<const crypto::PublicKey> trusted
) {
    CONCORD_ASSIGN_OR_RETURN(boost::json::object doc, ParseObject(signed_json));
    CONCORD_ASSIGN_OR_RETURN(const boost::json::object* body, GetObject(doc, "directory"));
    CONCORD_ASSIGN_OR_RETURN(const boost::json::array* signatures, GetArray(doc, "signatures"));
    bool trusted_signature = false;
    for (const auto& v : *signatures) {
        if (!v.is_object()) {
            return MakeError(ErrorCode::kInvalidArgument, "signatures: expected objects");
        }
        boost::json::object signed_object;
        signed_object["directory"] = *body;
        CONCORD_ASSIGN_OR_RETURN(signed_object["key"], GetString(v.as_object(), "key"));
        CONCORD_ASSIGN_OR_RETURN(signed_object["sig"], GetString(v.as_object(), "sig"));
        if (auto ok = VerifyObject(signed_object, kDirectoryDomain); !ok) {
            return MakeError(
                ErrorCode::kUnauthenticated, "directory signature invalid: " + ok.error().message
            );
        }
        CONCORD_ASSIGN_OR_RETURN(crypto::PublicKey key, SignerKey(signed_object));
        trusted_signature =
            trusted_signature || std::find(trusted.begin(), trusted.end(), key) != trusted.end();
    }
    if (!trusted_signature) {
        return MakeError(
            ErrorCode::kUnauthenticated, "directory is not signed by any trusted directory key"
        );
    }
    return ParseDirectoryBody(*body);
}

boost::json::object NodeEntryToJson(const NodeEntry& node) {
    boost::json::object o;
    o["id"] = node.id;
    o["party"] = node.party;
    o["authority"] = node.authority;
    o["roles"] = ToArray(node.roles);
    o["endpoint"] = node.endpoint;
    const auto& sk = node.signing_key.Bytes();
    o["signing_key"] = crypto::Base64Encode(ByteSpan(sk.data(), sk.size()));
    o["box_key"] = crypto::Base64Encode(ByteSpan(node.box_key.data(), node.box_key.size()));
    o["tls_sha256"] = node.tls_sha256;
    o["languages"] = ToArray(node.languages);
    o["revoked"] = node.revoked;
    return o;
}

}  // namespace concord::federation
