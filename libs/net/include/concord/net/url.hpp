#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "concord/core/result.hpp"

// URL parsing without any network code, so that configuration parsers (and their fuzz target)
// can check a URL without linking the HTTP client.
namespace concord::net {

/// A parsed http(s) URL.
struct Url {
    bool tls = false;
    std::string host;  ///< without brackets for IPv6
    uint16_t port = 0;
    std::string target;  ///< path and query, at least "/"
};

/// Parses "http[s]://host[:port][/path][?query]"; kInvalidArgument if malformed.
Result<Url> ParseUrl(std::string_view url);

}  // namespace concord::net
