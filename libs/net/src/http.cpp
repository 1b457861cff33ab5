#include "concord/net/http.hpp"

#include <algorithm>
#include <cctype>

#include <boost/json.hpp>

#include "concord/core/utf8.hpp"

namespace concord::net {
namespace {

char Lower(char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

std::optional<std::string> FindHeader(const HeaderList& headers, std::string_view name) {
    for (const auto& [key, value] : headers) {
        if (EqualsIgnoreCase(key, name)) {
            return value;
        }
    }
    return std::nullopt;
}

int HexValue(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

std::vector<std::string> SplitPath(std::string_view path) {
    std::vector<std::string> segments;
    size_t start = 0;
    while (start <= path.size()) {
        size_t slash = path.find('/', start);
        if (slash == std::string_view::npos) {
            slash = path.size();
        }
        if (slash > start) {
            segments.emplace_back(path.substr(start, slash - start));
        }
        start = slash + 1;
    }
    return segments;
}

bool IsPlaceholder(std::string_view segment) {
    return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

// Number of literal segments, so "/a/b" is preferred over "/a/{x}" when both match.
size_t Specificity(const std::vector<std::string>& segments) {
    return static_cast<size_t>(std::count_if(segments.begin(), segments.end(), [](const auto& s) {
        return !IsPlaceholder(s);
    }));
}

bool Match(
    const std::vector<std::string>& pattern,
    const std::vector<std::string>& path,
    std::map<std::string, std::string>* params
) {
    if (pattern.size() != path.size()) {
        return false;
    }
    for (size_t i = 0; i < pattern.size(); ++i) {
        if (IsPlaceholder(pattern[i])) {
            if (params != nullptr) {
                (*params)[pattern[i].substr(1, pattern[i].size() - 2)] =
                    PercentDecode(path[i], false);
            }
        } else if (pattern[i] != path[i]) {
            return false;
        }
    }
    return true;
}

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return Lower(x) == Lower(y);
           });
}

std::string PercentDecode(std::string_view text, bool plus_is_space) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '%' && i + 2 < text.size()) {
            int hi = HexValue(text[i + 1]);
            int lo = HexValue(text[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out.push_back(static_cast<char>(hi * 16 + lo));
                i += 2;
                continue;
            }
        }
        out.push_back(plus_is_space && c == '+' ? ' ' : c);
    }
    return out;
}

std::string PercentEncode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            out.push_back(c);
        } else {
            out.push_back('%');
            out.push_back(kHex[u >> 4]);
            out.push_back(kHex[u & 15]);
        }
    }
    return out;
}

std::optional<std::string> Request::Header(std::string_view name) const {
    return FindHeader(headers, name);
}

std::optional<std::string> Request::QueryParam(std::string_view key) const {
    std::string_view rest = query;
    while (!rest.empty()) {
        size_t amp = rest.find('&');
        std::string_view pair = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
        size_t eq = pair.find('=');
        std::string name = PercentDecode(pair.substr(0, eq), true);
        if (name == key) {
            return eq == std::string_view::npos ? std::string{}
                                                : PercentDecode(pair.substr(eq + 1), true);
        }
    }
    return std::nullopt;
}

std::string Request::Param(std::string_view name) const {
    auto it = params.find(std::string(name));
    return it == params.end() ? std::string{} : it->second;
}

std::optional<std::string> Response::Header(std::string_view name) const {
    return FindHeader(headers, name);
}

Response Json(unsigned status, std::string body) {
    Response response;
    response.status = status;
    response.body = std::move(body);
    return response;
}

std::string SanitizeForDisplay(std::string_view text, size_t max_bytes) {
    static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
    static constexpr std::string_view kCut = "...";
    std::string out;
    std::vector<size_t> boundaries;  // where each output character starts
    size_t pos = 0;
    while (pos < text.size()) {
        size_t len = Utf8SequenceLength(text, pos);
        boundaries.push_back(out.size());
        if (len == 0) {
            len = 1;
            out += kReplacement;
        } else {
            out += text.substr(pos, len);
        }
        pos += len;
    }
    if (out.size() <= max_bytes) {
        return out;
    }
    if (max_bytes < kCut.size()) {
        return std::string(kCut.substr(0, max_bytes));
    }
    size_t keep = 0;
    for (size_t boundary : boundaries) {
        if (boundary > max_bytes - kCut.size()) {
            break;
        }
        keep = boundary;
    }
    out.resize(keep);
    out += kCut;
    return out;
}

Response ErrorJson(unsigned status, std::string_view code, std::string_view message) {
    static constexpr size_t kMaxCode = 64;
    static constexpr size_t kMaxMessage = 1024;
    boost::json::object error;
    error["code"] = SanitizeForDisplay(code, kMaxCode);
    error["message"] = SanitizeForDisplay(message, kMaxMessage);
    boost::json::object root;
    root["error"] = std::move(error);
    return Json(status, boost::json::serialize(root));
}

Result<size_t> MemoryBodySource::Read(std::span<std::uint8_t> buffer) {
    const size_t n = std::min(buffer.size(), data_.size());
    std::copy_n(data_.begin(), n, buffer.begin());
    data_.remove_prefix(n);
    return n;
}

void Router::Add(std::string method, std::string pattern, Handler handler, std::string pool) {
    Route& route = Slot(std::move(method), std::move(pattern));
    route.handler = std::move(handler);
    route.pool = std::move(pool);
    route.choose = nullptr;
    route.stream = nullptr;
}

void Router::Add(std::string method, std::string pattern, Handler handler, PoolChooser choose) {
    Route& route = Slot(std::move(method), std::move(pattern));
    route.handler = std::move(handler);
    route.pool.clear();
    route.choose = std::move(choose);
    route.stream = nullptr;
}

void Router::AddStreaming(
    std::string method, std::string pattern, StreamHandler handler, StreamOptions options
) {
    Route& route = Slot(std::move(method), std::move(pattern));
    route.handler = nullptr;
    route.pool.clear();
    route.choose = nullptr;
    route.stream = std::move(handler);
    route.stream_options = options;
}

Router::Route& Router::Slot(std::string method, std::string pattern) {
    for (auto& route : routes_) {
        if (route.method == method && route.pattern == pattern) {
            return route;
        }
    }
    std::vector<std::string> segments = SplitPath(pattern);
    routes_.push_back(Route{
        std::move(method), std::move(pattern), std::move(segments), {}, {}, {}, {}, {}});
    return routes_.back();
}

std::vector<std::pair<std::string, std::string>> Router::Routes() const {
    std::vector<std::pair<std::string, std::string>> out;
    out.reserve(routes_.size());
    for (const auto& route : routes_) {
        out.emplace_back(route.method, route.pattern);
    }
    return out;
}

std::vector<std::string> Router::PoolNames() const {
    std::vector<std::string> out;
    for (const auto& route : routes_) {
        if (!route.pool.empty() && std::find(out.begin(), out.end(), route.pool) == out.end()) {
            out.push_back(route.pool);
        }
    }
    return out;
}

const Router::Route* Router::Find(const Request& request, std::vector<std::string>* allowed) const {
    std::vector<std::string> path = SplitPath(request.path);
    const Route* best = nullptr;
    for (const auto& route : routes_) {
        if (!Match(route.segments, path, nullptr)) {
            continue;
        }
        if (route.method != request.method) {
            if (allowed != nullptr &&
                std::find(allowed->begin(), allowed->end(), route.method) == allowed->end()) {
                allowed->push_back(route.method);
            }
            continue;
        }
        if (best == nullptr || Specificity(route.segments) > Specificity(best->segments)) {
            best = &route;
        }
    }
    return best;
}

std::string Router::PoolFor(const Request& request) const {
    const Route* route = Find(request, nullptr);
    if (route == nullptr) {
        return {};
    }
    return route->choose ? route->choose(request) : route->pool;
}

std::optional<StreamOptions> Router::StreamingFor(const Request& request) const {
    const Route* route = Find(request, nullptr);
    if (route == nullptr || !route->stream) {
        return std::nullopt;
    }
    return route->stream_options;
}

Response Router::Dispatch(Request& request) const {
    MemoryBodySource body(request.body);
    return Dispatch(request, body);
}

Response Router::Dispatch(Request& request, BodySource& body) const {
    std::vector<std::string> allowed;
    const Route* best = Find(request, &allowed);
    if (best == nullptr) {
        if (allowed.empty()) {
            return ErrorJson(404, "not_found", "no such resource: " + request.path);
        }
        std::string allow;
        for (const auto& method : allowed) {
            allow += allow.empty() ? method : ", " + method;
        }
        Response response = ErrorJson(
            405,
            "method_not_allowed",
            "method " + request.method + " not allowed; allowed: " + allow
        );
        response.headers.emplace_back("Allow", allow);
        return response;
    }
    std::vector<std::string> path = SplitPath(request.path);
    request.params.clear();
    Match(best->segments, path, &request.params);
    if (best->stream) {
        return best->stream(request, body);
    }
    return best->handler(request);
}

}  // namespace concord::net
