#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "concord/net/stream.hpp"

namespace concord::net {

class EventHub;

/// Header fields in arrival order; names keep the case the peer sent.
using HeaderList = std::vector<std::pair<std::string, std::string>>;

/// One HTTP request as a handler sees it. Filled by the server; tests may build one by hand.
struct Request {
    std::string method;  ///< "GET", "POST", ... (upper case as sent)
    std::string path;    ///< the target up to '?', not decoded, e.g. "/api/v1/messages/42"
    std::string query;   ///< the raw text after '?', without it; empty if none
    std::string body;
    std::string remote_ip;                      ///< the peer's address, e.g. "127.0.0.1" or "::1"
    std::map<std::string, std::string> params;  ///< path parameters bound by the Router
    HeaderList headers;
    uint64_t connection_id = 0;  ///< the server's id of the connection (same for keep-alive reuse)

    /// The first header called `name` (ASCII case-insensitive), or nullopt.
    [[nodiscard]] std::optional<std::string> Header(std::string_view name) const;
    /// The first query parameter `key`, percent-decoded ('+' is a space), or nullopt.
    [[nodiscard]] std::optional<std::string> QueryParam(std::string_view key) const;
    /// The path parameter `name` bound by the Router, or an empty string.
    [[nodiscard]] std::string Param(std::string_view name) const;
};

/// One HTTP response. When `event_stream` is set the server ignores `body` and turns the
/// connection into a Server-Sent Events stream fed by the hub (see EventHub); such a connection
/// is not reused for another request. When `body_producer` is set the server ignores `body` and
/// sends what the producer gives, in constant memory (see BodyProducer).
struct Response {
    unsigned status = 200;
    std::string content_type = "application/json";
    std::string body;
    HeaderList headers;  ///< extra header fields; Content-Type and Content-Length are set for you
    std::shared_ptr<EventHub> event_stream;
    /// Produces the body piece by piece on the route's handler pool (the streaming pool for a
    /// streaming route, which is where large bodies belong).
    BodyProducer body_producer;
    /// The producer's total size, sent as Content-Length; the producer must give exactly that
    /// many bytes, else the connection is closed early. Without it the body is sent chunked.
    std::optional<std::uint64_t> body_size;

    /// The first header called `name` (ASCII case-insensitive), or nullopt.
    [[nodiscard]] std::optional<std::string> Header(std::string_view name) const;
};

/// A JSON response with `status` and an already serialised JSON `body`.
Response Json(unsigned status, std::string body);

/// `{"error":{"code":"<code>","message":"<message>"}}` with `status`. The body is always valid
/// UTF-8 JSON: ill-formed UTF-8 becomes U+FFFD, control characters are escaped, and a message
/// longer than 1024 bytes is cut (so an echoed path or id can neither break nor bloat it).
Response ErrorJson(unsigned status, std::string_view code, std::string_view message);

/// `text` with every ill-formed UTF-8 sequence replaced by U+FFFD, cut to at most `max_bytes`
/// bytes on a character boundary ("..." marks a cut). Control characters are kept: JSON
/// serialisation (error bodies, log lines) escapes them.
std::string SanitizeForDisplay(std::string_view text, size_t max_bytes);

/// Decodes %XX escapes and, when `plus_is_space`, '+' as a space. Invalid escapes are kept as is.
std::string PercentDecode(std::string_view text, bool plus_is_space);

/// Percent-encodes every byte but RFC 3986's unreserved characters (A-Z a-z 0-9 - . _ ~): safe
/// in a path segment, a query value and an RFC 8187 header parameter.
std::string PercentEncode(std::string_view text);

/// Compares two strings ignoring ASCII case.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

/// Chooses the handler pool (ServerOptions::handler_pools) of a request to a route from its
/// method, path and header fields, before the handler runs; it runs on an I/O thread, so it must
/// be quick and must not block. An empty name or a name of no pool means the default pool.
using PoolChooser = std::function<std::string(const Request&)>;

/// Handles one request. Runs on a handler thread (it may block for a while, e.g. on a database
/// commit); it must be safe to call concurrently from several threads. An exception escaping a
/// handler becomes a 500 `internal` error.
using Handler = std::function<Response(Request&)>;

/// Handles one request to a streaming route: `request.body` is empty and the body is pulled from
/// `body` (BodySource::Read) while it arrives, so memory stays constant whatever its size. Runs
/// on the server's streaming pool (ServerOptions::stream_threads); `body` is valid only until the
/// handler returns. A handler may return before reading the whole body (e.g. to refuse it): the
/// server then answers and closes the connection. The response may carry a `body_producer` for
/// a large download.
using StreamHandler = std::function<Response(Request&, BodySource& body)>;

/// Maps (method, path pattern) to handlers. A pattern is a path whose segments may be
/// `{name}` placeholders matching one non-empty segment, e.g. "/api/v1/messages/{id}"; literal
/// segments win over placeholders. Dispatch answers 404 `not_found` for an unknown path and 405
/// `method_not_allowed` (with an Allow header) for a known path with another method.
///
/// Add routes before handing the Router to Server::Start; afterwards it is only read, so
/// concurrent Dispatch calls are safe.
class Router {
public:
    /// Adds a route whose handler runs on the pool `pool` (empty: the default pool). A second
    /// route with the same method and pattern replaces the first.
    void Add(std::string method, std::string pattern, Handler handler, std::string pool = {});
    /// Adds a route whose pool is chosen per request by `choose` (e.g. from a priority header).
    void Add(std::string method, std::string pattern, Handler handler, PoolChooser choose);
    /// Adds a streaming route: its body is not read into `Request::body` but handed to the
    /// handler as a BodySource, limited by `options.max_body_bytes` instead of
    /// ServerOptions::max_body_bytes, and its handler runs on the streaming pool, within the
    /// server's cap of concurrent streaming transfers (ServerOptions::max_stream_transfers).
    void AddStreaming(
        std::string method, std::string pattern, StreamHandler handler, StreamOptions options = {}
    );
    /// The (method, pattern) pairs in the order they were added, e.g. for an OpenAPI check.
    [[nodiscard]] std::vector<std::pair<std::string, std::string>> Routes() const;
    /// Finds the route for `request`, binds `request.params` and runs the handler (a streaming
    /// one reads `request.body` through a MemoryBodySource).
    Response Dispatch(Request& request) const;
    /// As Dispatch, but a streaming route's handler reads its body from `body`; a normal
    /// route's handler sees `request.body` as usual.
    Response Dispatch(Request& request, BodySource& body) const;
    /// The options of the streaming route that `request` (its method and path) matches, or
    /// nullopt when it matches a normal route or none. Does not run the handler.
    [[nodiscard]] std::optional<StreamOptions> StreamingFor(const Request& request) const;
    /// The pool the handler for `request` runs on ("" for the default pool and for requests
    /// that match no route). Does not run the handler.
    [[nodiscard]] std::string PoolFor(const Request& request) const;
    /// Every pool name given to Add as a string (for a check at Server::Start).
    [[nodiscard]] std::vector<std::string> PoolNames() const;

private:
    struct Route {
        std::string method;
        std::string pattern;
        std::vector<std::string> segments;
        Handler handler;
        std::string pool;
        PoolChooser choose;
        StreamHandler stream;  // set for a streaming route (then `handler` is empty)
        StreamOptions stream_options;
    };
    const Route* Find(const Request& request, std::vector<std::string>* allowed) const;
    Route& Slot(std::string method, std::string pattern);
    std::vector<Route> routes_;
};

}  // namespace concord::net
