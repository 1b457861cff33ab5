#include "api_util.hpp"

#include <atomic>
#include <charconv>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "concord/core/canonical_json.hpp"
#include "concord/core/log.hpp"
#include "concord/core/utf8.hpp"

namespace concord::server {

using net::Json;
using net::Request;
using net::Response;

namespace {

// True for an error that comes from a storage backend: its text (SQL, constraint names, file
// paths) is for the operator's log, never for a client.
bool IsStoreError(const Error& error) {
    const std::string_view m = error.message;
    return m.starts_with("sqlite") || m.starts_with("postgres") || m.starts_with("store");
}

}  // namespace

std::int64_t ToJson(std::uint64_t v) {
    return static_cast<std::int64_t>(v);
}

// `text` with every ill-formed UTF-8 sequence replaced by U+FFFD, so that an echoed path, id or
// parameter never makes an error body invalid JSON text.
std::string ValidUtf8(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t pos = 0; pos < text.size();) {
        const std::size_t len = Utf8SequenceLength(text, pos);
        if (len == 0) {
            out += "\xEF\xBF\xBD";
            ++pos;
        } else {
            out.append(text.substr(pos, len));
            pos += len;
        }
    }
    return out;
}

// {"error":{"code":CODE,"message":MESSAGE, ...extra}} with `status`.
Response ErrorBody(
    unsigned status, std::string_view code, std::string_view message, boost::json::object extra
) {
    boost::json::object error = std::move(extra);
    error["code"] = code;
    error["message"] = ValidUtf8(message);
    boost::json::object root;
    root["error"] = std::move(error);
    return Json(status, boost::json::serialize(root));
}

// The one mapping from Error to an HTTP answer. Errors a client can act on keep their message;
// store errors and broken invariants are logged with an incident number and answered with a
// generic message.
Response FromError(const Error& error) {
    static std::atomic<std::uint64_t> incidents{0};
    const bool internal = IsStoreError(error) || error.code == ErrorCode::kCorruption ||
                          error.code == ErrorCode::kInternal;
    if (internal || error.code == ErrorCode::kUnavailable) {
        const std::uint64_t incident = incidents.fetch_add(1) + 1;
        log::Error(
            internal ? "internal error answering a request" : "request refused: unavailable",
            {{"incident", static_cast<long long>(incident)}, {"error", error.ToString()}}
        );
        boost::json::object extra;
        extra["incident"] = static_cast<std::int64_t>(incident);
        if (error.code == ErrorCode::kUnavailable) {
            return ErrorBody(
                503, "unavailable", "the node cannot serve this now; retry later", std::move(extra)
            );
        }
        return ErrorBody(
            500, "internal", "internal error; the node's log has the details", std::move(extra)
        );
    }
    // A refusal's reason, when it has one, goes beside its code for a client that acts on it.
    boost::json::object extra;
    if (!error.reason.empty()) {
        extra["reason"] = ValidUtf8(error.reason);
    }
    switch (error.code) {
        case ErrorCode::kInvalidArgument:
            return ErrorBody(400, "invalid_argument", error.message, std::move(extra));
        case ErrorCode::kNotFound:
            return ErrorBody(404, "not_found", error.message, std::move(extra));
        case ErrorCode::kAlreadyExists:
            return ErrorBody(409, "already_exists", error.message, std::move(extra));
        case ErrorCode::kUnauthenticated:
            return ErrorBody(401, "unauthenticated", error.message, std::move(extra));
        case ErrorCode::kPermissionDenied:
            return ErrorBody(403, "permission_denied", error.message, std::move(extra));
        default:
            return ErrorBody(500, "internal", "internal error");
    }
}

// A refused query parameter: 400 invalid_parameter naming it.
Response ParameterError(std::string_view name, std::string_view reason) {
    boost::json::object extra;
    extra["parameter"] = ValidUtf8(name);
    return ErrorBody(
        400,
        "invalid_parameter",
        "query parameter '" + std::string(name) + "': " + std::string(reason),
        std::move(extra)
    );
}

// Query parameter `name` as an unsigned decimal integer from `min` to `max`: digits only (no
// sign, exponent, fraction, space or trailing text), or `fallback` when absent. An absent
// parameter without a fallback, or an empty one, is refused.
std::variant<std::uint64_t, Response> UnsignedParam(
    const Request& request,
    std::string_view name,
    std::uint64_t min,
    std::uint64_t max,
    std::optional<std::uint64_t> fallback
) {
    const auto text = request.QueryParam(name);
    if (!text) {
        if (fallback) {
            return *fallback;
        }
        return ParameterError(name, "is required");
    }
    const std::string range =
        "must be an integer from " + std::to_string(min) + " to " + std::to_string(max);
    std::uint64_t value = 0;
    const char* end = text->data() + text->size();
    const auto [ptr, ec] = std::from_chars(text->data(), end, value);
    const bool digits_only =
        !text->empty() && text->find_first_not_of("0123456789") == std::string::npos;
    if (!digits_only || ec != std::errc{} || ptr != end || value < min || value > max) {
        return ParameterError(name, range + ", not '" + *text + "'");
    }
    return value;
}

// Query parameter `name` as one of `allowed`, or `fallback` when absent.
std::variant<std::string, Response> ChoiceParam(
    const Request& request,
    std::string_view name,
    std::initializer_list<std::string_view> allowed,
    std::string_view fallback
) {
    const auto text = request.QueryParam(name);
    if (!text) {
        return std::string(fallback);
    }
    std::string list;
    for (std::string_view a : allowed) {
        if (*text == a) {
            return *text;
        }
        list += (list.empty() ? "'" : ", '") + std::string(a) + "'";
    }
    return ParameterError(name, "must be one of " + list + ", not '" + *text + "'");
}

// Parses JSON text from a client or the store with the documented nesting limit
// (docs/formats/canonical-json.md), not Boost's default of 32.
boost::json::value ParseJson(std::string_view text, boost::system::error_code& ec) {
    boost::json::parse_options options;
    options.max_depth = json::kMaxNestingDepth;
    return boost::json::parse(text, ec, {}, options);
}

// The reader's language: ?lang=, else Accept-Language, else `fallback`.
std::string Language(const Request& request, std::string fallback) {
    if (auto lang = request.QueryParam("lang")) {
        return *lang;
    }
    if (auto header = request.Header("Accept-Language"); header && header->size() >= 2) {
        return header->substr(0, 2);
    }
    return fallback;
}

std::optional<boost::json::object> BodyObject(const Request& request, Response& refusal) {
    boost::system::error_code ec;
    boost::json::value v = ParseJson(request.body, ec);
    if (ec || !v.is_object()) {
        refusal = ErrorBody(400, "invalid_argument", "the body must be a JSON object");
        return std::nullopt;
    }
    return std::move(v.as_object());
}

std::string Text(const boost::json::object& o, std::string_view key) {
    const boost::json::value* v = o.if_contains(key);
    return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string{};
}

}  // namespace concord::server
