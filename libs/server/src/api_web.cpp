// The browser UI on the local API listener: the built single-page application of web/ (its
// index.html at / and its hashed files at /assets/), with a Content-Security-Policy that lets the
// page load only its own scripts and styles and talk only to this origin (docs/web.md).

#include <array>
#include <fstream>

#include "api_routes.hpp"
#include "api_util.hpp"

namespace concord::server {
namespace {

using net::Request;
using net::Response;

// The built UI is a few hundred kilobytes; a larger file is not one of its files.
constexpr std::uintmax_t kMaxWebFileBytes = std::uintmax_t{16} << 20;

struct MediaType {
    std::string_view extension;
    std::string_view type;
};

constexpr std::array<MediaType, 9> kMediaTypes{{
    {".js", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".html", "text/html; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".woff2", "font/woff2"},
    {".json", "application/json"},
    {".mp3", "audio/mpeg"},
    {".wav", "audio/wav"},
}};

// Scripts and styles from this origin only (no inline script, no eval), data: images for the
// enrolment QR code, connections to this origin only (the API and its event stream), no
// framing, no plugins, forms posting nowhere else.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; media-src 'self'; connect-src 'self'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";

// A file name of the build's assets folder: letters, digits, '.', '-', '_', not starting with
// a dot (so neither ".." nor a hidden file), with a known extension.
std::optional<std::string_view> AssetMediaType(std::string_view name) {
    if (name.empty() || name.size() > 128 || name.front() == '.') {
        return std::nullopt;
    }
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
        if (!ok) {
            return std::nullopt;
        }
    }
    for (const auto& m : kMediaTypes) {
        if (name.size() > m.extension.size() && name.ends_with(m.extension)) {
            return m.type;
        }
    }
    return std::nullopt;
}

Response NotFound() {
    return ErrorBody(404, "not_found", "no such file of the web UI");
}

Response ServeFile(
    const std::filesystem::path& path, std::string_view media_type, std::string_view cache
) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec || !std::filesystem::is_regular_file(path, ec) || size > kMaxWebFileBytes) {
        return NotFound();
    }
    std::ifstream in(path, std::ios::binary);
    std::string body(static_cast<std::size_t>(size), '\0');
    if (!in.read(body.data(), static_cast<std::streamsize>(body.size()))) {
        return NotFound();
    }
    Response r;
    r.content_type = std::string(media_type);
    r.body = std::move(body);
    r.headers.emplace_back("Content-Security-Policy", std::string(kContentSecurityPolicy));
    r.headers.emplace_back("X-Content-Type-Options", "nosniff");
    r.headers.emplace_back("Referrer-Policy", "no-referrer");
    r.headers.emplace_back("Cache-Control", std::string(cache));
    return r;
}

}  // namespace

void AddWebRoutes(RouteTable& t, NodeService::Impl& s) {
    if (s.config.web_root.empty()) {
        return;
    }
    // The page itself is asked for again at every visit (a new build changes the asset names);
    // the assets carry their content hash in their names and never change.
    t.Open("GET", "/", [&s](Request&) {
        return ServeFile(s.config.web_root / "index.html", "text/html; charset=utf-8", "no-cache");
    });
    t.Open("GET", "/assets/{file}", [&s](Request& r) {
        const std::string& name = r.params.at("file");
        const auto media_type = AssetMediaType(name);
        if (!media_type) {
            return NotFound();
        }
        return ServeFile(
            s.config.web_root / "assets" / name, *media_type, "public, max-age=31536000, immutable"
        );
    });
}

}  // namespace concord::server
