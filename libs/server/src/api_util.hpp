#pragma once

// What every HTTP handler of a node shares: the one mapping from Error to an HTTP answer, error
// bodies, query parameters and JSON parsing with the documented limits.

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "concord/core/result.hpp"
#include "concord/net/http.hpp"

namespace concord::server {

/// The largest ledger index or tree size a query may name (the store's int64 range).
inline constexpr std::uint64_t kMaxIndex = (std::uint64_t{1} << 63) - 1;

std::int64_t ToJson(std::uint64_t v);

/// `text` with every ill-formed UTF-8 sequence replaced by U+FFFD, so that an echoed path, id or
/// parameter never makes an error body invalid JSON text.
std::string ValidUtf8(std::string_view text);

/// {"error":{"code":CODE,"message":MESSAGE, ...extra}} with `status`.
net::Response ErrorBody(
    unsigned status, std::string_view code, std::string_view message, boost::json::object extra = {}
);

/// The one mapping from Error to an HTTP answer. Errors a client can act on keep their message;
/// store errors and broken invariants are logged with an incident number and answered with a
/// generic message (store text never reaches a client).
net::Response FromError(const Error& error);

/// A refused query parameter: 400 invalid_parameter naming it.
net::Response ParameterError(std::string_view name, std::string_view reason);

/// Query parameter `name` as an unsigned decimal integer from `min` to `max`: digits only (no
/// sign, exponent, fraction, space or trailing text), or `fallback` when absent. An absent
/// parameter without a fallback, or an empty one, is refused.
std::variant<std::uint64_t, net::Response> UnsignedParam(
    const net::Request& request,
    std::string_view name,
    std::uint64_t min,
    std::uint64_t max,
    std::optional<std::uint64_t> fallback = std::nullopt
);

/// Query parameter `name` as one of `allowed`, or `fallback` when absent.
std::variant<std::string, net::Response> ChoiceParam(
    const net::Request& request,
    std::string_view name,
    std::initializer_list<std::string_view> allowed,
    std::string_view fallback
);

/// Parses JSON text from a client or the store with the documented nesting limit
/// (docs/formats/canonical-json.md), not Boost's default of 32.
boost::json::value ParseJson(std::string_view text, boost::system::error_code& ec);

/// The request body as a JSON object; nullopt, with `refusal` set to a 400, otherwise.
std::optional<boost::json::object> BodyObject(const net::Request& request, net::Response& refusal);

/// The string member `key` of `o`; empty when absent or not a string.
std::string Text(const boost::json::object& o, std::string_view key);

/// The reader's language: ?lang=, else Accept-Language, else `fallback`.
std::string Language(const net::Request& request, std::string fallback = "en");

}  // namespace concord::server
