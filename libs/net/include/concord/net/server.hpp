#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "concord/core/result.hpp"
#include "concord/net/http.hpp"

namespace concord::net {

/// A pool of handler threads that routes can be assigned to (Router::Add), so that one class of
/// routes cannot take the threads another needs.
struct HandlerPoolOptions {
    std::string name;  ///< as given to Router::Add; not empty
    int threads = 1;   ///< >= 1
};

/// Settings of a Server. Every limit refusal calls `on_refusal` with its reason and, where the
/// request could be read, answers a JSON error: "too_large" (413), "header_too_large" (431),
/// "too_many_connections" (503, or closed at once; see README), "rate_limited" (429),
/// "header_timeout" (408 once part of a header came, else closed), "bad_request" (400), "busy"
/// (503, every streaming slot taken). A failed accept (e.g. out of file descriptors) is reported
/// as "accept_failed".
struct ServerOptions {
    std::string address = "127.0.0.1";  ///< IPv4 or IPv6 literal to listen on
    uint16_t port = 0;                  ///< 0 picks an ephemeral port; see Server::port()
    std::string tls_cert_pem;           ///< certificate (chain) in PEM; empty means plain HTTP
    std::string tls_key_pem;            ///< private key in PEM
    /// Plain HTTP is served only if this is true AND `address` is a loopback address.
    bool allow_plain_http = false;
    size_t max_body_bytes = size_t{1} << 20;
    size_t max_header_bytes = size_t{16} << 10;
    /// Open connections served at once. The server lowers it to fit the process's file
    /// descriptor limit less `reserved_descriptors` (see Server::max_connections()).
    size_t max_connections = 512;
    /// Open connections from one remote address (IPv4 address, or IPv6 /64 prefix); further
    /// connections from it are closed at once.
    size_t max_connections_per_address = 64;
    /// File descriptors kept free for the rest of the process (store, outgoing deliveries and
    /// the emergency lane, log files) when the connection cap is derived from RLIMIT_NOFILE.
    size_t reserved_descriptors = 256;
    double rate_per_second = 500;  ///< token bucket refill per remote IP (requests/second)
    double rate_burst = 1000;      ///< token bucket size per remote IP
    /// Time allowed for the TLS handshake and for a request's header once its first byte came.
    std::chrono::milliseconds header_timeout{5000};
    /// Time a keep-alive connection may wait for the next request.
    std::chrono::milliseconds idle_timeout{60000};
    /// Time allowed to receive a body and to send a response. For a streaming route it bounds
    /// each step instead (every read into the handler's buffer, every chunk written), so a body
    /// of any size may take as long as it keeps moving.
    std::chrono::milliseconds io_timeout{30000};
    /// Interval of the SSE heartbeat comment.
    std::chrono::milliseconds heartbeat_interval{15000};
    int io_threads = 2;
    /// Threads of the default handler pool (routes added without a pool name).
    int handler_threads = 4;
    /// Further handler pools, by name; a route naming a pool not listed here makes Start fail.
    std::vector<HandlerPoolOptions> handler_pools;
    /// Threads of the streaming pool, which runs the handlers of streaming routes
    /// (Router::AddStreaming) and every body producer of their responses, apart from the other
    /// pools: long transfers never take the threads of message intake or the emergency lane.
    int stream_threads = 2;
    /// Streaming transfers (request read, handler, response written) served at once. A further
    /// request to a streaming route is answered 503 `busy` at once, its body not read, and its
    /// connection closed. An upload holds a streaming thread while its handler reads, so keep
    /// this at most `stream_threads` unless handlers return quickly.
    size_t max_stream_transfers = 2;
    /// Bytes of a streaming transfer held in memory at a time: a body producer fills buffers of
    /// this size. With the connection's read buffer (at most 64 KiB) it bounds a transfer's
    /// memory whatever the body's size.
    size_t stream_chunk_bytes = size_t{256} << 10;
    /// Called for each limit refusal with its reason (for metrics); from I/O threads, so it must
    /// be thread-safe and quick.
    std::function<void(std::string_view reason)> on_refusal;
};

/// An HTTPS (or loopback-only plain HTTP) HTTP/1.1 server with keep-alive. I/O runs on
/// `io_threads` threads, one strand per connection; handlers run on thread pools (the default
/// one of `handler_threads` threads and the named `handler_pools`) so a slow handler never
/// stalls other connections or SSE streams, and routes on separate pools never wait for each
/// other. TLS 1.2 is the minimum (ECDHE with AEAD suites only); 1.3 is preferred.
class Server {
public:
    /// Raises the soft RLIMIT_NOFILE to the hard one, binds, listens and starts serving
    /// `router`. Errors: kInvalidArgument for a bad option (plain HTTP not allowed, bad address,
    /// bad certificate or key, a route naming an unknown pool, a descriptor limit below
    /// `reserved_descriptors` + 16), kUnavailable when the address cannot be bound.
    static Result<std::unique_ptr<Server>> Start(ServerOptions options, Router router);

    /// Stops the server (Stop()). Stop() throws only when a thread cannot be joined or a handler
    /// cannot be posted, which cannot be recovered from: the process ends (destructors are
    /// noexcept), which is what should happen.
    // NOLINTNEXTLINE(bugprone-exception-escape)
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// The port actually bound (the ephemeral one when options.port was 0).
    [[nodiscard]] uint16_t Port() const;
    /// The connection cap in force: options.max_connections, lowered to fit the descriptor
    /// limit (see ServerOptions::reserved_descriptors).
    [[nodiscard]] size_t MaxConnections() const;
    /// Stops accepting, closes every connection (SSE streams end; a connection whose request is
    /// in a handler is closed once that request is answered), waits for running handlers to
    /// return and joins all threads. Idempotent; thread-safe; called by the destructor.
    /// Must not be called from a handler. A handler that never returns blocks Stop.
    void Stop();

    class Impl;

private:
    explicit Server(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

/// True for 127.0.0.0/8, ::1 and "localhost".
bool IsLoopbackAddress(std::string_view address);

}  // namespace concord::net
