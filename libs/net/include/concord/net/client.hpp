#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "concord/core/result.hpp"
#include "concord/net/event_hub.hpp"
#include "concord/net/http.hpp"
#include "concord/net/stream.hpp"
#include "concord/net/url.hpp"

namespace concord::net {

/// Settings of an HttpClient or EventStreamClient.
struct ClientOptions {
    /// Deadline of a whole request: connect, TLS handshake, write and read. For an
    /// EventStreamClient it bounds the connection up to the response header only. For
    /// HttpClient::Upload and Download it bounds each step instead (connecting, the handshake,
    /// every chunk written or read), so a transfer of any size may last as long as it moves.
    std::chrono::milliseconds timeout{10000};
    /// Hex SHA-256 of the server certificate's DER (colons and case ignored). Nodes use
    /// self-signed certificates whose fingerprint is published in the signed directory, so
    /// pinning replaces chain and hostname verification. Required for https unless
    /// `insecure_skip_verify`.
    std::string pinned_cert_sha256;
    /// Accept any server certificate (tests and tools only).
    bool insecure_skip_verify = false;
    /// Allow http:// URLs (loopback development and tests).
    bool allow_plain_http = false;
    /// Responses with a larger body fail with kUnavailable.
    size_t max_response_body_bytes = size_t{64} << 20;
};

/// A synchronous HTTP/1.1 client for worker threads. It keeps one keep-alive connection per
/// host:port and reuses it; when a reused connection turns out closed by the server, it
/// reconnects once transparently. Calls are serialised by an internal mutex, so an instance is
/// thread-safe, but concurrent callers wait for each other: give each worker thread its own.
///
/// Errors of Send: kInvalidArgument (bad URL, https without pin, plain http not allowed),
/// kUnavailable (connection refused, timeout, DNS, TLS handshake, connection lost, response too
/// large), kPermissionDenied (the certificate does not match the pin). HTTP error statuses are
/// not errors: they are returned in the Response.
class HttpClient {
public:
    explicit HttpClient(ClientOptions options = {});
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    /// Sends one request and returns the response (with its headers in Response::headers).
    Result<Response> Send(
        std::string_view method,
        std::string_view url,
        std::string_view body,
        const HeaderList& headers = {}
    );
    /// Sends `method` `url` with a body pulled from `body` in chunks, in constant memory: the
    /// first `size` bytes with Content-Length when `size` is given, else the whole source
    /// chunked. It asks `Expect: 100-continue` first, so a server refusing at once (413 for a
    /// stated size over its limit, 503 `busy`) is answered without a body byte sent; that
    /// answer is returned. The response (small: a status document) is returned whole, bounded
    /// by max_response_body_bytes. Runs on a connection of its own, closed afterwards, and is
    /// never retried (the source is consumed). Errors as Send; kInvalidArgument when the source
    /// ends before `size` bytes; the source's error when its Read fails.
    Result<Response> Upload(
        std::string_view method,
        std::string_view url,
        const HeaderList& headers,
        BodySource& body,
        std::optional<std::uint64_t> size
    );
    /// GETs `url` and hands a 2xx response's body to `sink` chunk by chunk, in constant memory;
    /// Response::body stays empty then. Another status's body (an error document) is returned
    /// in Response::body, bounded by max_response_body_bytes. `headers` go out as given, so a
    /// caller resumes a transfer with "Range: bytes=<from>-" and checks for 206 and
    /// Content-Range. Runs on a connection of its own, closed afterwards. Errors as Send
    /// (kUnavailable also when the body ends early); the sink's error when it fails.
    Result<Response> Download(
        std::string_view url, const HeaderList& headers, const BodySink& sink
    );
    /// Number of TCP connections opened so far (for tests and metrics).
    [[nodiscard]] size_t ConnectionsOpened() const;
    /// Closes every kept connection.
    void CloseIdle();

    class Impl;

private:
    std::unique_ptr<Impl> impl_;
};

/// A Server-Sent Events client running on its own thread (for tests, the demo and tools).
/// Connect returns once the server has answered 200 with text/event-stream; `on_event` is then
/// called on the client's thread for each event, in order. The stream does not reconnect: when
/// the server ends it, done() becomes true.
class EventStreamClient {
public:
    /// Errors as HttpClient::Send, plus kUnavailable when the answer is not a 200 event stream.
    static Result<std::unique_ptr<EventStreamClient>> Connect(
        const std::string& url,
        ClientOptions options,
        HeaderList headers,
        std::function<void(const Event&)> on_event
    );
    /// Stops the stream (Stop()); as ~Server, an exception out of Stop() ends the process.
    // NOLINTNEXTLINE(bugprone-exception-escape)
    ~EventStreamClient();
    EventStreamClient(const EventStreamClient&) = delete;
    EventStreamClient& operator=(const EventStreamClient&) = delete;

    /// Closes the stream and joins the thread. Idempotent; not from `on_event`.
    void Stop();
    /// True once the stream has ended (server closed it, error, or Stop).
    [[nodiscard]] bool Done() const;

    class Impl;

private:
    explicit EventStreamClient(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace concord::net
