// The HTTP server: Boost.Beast over Asio with C++20 coroutines. One coroutine per connection on
// its own strand; handlers run on a separate thread pool (co_spawn there and co_await back), so
// a handler blocked on a database commit never stalls other connections' I/O or SSE streams.
#include "concord/net/server.hpp"

#include <atomic>
#include <charconv>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>

#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/ssl.h>

#include "concord/net/event_hub.hpp"

#include "rate_limiter.hpp"

namespace concord::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// Per-connection state shared with Stop(); touched only on the connection's strand.
struct SessionState {
    beast::tcp_stream* stream = nullptr;  // set while the session runs
    asio::steady_timer* timer = nullptr;  // the SSE wait timer, while streaming
    bool pending = false;                 // an SSE wake-up arrived while not waiting
    bool closing = false;                 // the server is stopping
    bool answering = false;               // a request is in a handler or being answered
};

template <class Stream>
constexpr bool kIsTls = !std::is_same_v<Stream, beast::tcp_stream>;

}  // namespace

bool IsLoopbackAddress(std::string_view address) {
    if (address == "localhost") {
        return true;
    }
    boost::system::error_code ec;
    auto parsed = asio::ip::make_address(std::string(address), ec);
    if (ec) {
        return false;
    }
    if (parsed.is_v6() && parsed.to_v6().is_v4_mapped()) {
        return asio::ip::make_address_v4(asio::ip::v4_mapped, parsed.to_v6()).is_loopback();
    }
    return parsed.is_loopback();
}

class Server::Impl {
public:
    Impl(ServerOptions options, Router router)
        : options_(std::move(options)),
          router_(std::move(router)),
          pool_(static_cast<size_t>(options_.handler_threads)),
          limiter_(options_.rate_per_second, options_.rate_burst) {}

    Result<void> Listen();
    void Run();
    void Stop();
    uint16_t port() const { return port_; }

private:
    asio::awaitable<void> Accept();
    void Spawn(tcp::socket socket);
    asio::awaitable<void> RunSession(
        tcp::socket socket, std::shared_ptr<SessionState> state, uint64_t id, bool over_limit
    );
    template <class Stream>
    asio::awaitable<void> Serve(
        Stream& stream,
        SessionState& state,
        std::string remote_ip,
        uint64_t connection_id,
        bool over_limit
    );
    template <class Stream>
    asio::awaitable<bool> Write(
        Stream& stream, const Response& response, bool keep_alive, unsigned version
    );
    template <class Stream>
    asio::awaitable<void> Refuse(Stream& stream, std::string_view reason, Response response);
    template <class Stream>
    asio::awaitable<void> Close(Stream& stream, bool drain);
    template <class Stream>
    asio::awaitable<void> StreamEvents(
        Stream& stream, SessionState& state, const Request& request, const Response& response
    );
    asio::awaitable<Response> Handle(Request& request);
    void Refusal(std::string_view reason) const;

    ServerOptions options_;
    Router router_;
    asio::io_context ioc_{std::max(1, options_.io_threads)};
    std::optional<asio::ssl::context> ssl_;
    tcp::acceptor acceptor_{asio::make_strand(ioc_)};
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
    asio::thread_pool pool_;
    std::vector<std::thread> threads_;
    detail::RateLimiter limiter_;
    std::atomic<size_t> connections_{0};
    uint16_t port_ = 0;

    std::mutex stop_mu_;    // serialises Stop
    bool stopped_ = false;  // guarded by stop_mu_

    std::mutex mu_;
    std::condition_variable cv_;
    bool stopping_ = false;      // guarded by mu_
    size_t live_ = 0;            // running coroutines (sessions and the acceptor); guarded by mu_
    uint64_t next_session_ = 1;  // guarded by mu_
    std::map<uint64_t, std::function<void()>> closers_;  // guarded by mu_

    // Decrements live_ when a coroutine ends (declared first in it, so destroyed last).
    struct LiveGuard {
        Impl* impl;
        uint64_t id;
        ~LiveGuard() {
            std::lock_guard lock(impl->mu_);
            impl->closers_.erase(id);
            --impl->live_;
            impl->cv_.notify_all();  // under the lock: Stop may destroy us once it sees live_ == 0
        }
    };
};

Result<void> Server::Impl::Listen() {
    const bool tls = !options_.tls_cert_pem.empty() || !options_.tls_key_pem.empty();
    if (options_.io_threads < 1 || options_.handler_threads < 1) {
        return MakeError(
            ErrorCode::kInvalidArgument, "io_threads and handler_threads must be >= 1"
        );
    }
    if (!tls) {
        if (!options_.allow_plain_http) {
            return MakeError(
                ErrorCode::kInvalidArgument,
                "no TLS certificate configured and plain HTTP is not allowed (set "
                "allow_plain_http, loopback addresses only)"
            );
        }
        if (!IsLoopbackAddress(options_.address)) {
            return MakeError(
                ErrorCode::kInvalidArgument,
                "plain HTTP is allowed on a loopback address only, not on " + options_.address
            );
        }
    } else {
        if (options_.tls_cert_pem.empty() || options_.tls_key_pem.empty()) {
            return MakeError(
                ErrorCode::kInvalidArgument, "TLS needs both a certificate and a private key"
            );
        }
        ssl_.emplace(asio::ssl::context::tls_server);
        ssl_->set_options(
            asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
            asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
            asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use
        );
        SSL_CTX_set_min_proto_version(ssl_->native_handle(), TLS1_2_VERSION);
        boost::system::error_code ec;
        ssl_->use_certificate_chain(asio::buffer(options_.tls_cert_pem), ec);
        if (ec) {
            return MakeError(ErrorCode::kInvalidArgument, "bad TLS certificate: " + ec.message());
        }
        ssl_->use_private_key(asio::buffer(options_.tls_key_pem), asio::ssl::context::pem, ec);
        if (ec) {
            return MakeError(ErrorCode::kInvalidArgument, "bad TLS private key: " + ec.message());
        }
        if (SSL_CTX_check_private_key(ssl_->native_handle()) != 1) {
            return MakeError(
                ErrorCode::kInvalidArgument, "the TLS private key does not match the certificate"
            );
        }
    }
    boost::system::error_code ec;
    std::string host = options_.address == "localhost" ? "127.0.0.1" : options_.address;
    auto address = asio::ip::make_address(host, ec);
    if (ec) {
        return MakeError(ErrorCode::kInvalidArgument, "bad listen address: " + options_.address);
    }
    tcp::endpoint endpoint(address, options_.port);
    std::string where = options_.address + ":" + std::to_string(options_.port);
    if (acceptor_.open(endpoint.protocol(), ec); ec) {
        return MakeError(ErrorCode::kUnavailable, "cannot open socket: " + ec.message());
    }
    if (acceptor_.set_option(asio::socket_base::reuse_address(true), ec); ec) {
        return MakeError(ErrorCode::kUnavailable, "cannot set SO_REUSEADDR: " + ec.message());
    }
    if (acceptor_.bind(endpoint, ec); ec) {
        return MakeError(ErrorCode::kUnavailable, "cannot bind " + where + ": " + ec.message());
    }
    if (acceptor_.listen(asio::socket_base::max_listen_connections, ec); ec) {
        return MakeError(
            ErrorCode::kUnavailable, "cannot listen on " + where + ": " + ec.message()
        );
    }
    port_ = acceptor_.local_endpoint(ec).port();
    return {};
}

void Server::Impl::Run() {
    work_.emplace(ioc_.get_executor());
    {
        std::lock_guard lock(mu_);
        ++live_;
    }
    asio::co_spawn(acceptor_.get_executor(), Accept(), asio::detached);
    for (int i = 0; i < options_.io_threads; ++i) {
        threads_.emplace_back([this] { ioc_.run(); });
    }
}

void Server::Impl::Stop() {
    std::lock_guard stop_lock(stop_mu_);
    if (stopped_) {
        return;
    }
    stopped_ = true;
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
        for (auto& [id, close] : closers_) {
            close();
        }
    }
    asio::post(acceptor_.get_executor(), [this] {
        boost::system::error_code ignored;
        acceptor_.close(ignored);
    });
    {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [this] { return live_ == 0; });
    }
    work_.reset();
    ioc_.stop();
    for (auto& thread : threads_) {
        thread.join();
    }
    threads_.clear();
    pool_.join();
}

void Server::Impl::Refusal(std::string_view reason) const {
    if (options_.on_refusal) {
        options_.on_refusal(reason);
    }
}

asio::awaitable<void> Server::Impl::Accept() {
    LiveGuard guard{this, 0};
    while (true) {
        auto [ec, socket] = co_await acceptor_.async_accept(asio::make_strand(ioc_), kTuple);
        if (!acceptor_.is_open()) {
            co_return;
        }
        if (ec) {
            // E.g. out of file descriptors: back off a little instead of spinning.
            asio::steady_timer timer(acceptor_.get_executor(), std::chrono::milliseconds(50));
            co_await timer.async_wait(kTuple);
            continue;
        }
        Spawn(std::move(socket));
    }
}

void Server::Impl::Spawn(tcp::socket socket) {
    auto state = std::make_shared<SessionState>();
    auto executor = socket.get_executor();
    uint64_t id = 0;
    {
        std::lock_guard lock(mu_);
        if (stopping_) {
            return;
        }
        ++live_;
        id = next_session_++;
        closers_.emplace(id, [state, executor] {
            asio::post(executor, [state] {
                state->closing = true;
                if (state->stream != nullptr && !state->answering) {  // else closed once answered
                    state->stream->close();
                }
                if (state->timer != nullptr) {
                    state->timer->cancel();
                }
            });
        });
    }
    // Counted here, in accept order, so the limit is exact whichever thread runs the session.
    const bool over_limit =
        connections_.fetch_add(1, std::memory_order_relaxed) >= options_.max_connections;
    asio::co_spawn(executor, RunSession(std::move(socket), state, id, over_limit), asio::detached);
}

asio::awaitable<void> Server::Impl::RunSession(
    tcp::socket socket, std::shared_ptr<SessionState> state, uint64_t id, bool over_limit
) {
    LiveGuard guard{this, id};
    struct ConnectionCount {
        std::atomic<size_t>& count;
        ~ConnectionCount() { count.fetch_sub(1, std::memory_order_relaxed); }
    };
    ConnectionCount count{connections_};
    boost::system::error_code ec;
    auto remote = socket.remote_endpoint(ec);
    std::string remote_ip;
    if (!ec) {
        auto address = remote.address();
        if (address.is_v6() && address.to_v6().is_v4_mapped()) {
            address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
        }
        remote_ip = address.to_string();
    }
    try {
        if (ssl_) {
            beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *ssl_);
            state->stream = &beast::get_lowest_layer(stream);
            if (!state->closing) {
                beast::get_lowest_layer(stream).expires_after(options_.header_timeout);
                auto [hec] =
                    co_await stream.async_handshake(asio::ssl::stream_base::server, kTuple);
                if (!hec) {
                    co_await Serve(stream, *state, std::move(remote_ip), id, over_limit);
                } else if (hec == beast::error::timeout) {
                    Refusal("header_timeout");
                }
            }
            state->stream = nullptr;
        } else {
            beast::tcp_stream stream(std::move(socket));
            state->stream = &stream;
            if (!state->closing) {
                co_await Serve(stream, *state, std::move(remote_ip), id, over_limit);
            }
            state->stream = nullptr;
        }
    } catch (const std::exception&) {
        // A broken invariant in one connection: drop it, keep serving the others.
        state->stream = nullptr;
    }
}

template <class Stream>
asio::awaitable<void> Server::Impl::Serve(
    Stream& stream,
    SessionState& state,
    std::string remote_ip,
    uint64_t connection_id,
    bool over_limit
) {
    auto& lowest = beast::get_lowest_layer(stream);
    beast::flat_buffer buffer;
    bool first = true;
    while (!state.closing) {
        // Wait for the first byte of the next request: header_timeout on a new connection,
        // idle_timeout between keep-alive requests. From then on the header must be complete
        // within header_timeout, so a client dribbling bytes is cut off.
        if (buffer.size() == 0) {
            lowest.expires_after(first ? options_.header_timeout : options_.idle_timeout);
            auto [ec, n] = co_await stream.async_read_some(buffer.prepare(4096), kTuple);
            if (ec) {
                if (first && ec == beast::error::timeout) {
                    Refusal("header_timeout");
                }
                co_return;
            }
            buffer.commit(n);
        }
        first = false;
        lowest.expires_after(options_.header_timeout);
        http::request_parser<http::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(
            std::min<size_t>(options_.max_header_bytes, std::numeric_limits<std::uint32_t>::max())
        ));
        parser.body_limit(options_.max_body_bytes);
        auto [hec, hn] = co_await http::async_read_header(stream, buffer, parser, kTuple);
        if (!hec && parser.content_length() && *parser.content_length() > options_.max_body_bytes) {
            hec = http::error::body_limit;
        }
        if (hec) {
            if (hec == http::error::header_limit) {
                co_await Refuse(
                    stream,
                    "header_too_large",
                    ErrorJson(431, "header_too_large", "request header fields too large")
                );
            } else if (hec == http::error::body_limit) {
                co_await Refuse(
                    stream,
                    "too_large",
                    ErrorJson(
                        413,
                        "too_large",
                        "request body larger than " + std::to_string(options_.max_body_bytes) +
                            " bytes"
                    )
                );
            } else if (hec == beast::error::timeout) {
                // The stream is closed by its timer already; nothing can be answered.
                Refusal("header_timeout");
            } else if (hec.category() == http::make_error_code(http::error::bad_target).category()) {
                co_await Refuse(
                    stream, "bad_request", ErrorJson(400, "bad_request", "malformed request")
                );
            }
            co_return;
        }
        if (over_limit) {
            co_await Refuse(
                stream,
                "too_many_connections",
                ErrorJson(503, "too_many_connections", "too many connections; retry later")
            );
            co_return;
        }
        if (long wait = limiter_.Acquire(remote_ip, detail::RateLimiter::Clock::now()); wait > 0) {
            Response response = ErrorJson(429, "rate_limited", "too many requests; retry later");
            response.headers.emplace_back("Retry-After", std::to_string(wait));
            co_await Refuse(stream, "rate_limited", std::move(response));
            co_return;
        }
        auto& header = parser.get();
        if (beast::iequals(header[http::field::expect], "100-continue")) {
            http::response<http::empty_body> cont{http::status::continue_, header.version()};
            lowest.expires_after(options_.io_timeout);
            auto [cec, cn] = co_await http::async_write(stream, cont, kTuple);
            if (cec) {
                co_return;
            }
        }
        lowest.expires_after(options_.io_timeout);
        auto [bec, bn] = co_await http::async_read(stream, buffer, parser, kTuple);
        if (bec) {
            if (bec == http::error::body_limit) {
                co_await Refuse(
                    stream,
                    "too_large",
                    ErrorJson(
                        413,
                        "too_large",
                        "request body larger than " + std::to_string(options_.max_body_bytes) +
                            " bytes"
                    )
                );
            } else if (bec.category() == http::make_error_code(http::error::bad_target).category()) {
                co_await Refuse(
                    stream, "bad_request", ErrorJson(400, "bad_request", "malformed request")
                );
            }
            co_return;
        }
        http::request<http::string_body> message = parser.release();
        Request request;
        request.method = std::string(message.method_string());
        std::string_view target = message.target();
        size_t question = target.find('?');
        request.path = std::string(target.substr(0, question));
        if (question != std::string_view::npos) {
            request.query = std::string(target.substr(question + 1));
        }
        request.body = std::move(message.body());
        request.remote_ip = remote_ip;
        request.connection_id = connection_id;
        for (const auto& field : message) {
            request.headers.emplace_back(
                std::string(field.name_string()), std::string(field.value())
            );
        }
        const bool keep_alive = message.keep_alive();
        state.answering = true;  // Stop lets a request in flight finish and be answered
        Response response = co_await Handle(request);
        if (response.event_stream) {
            state.answering = false;
            if (state.closing) {
                co_return;
            }
            co_await StreamEvents(stream, state, request, response);
            co_return;
        }
        // (No co_await inside conditions: GCC 12 miscompiles some of them.)
        const bool written =
            co_await Write(stream, response, keep_alive && !state.closing, message.version());
        state.answering = false;
        if (!written || !keep_alive || state.closing) {
            co_await Close(stream, false);
            co_return;
        }
    }
}

asio::awaitable<Response> Server::Impl::Handle(Request& request) {
    Response response = co_await asio::co_spawn(
        pool_,
        [this, &request]() -> asio::awaitable<Response> {
            Response out;
            try {
                out = router_.Dispatch(request);
            } catch (...) {
                out = ErrorJson(500, "internal", "internal error");
            }
            co_return out;
        },
        asio::use_awaitable
    );
    co_return response;
}

template <class Stream>
asio::awaitable<bool> Server::Impl::Write(
    Stream& stream, const Response& response, bool keep_alive, unsigned version
) {
    http::response<http::string_body> message;
    message.version(version);
    message.result(response.status);
    message.set(http::field::content_type, response.content_type);
    for (const auto& [name, value] : response.headers) {
        message.insert(name, value);
    }
    message.body() = response.body;
    message.keep_alive(keep_alive);
    message.prepare_payload();
    beast::get_lowest_layer(stream).expires_after(options_.io_timeout);
    auto [ec, n] = co_await http::async_write(stream, message, kTuple);
    co_return !ec;
}

template <class Stream>
asio::awaitable<void> Server::Impl::Refuse(
    Stream& stream, std::string_view reason, Response response
) {
    Refusal(reason);
    const bool written = co_await Write(stream, response, false, 11);
    if (written) {
        co_await Close(stream, true);
    }
}

template <class Stream>
asio::awaitable<void> Server::Impl::Close(Stream& stream, bool drain) {
    auto& lowest = beast::get_lowest_layer(stream);
    if constexpr (kIsTls<Stream>) {
        lowest.expires_after(std::chrono::seconds(1));
        co_await stream.async_shutdown(kTuple);
    }
    boost::system::error_code ignored;
    lowest.socket().shutdown(tcp::socket::shutdown_send, ignored);
    if (drain) {
        // Read and discard what the client is still sending (a refused body), so closing with
        // unread data does not reset the connection before the client has read our answer.
        lowest.expires_after(std::chrono::seconds(1));
        std::array<char, 16384> sink{};
        size_t drained = 0;
        while (drained < options_.max_body_bytes + (size_t{1} << 20)) {
            auto [ec, n] = co_await lowest.async_read_some(asio::buffer(sink), kTuple);
            if (ec) {
                break;
            }
            drained += n;
        }
    }
    lowest.close();
}

template <class Stream>
asio::awaitable<void> Server::Impl::StreamEvents(
    Stream& stream, SessionState& state, const Request& request, const Response& response
) {
    const std::shared_ptr<EventHub>& hub = response.event_stream;
    auto& lowest = beast::get_lowest_layer(stream);
    uint64_t last_id = hub->LastId();
    if (auto header = request.Header("Last-Event-ID")) {
        uint64_t parsed = 0;
        auto [ptr, ec] = std::from_chars(header->data(), header->data() + header->size(), parsed);
        if (ec == std::errc{} && ptr == header->data() + header->size()) {
            last_id = parsed;
        }
    }
    std::string head =
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
        "Connection: close\r\nX-Accel-Buffering: no\r\n";
    for (const auto& [name, value] : response.headers) {
        if (name.find_first_of("\r\n") == std::string::npos &&
            value.find_first_of("\r\n") == std::string::npos) {
            head += name + ": " + value + "\r\n";
        }
    }
    head += "\r\n: stream open\n\n";
    lowest.expires_after(options_.io_timeout);
    auto [head_ec, head_n] = co_await asio::async_write(stream, asio::buffer(head), kTuple);
    if (head_ec) {
        co_return;
    }

    auto executor = co_await asio::this_coro::executor;
    asio::steady_timer timer(executor);
    state.timer = &timer;
    // A wake-up posted before the listener is removed may run after this function returned:
    // `alive` (only touched on this strand) turns it into a no-op then.
    SessionState* raw_state = &state;
    uint64_t handle = 0;
    {
        auto alive = std::make_shared<bool>(true);
        handle = hub->AddListener([executor, raw_state, alive] {
            asio::post(executor, [raw_state, alive] {
                if (!*alive) {
                    return;
                }
                raw_state->pending = true;
                if (raw_state->timer != nullptr) {
                    raw_state->timer->cancel();
                }
            });
        });
        struct Cleanup {
            EventHub& hub;
            uint64_t handle;
            SessionState& state;
            std::shared_ptr<bool> alive;
            ~Cleanup() {
                hub.RemoveListener(handle);
                state.timer = nullptr;
                *alive = false;  // on the strand: wake-ups already posted become no-ops
            }
        } cleanup{*hub, handle, state, alive};

        auto next_heartbeat = std::chrono::steady_clock::now() + options_.heartbeat_interval;
        while (!state.closing) {
            state.pending = false;
            std::vector<Event> events = hub->Since(last_id);
            std::string out;
            if (!events.empty()) {
                for (const auto& event : events) {
                    out += FormatEvent(event);
                    last_id = event.id;
                }
            } else if (hub->closed()) {
                break;
            } else if (std::chrono::steady_clock::now() >= next_heartbeat) {
                out = ": heartbeat\n\n";
                next_heartbeat = std::chrono::steady_clock::now() + options_.heartbeat_interval;
            }
            if (!out.empty()) {
                lowest.expires_after(options_.io_timeout);
                auto [ec, n] = co_await asio::async_write(stream, asio::buffer(out), kTuple);
                if (ec) {
                    co_return;
                }
                continue;
            }
            lowest.expires_never();
            timer.expires_at(next_heartbeat);
            co_await timer.async_wait(kTuple);
        }
    }
    if (!state.closing) {
        co_await Close(stream, false);
    }
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() {
    Stop();
}

Result<std::unique_ptr<Server>> Server::Start(ServerOptions options, Router router) {
    auto impl = std::make_unique<Impl>(std::move(options), std::move(router));
    CONCORD_RETURN_IF_ERROR(impl->Listen());
    impl->Run();
    return std::unique_ptr<Server>(new Server(std::move(impl)));
}

uint16_t Server::port() const {
    return impl_->port();
}

void Server::Stop() {
    if (impl_) {
        impl_->Stop();
    }
}

}  // namespace concord::net
