#include "concord/net/url.hpp"

#include <charconv>

namespace concord::net {

Result<Url> ParseUrl(std::string_view text) {
    Url url;
    std::string_view rest = text;
    if (rest.starts_with("https://")) {
        url.tls = true;
        rest.remove_prefix(8);
    } else if (rest.starts_with("http://")) {
        rest.remove_prefix(7);
    } else {
        return MakeError(ErrorCode::kInvalidArgument, "URL must start with http:// or https://");
    }
    size_t slash = rest.find_first_of("/?");
    std::string_view authority = rest.substr(0, slash);
    std::string target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
    if (!target.empty() && target.front() == '?') {
        target = "/" + target;
    }
    if (target.find_first_of(" \r\n") != std::string::npos ||
        target.find('#') != std::string::npos) {
        return MakeError(ErrorCode::kInvalidArgument, "URL path contains a forbidden character");
    }
    url.target = std::move(target);
    std::string_view port_text;
    if (!authority.empty() && authority.front() == '[') {
        size_t close = authority.find(']');
        if (close == std::string_view::npos) {
            return MakeError(ErrorCode::kInvalidArgument, "unterminated IPv6 literal in URL");
        }
        url.host = std::string(authority.substr(1, close - 1));
        std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') {
                return MakeError(ErrorCode::kInvalidArgument, "bad URL authority");
            }
            port_text = after.substr(1);
        }
    } else {
        size_t colon = authority.rfind(':');
        url.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) {
            port_text = authority.substr(colon + 1);
        }
    }
    if (url.host.empty() || url.host.find_first_of("@/ ") != std::string::npos) {
        return MakeError(ErrorCode::kInvalidArgument, "URL has no valid host");
    }
    if (port_text.empty()) {
        url.port = url.tls ? 443 : 80;
    } else {
        unsigned port = 0;
        auto [ptr, ec] =
            std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
        if (ec != std::errc{} || ptr != port_text.data() + port_text.size() || port == 0 ||
            port > 65535) {
            return MakeError(ErrorCode::kInvalidArgument, "bad port in URL");
        }
        url.port = static_cast<uint16_t>(port);
    }
    return url;
}

}  // namespace concord::net
