#include "approval_json.hpp"

#include "concord/core/time.hpp"
#include "concord/crypto/base64.hpp"
#include "concord/federation/signed_json.hpp"

namespace concord::app::internal {

Error Invalid(std::string_view what) {
    return MakeError(ErrorCode::kInvalidArgument, std::string(what));
}

Result<void> OnlyMembers(
    const boost::json::object& object, std::initializer_list<std::string_view> allowed
) {
    for (const auto& member : object) {
        bool known = false;
        for (std::string_view name : allowed) {
            known = known || member.key() == name;
        }
        if (!known) {
            return Invalid("unknown member '" + std::string(member.key()) + "'");
        }
    }
    return {};
}

Result<void> CheckVersionAndKind(const boost::json::object& object, std::string_view kind) {
    CONCORD_ASSIGN_OR_RETURN(std::int64_t v, federation::GetInt(object, "v"));
    if (v != 1) {
        return Invalid("field 'v': unsupported version " + std::to_string(v));
    }
    CONCORD_ASSIGN_OR_RETURN(std::string got, federation::GetString(object, "kind"));
    if (got != kind) {
        return Invalid("field 'kind': expected '" + std::string(kind) + "'");
    }
    return {};
}

Result<std::string> GetText(
    const boost::json::object& object,
    std::string_view name,
    std::size_t max_bytes,
    bool may_be_empty
) {
    CONCORD_ASSIGN_OR_RETURN(std::string text, federation::GetString(object, name));
    if ((text.empty() && !may_be_empty) || text.size() > max_bytes) {
        return Invalid(
            "field '" + std::string(name) + "': must be " + (may_be_empty ? "0" : "1") + " to " +
            std::to_string(max_bytes) + " bytes"
        );
    }
    for (char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7f) {
            return Invalid("field '" + std::string(name) + "': control character");
        }
    }
    return text;
}

Result<std::int64_t> GetTimestamp(const boost::json::object& object, std::string_view name) {
    CONCORD_ASSIGN_OR_RETURN(std::string text, federation::GetString(object, name));
    auto ms = ParseTimestamp(text);
    if (!ms || FormatTimestamp(*ms) != text) {
        return Invalid(
            "field '" + std::string(name) +
            "': expected RFC 3339 UTC with milliseconds (2026-11-29T10:00:00.000Z)"
        );
    }
    return *ms;
}

Result<crypto::PublicKey> GetPublicKey(const boost::json::object& object, std::string_view name) {
    CONCORD_ASSIGN_OR_RETURN(std::string text, federation::GetString(object, name));
    auto bytes = crypto::Base64Decode(text);
    if (!bytes) {
        return Invalid("field '" + std::string(name) + "': not base64");
    }
    auto key = crypto::PublicKey::FromBytes(*bytes);
    if (!key) {
        return Invalid("field '" + std::string(name) + "': " + key.error().message);
    }
    return *key;
}

std::string KeyText(const crypto::PublicKey& key) {
    return crypto::Base64Encode(ByteSpan(key.Bytes().data(), key.Bytes().size()));
}

}  // namespace concord::app::internal
