#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "concord/core/result.hpp"
#include "concord/net/event_hub.hpp"
#include "concord/net/http.hpp"
#include "concord/net/url.hpp"

namespace concord::net {

/// Settings of an HttpClient or EventStreamClient.
struct ClientOptions {
    /// Deadline of a whole request: connect, TLS handshake, write and read. For an
    /// EventStreamClient it bounds the connection up to the response header only.
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
    /// Number of TCP connections opened so far (for tests and metrics).
    [[nodiscard]] size_t connections_opened() const;
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
        std::string url,
        ClientOptions options,
        HeaderList headers,
        std::function<void(const Event&)> on_event
    );
    ~EventStreamClient();
    EventStreamClient(const EventStreamClient&) = delete;
    EventStreamClient& operator=(const EventStreamClient&) = delete;

    /// Closes the stream and joins the thread. Idempotent; not from `on_event`.
    void Stop();
    /// True once the stream has ended (server closed it, error, or Stop).
    [[nodiscard]] bool done() const;

    class Impl;

private:
    explicit EventStreamClient(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace concord::net
