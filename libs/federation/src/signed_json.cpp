#include "concord/federation/signed_json.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "concord/core/assert.hpp"
#include "concord/core/canonical_json.hpp"
#include "concord/crypto/base64.hpp"

namespace concord::federation {
namespace {

Bytes SignedBytes(std::string_view domain, const boost::json::object& without_sig) {
    std::string message(domain);
    message += '\n';
    message += CanonicalText(without_sig);
    return ToBytes(message);
}

Error FieldError(std::string_view name, std::string_view what) {
    return MakeError(
        ErrorCode::kInvalidArgument, "field '" + std::string(name) + "': " + std::string(what)
    );
}

}  // namespace

std::string CanonicalText(const boost::json::value& value) {
    // Boost.JSON output is valid JSON; canonicalisation of valid JSON cannot fail except for
    // limits that ParseObject already enforced on every value built from outside input.
    auto canonical = json::Canonicalize(boost::json::serialize(value));
    CONCORD_ASSERT(canonical.has_value());
    return std::move(*canonical);
}

crypto::Hash256 CanonicalHash(const boost::json::value& value) {
    return crypto::Sha256(AsBytes(CanonicalText(value)));
}

Result<boost::json::object> ParseObject(std::string_view text) {
    // Canonicalize first: it refuses everything RFC 8785 refuses, with the byte offset.
    CONCORD_ASSIGN_OR_RETURN(std::string canonical, json::CanonicalizeOrError(text));
    boost::system::error_code ec;
    boost::json::parse_options depth;  // Boost's default (32) is below the documented limit
    depth.max_depth = json::kMaxNestingDepth;
    boost::json::value value = boost::json::parse(canonical, ec, {}, depth);
    if (ec) {
        return MakeError(ErrorCode::kInvalidArgument, "JSON: " + ec.message());
    }
    if (!value.is_object()) {
        return MakeError(ErrorCode::kInvalidArgument, "JSON: expected an object");
    }
    return std::move(value.as_object());
}

Result<std::string> SignObject(
    boost::json::object object, std::string_view domain, const crypto::SigningKey& key
) {
    if (object.contains("sig")) {
        return MakeError(ErrorCode::kInvalidArgument, "object is signed already");
    }
    const auto& public_key = key.PublicKey().Bytes();
    object["key"] = crypto::Base64Encode(ByteSpan(public_key.data(), public_key.size()));
    const crypto::Signature sig = key.Sign(SignedBytes(domain, object));
    object["sig"] = crypto::Base64Encode(ByteSpan(sig.data(), sig.size()));
    return CanonicalText(object);
}

Result<crypto::PublicKey> SignerKey(const boost::json::object& signed_object) {
    CONCORD_ASSIGN_OR_RETURN(std::string key_text, GetString(signed_object, "key"));
    auto key_bytes = crypto::Base64Decode(key_text);
    if (!key_bytes) {
        return FieldError("key", "not base64");
    }
    auto key = crypto::PublicKey::FromBytes(*key_bytes);
    if (!key) {
        return FieldError("key", key.error().message);
    }
    return *key;
}

Result<void> VerifyObject(const boost::json::object& signed_object, std::string_view domain) {
    CONCORD_ASSIGN_OR_RETURN(crypto::PublicKey key, SignerKey(signed_object));
    return VerifyObjectWithKey(signed_object, domain, key);
}

Result<void> VerifyObjectWithKey(
    const boost::json::object& signed_object, std::string_view domain, const crypto::PublicKey& key
) {
    CONCORD_ASSIGN_OR_RETURN(std::string sig_text, GetString(signed_object, "sig"));
    auto sig = crypto::Base64Decode(sig_text);
    if (!sig || sig->size() != 64) {
        return FieldError("sig", "not a base64 Ed25519 signature");
    }
    boost::json::object without_sig = signed_object;
    without_sig.erase("sig");
    return crypto::Verify(key, SignedBytes(domain, without_sig), *sig);
}

Result<std::string> GetString(const boost::json::object& o, std::string_view name) {
    const auto* v = o.if_contains(name);
    if (v == nullptr) {
        return FieldError(name, "missing");
    }
    if (!v->is_string()) {
        return FieldError(name, "expected a string");
    }
    return std::string(v->as_string());
}

Result<std::string> GetOptionalString(const boost::json::object& o, std::string_view name) {
    const auto* v = o.if_contains(name);
    if (v == nullptr || v->is_null()) {
        return std::string();
    }
    if (!v->is_string()) {
        return FieldError(name, "expected a string or null");
    }
    return std::string(v->as_string());
}

Result<std::int64_t> GetInt(const boost::json::object& o, std::string_view name) {
    const auto* v = o.if_contains(name);
    if (v == nullptr) {
        return FieldError(name, "missing");
    }
    if (v->is_int64()) {
        return v->as_int64();
    }
    if (v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
        return static_cast<std::int64_t>(v->as_uint64());
    }
    if (v->is_double()) {
        // Range first: converting a double outside int64 is undefined behaviour.
        const double d = v->as_double();
        if (d >= -9007199254740991.0 && d <= 9007199254740991.0 &&
            d == static_cast<double>(static_cast<std::int64_t>(d))) {
            return static_cast<std::int64_t>(d);
        }
    }
    return FieldError(name, "expected an integer");
}

Result<const boost::json::object*> GetObject(const boost::json::object& o, std::string_view name) {
    const auto* v = o.if_contains(name);
    if (v == nullptr || !v->is_object()) {
        return FieldError(name, v == nullptr ? "missing" : "expected an object");
    }
    return &v->as_object();
}

Result<const boost::json::array*> GetArray(const boost::json::object& o, std::string_view name) {
    const auto* v = o.if_contains(name);
    if (v == nullptr || !v->is_array()) {
        return FieldError(name, v == nullptr ? "missing" : "expected an array");
    }
    return &v->as_array();
}

}  // namespace concord::federation
