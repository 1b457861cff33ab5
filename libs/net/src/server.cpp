// The HTTP server: Boost.Beast over Asio with C++20 coroutines. One coroutine per connection on
// its own strand; handlers run on a separate thread pool (co_spawn there and co_await back), so
// a handler blocked on a database commit never stalls other connections' I/O or SSE streams.
#include "concord/net/server.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/ssl.h>

#include "concord/core/log.hpp"
#include "concord/core/mutex.hpp"
#include "concord/net/event_hub.hpp"

#include "log_limiter.hpp"
#include "rate_limiter.hpp"
#include "tls_internal.hpp"
#include <sys/resource.h>

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
    bool streaming = false;               // that request is a streaming transfer: Stop cuts it
};

template <class Stream>
constexpr bool kIsTls = !std::is_same_v<Stream, beast::tcp_stream>;

// Time a refusal may take to be written, and to drain what the client still sends after it.
constexpr std::chrono::seconds kRefusalWriteTime{1};

// What one remote "address" is for the per-address connection limit: the IPv4 address, or the
// /64 prefix of an IPv6 address (one subscriber usually holds a whole /64).
std::string AddressKey(const asio::ip::address& address) {
    if (address.is_v4()) {
        return address.to_string();
    }
    auto bytes = address.to_v6().to_bytes();
    std::fill(bytes.begin() + 8, bytes.end(), 0);
    return asio::ip::address_v6(bytes).to_string() + "/64";
}

asio::ip::address Unmapped(asio::ip::address address) {
    if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
    }
    return address;
}

// Raises the soft RLIMIT_NOFILE to the hard limit (once per process is enough, more is harmless)
// and returns the soft limit in force.
uint64_t RaiseDescriptorLimit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) {
        return 1024;
    }
    if (limit.rlim_cur != limit.rlim_max) {
        rlimit raised = limit;
        raised.rlim_cur = limit.rlim_max;
        if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) {
            limit = raised;
        }
    }
    return limit.rlim_cur == RLIM_INFINITY ? std::numeric_limits<uint64_t>::max()
                                           : static_cast<uint64_t>(limit.rlim_cur);
}

// RFC 9112 §6.1 and §6.3: a request's body length is known only when it has no
// Transfer-Encoding and at most one Content-Length, or exactly one Transfer-Encoding whose value
// is exactly "chunked" and no Content-Length. Anything else (identity, gzip, "xchunked", a list,
// TE with CL, TE in HTTP/1.0) cannot be framed reliably; a proxy in front of us may frame it
// differently, so the bytes after our idea of the body could be a smuggled request. Beast
// accepts some of these (TE other than chunked means "no body" to it), so check here.
template <class Fields>
bool FramingIsAmbiguous(const http::request_header<Fields>& header) {
    size_t transfer_encodings = 0;
    bool chunked = false;
    for (const auto& field : header) {
        if (field.name() == http::field::transfer_encoding) {
            ++transfer_encodings;
            std::string_view value = field.value();
            while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
                value.remove_prefix(1);
            }
            while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) {
                value.remove_suffix(1);
            }
            chunked = beast::iequals(value, "chunked");
        }
    }
    if (transfer_encodings == 0) {
        return false;
    }
    return transfer_encodings > 1 || !chunked || header.version() < 11 ||
           header.find(http::field::content_length) != header.end();
}

// The parts of a request known once its header is read (everything but the body).
template <class Body>
Request RequestHead(
    const http::request<Body>& header, const std::string& remote_ip, uint64_t connection_id
) {
    Request request;
    request.method = std::string(header.method_string());
    std::string_view target = header.target();
    size_t question = target.find('?');
    request.path = std::string(target.substr(0, question));
    if (question != std::string_view::npos) {
        request.query = std::string(target.substr(question + 1));
    }
    request.remote_ip = remote_ip;
    request.connection_id = connection_id;
    for (const auto& field : header) {
        request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    return request;
}

Response TooLarge(uint64_t limit) {
    return ErrorJson(
        413, "too_large", "request body larger than " + std::to_string(limit) + " bytes"
    );
}

// The request body of a streaming route as its handler reads it, read ahead: while the handler
// works on the bytes it was given (decrypting, hashing, writing), the connection's strand reads
// and decrypts the next ones into a second buffer, as many as the handler last asked for, so the
// network and the handler's work overlap instead of taking turns. Read runs on the handler's
// thread and, as without reading ahead, fills the whole buffer it is given unless the body ends;
// it waits for the read under way and starts the next one on the strand. At most one read is
// under way at a time. Settle, once the handler is done, cancels a read ahead that still waits
// for bytes (a client that stalled after the bytes the handler wanted must not hold its answer)
// and waits for it, so the session coroutine (suspended in the handler meanwhile) finds the
// stream, buffer and parser touched by nobody. Memory: two buffers of the handler's largest
// read, whatever the body's size.
template <class Stream>
class SocketBodySource final : public BodySource {
public:
    SocketBodySource(
        asio::any_io_executor executor,
        Stream& stream,
        beast::flat_buffer& buffer,
        http::request_parser<http::buffer_body>& parser,
        SessionState& state,
        std::chrono::milliseconds timeout,
        uint64_t limit
    )
        : executor_(std::move(executor)),
          stream_(stream),
          buffer_(buffer),
          parser_(parser),
          state_(state),
          timeout_(timeout),
          limit_(limit) {}

    Result<size_t> Read(std::span<std::uint8_t> out) override {
        if (out.empty()) {
            return MakeError(ErrorCode::kInvalidArgument, "BodySource::Read needs a buffer");
        }
        size_t copied = 0;
        while (copied < out.size()) {
            if (front_used_ < front_size_) {
                const size_t n = std::min(out.size() - copied, front_size_ - front_used_);
                std::copy_n(
                    front_.begin() + static_cast<std::ptrdiff_t>(front_used_),
                    n,
                    out.begin() + static_cast<std::ptrdiff_t>(copied)
                );
                front_used_ += n;
                copied += n;
                continue;
            }
            if (failure_) {
                return *failure_;
            }
            if (ended_) {
                break;
            }
            if (!ahead_.valid()) {
                Start(out.size() - copied);  // no more than is missing: never wait for more
            }
            Result<size_t> got = Wait();
            if (!got) {
                failure_ = got.error();
                return got;
            }
            std::swap(front_, back_);
            front_used_ = 0;
            front_size_ = *got;
            ended_ = *got == 0;
        }
        if (!ended_ && !ahead_.valid()) {
            Start(out.size());  // the next bytes, read while the handler works on these
        }
        return copied;
    }

    // Ends the read under way, if any (on the handler's thread, once the handler is done).
    void Settle() {
        if (!ahead_.valid()) {
            return;
        }
        if (ahead_.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
            try {
                asio::co_spawn(executor_, Cancel(), asio::use_future).get();
            } catch (const std::exception& e) {
                log::Error(
                    "a streaming body's read ahead was not cancelled", {{"error", e.what()}}
                );
            }
        }
        (void)Wait();
    }

    // True once the body crossed the route's limit (read on the strand, after Settle).
    bool TooLarge() const { return too_large_; }

private:
    // Starts reading the next `n` body bytes (fewer at its end) into back_.
    void Start(size_t n) {
        if (back_.size() < n) {
            back_.resize(n);
        }
        ahead_ = asio::co_spawn(
            executor_, ReadSome(std::span<std::uint8_t>(back_.data(), n)), asio::use_future
        );
    }

    Result<size_t> Wait() {
        try {
            return ahead_.get();
        } catch (const std::exception& e) {
            return MakeError(ErrorCode::kInternal, std::string("reading the body: ") + e.what());
        }
    }

    asio::awaitable<void> Cancel() {
        beast::get_lowest_layer(stream_).cancel();
        co_return;
    }

    asio::awaitable<Result<size_t>> ReadSome(std::span<std::uint8_t> out) {
        if (state_.closing) {
            co_return MakeError(ErrorCode::kUnavailable, "the server is stopping");
        }
        auto& lowest = beast::get_lowest_layer(stream_);
        size_t got = 0;
        while (got < out.size() && !parser_.is_done()) {
            auto& body = parser_.get().body();
            body.data = out.data() + got;
            body.size = out.size() - got;
            // A step, not the whole body, must finish within the timeout.
            lowest.expires_after(timeout_);
            auto [ec, n] = co_await http::async_read_some(stream_, buffer_, parser_, kTuple);
            got = out.size() - parser_.get().body().size;
            if (ec == http::error::need_buffer) {
                ec = {};
            }
            if (ec == http::error::body_limit) {
                too_large_ = true;
                co_return MakeError(
                    ErrorCode::kInvalidArgument,
                    "request body larger than " + std::to_string(limit_) + " bytes"
                );
            }
            if (ec == beast::error::timeout) {
                co_return MakeError(
                    ErrorCode::kUnavailable,
                    "no request body bytes came within " + std::to_string(timeout_.count()) + " ms"
                );
            }
            if (ec) {
                co_return MakeError(
                    ErrorCode::kUnavailable,
                    "the connection was lost before the end of the request body (" + ec.message() +
                        ")"
                );
            }
        }
        co_return got;
    }

    asio::any_io_executor executor_;
    Stream& stream_;
    beast::flat_buffer& buffer_;
    http::request_parser<http::buffer_body>& parser_;
    SessionState& state_;
    std::chrono::milliseconds timeout_;
    uint64_t limit_;
    bool too_large_ = false;  // strand only
    // The rest: the handler's thread only (back_ also by the read under way, ahead_).
    std::vector<std::uint8_t> front_;    // the bytes Read hands out
    std::vector<std::uint8_t> back_;     // the bytes being read ahead
    size_t front_size_ = 0;              // bytes of front_ filled
    size_t front_used_ = 0;              // of them, handed out
    std::future<Result<size_t>> ahead_;  // the read under way into back_
    std::optional<Error> failure_;
    bool ended_ = false;
};

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
          limiter_(options_.rate_per_second, options_.rate_burst) {}

    Result<void> Listen();
    void Run();
    void Stop();
    uint16_t Port() const { return port_; }
    size_t MaxConnections() const { return cap_; }

private:
    asio::awaitable<void> Accept();
    void Spawn(tcp::socket socket);
    asio::awaitable<void> RunSession(
        tcp::socket socket,
        std::shared_ptr<SessionState> state,
        uint64_t id,
        bool over_limit,
        std::string remote_ip,
        std::string address_key
    );
    template <class Stream>
    asio::awaitable<void> Serve(
        Stream& stream,
        SessionState& state,
        std::string remote_ip,
        uint64_t connection_id,
        bool over_limit
    );
    // Serves a request to a streaming route whose header `header_parser` holds; true when the
    // connection may serve another request.
    template <class Stream>
    asio::awaitable<bool> ServeStreaming(
        Stream& stream,
        SessionState& state,
        beast::flat_buffer& buffer,
        http::request_parser<http::string_body>& header_parser,
        Request& request,
        const StreamOptions& route
    );
    template <class Stream>
    asio::awaitable<bool> Write(
        Stream& stream,
        const Response& response,
        bool keep_alive,
        unsigned version,
        std::chrono::steady_clock::duration timeout
    );
    // Writes a handler's response: its body, or what its body producer gives (on `pool`).
    template <class Stream>
    asio::awaitable<bool> Answer(
        Stream& stream,
        const Response& response,
        bool keep_alive,
        unsigned version,
        asio::thread_pool& pool
    );
    template <class Stream>
    asio::awaitable<bool> WriteProduced(
        Stream& stream,
        const Response& response,
        bool keep_alive,
        unsigned version,
        asio::thread_pool& pool
    );
    template <class Stream>
    asio::awaitable<void> Refuse(Stream& stream, std::string_view reason, Response response);
    template <class Stream>
    asio::awaitable<void> Close(Stream& stream, bool drain);
    template <class Stream>
    asio::awaitable<void> StreamEvents(
        Stream& stream, SessionState& state, const Request& request, const Response& response
    );
    // The pool a normal route's handler runs on.
    asio::thread_pool& PoolOf(const Request& request);
    // Runs the handler on `pool` (a streaming route's reads its body from `body`), then
    // `settle` there (waiting for the read ahead of a streaming body).
    asio::awaitable<Response> Handle(
        asio::thread_pool& pool,
        Request& request,
        BodySource* body,
        const std::function<void()>& settle = {}
    );
    bool AcquireStream();
    void ReleaseStream();
    void Refusal(std::string_view reason) const;
    // Logs a caught failure, at most a few lines per reason and 10 s (log floods are an attack
    // too); the count of suppressed lines goes with the next line written.
    void LogFailure(std::string_view reason, std::string_view what);
    // Connection accounting: Admit takes a slot for `key` or says why not.
    enum class Admission : std::uint8_t { kServe, kRefuseWith503, kCloseAtOnce };
    Admission Admit(const std::string& key);
    void Release(const std::string& key);

    ServerOptions options_;
    Router router_;
    asio::io_context ioc_{std::max(1, options_.io_threads)};
    std::optional<asio::ssl::context> ssl_;
    tcp::acceptor acceptor_{asio::make_strand(ioc_)};
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
    // Handler pools: [0] is the default pool (name ""), then options_.handler_pools in order.
    std::vector<std::pair<std::string, std::unique_ptr<asio::thread_pool>>> pools_;
    std::unique_ptr<asio::thread_pool> stream_pool_;  // streaming routes' handlers and producers
    std::vector<std::thread> threads_;
    detail::RateLimiter limiter_;
    detail::LogLimiter log_limiter_{5, std::chrono::seconds(10)};
    uint16_t port_ = 0;
    size_t cap_ = 0;            // connections served at once (set by Listen)
    size_t refusal_slots_ = 0;  // connections above cap_ kept open to be answered 503

    Mutex stream_mu_;
    size_t streams_ CONCORD_GUARDED_BY(stream_mu_) = 0;  // streaming transfers in progress

    Mutex conn_mu_;
    size_t open_ CONCORD_GUARDED_BY(conn_mu_) = 0;
    std::unordered_map<std::string, size_t> by_address_ CONCORD_GUARDED_BY(conn_mu_);

    Mutex stop_mu_;  // serialises Stop
    bool stopped_ CONCORD_GUARDED_BY(stop_mu_) = false;

    Mutex mu_;
    std::condition_variable_any cv_;
    bool stopping_ CONCORD_GUARDED_BY(mu_) = false;
    // Running coroutines (sessions and the acceptor).
    size_t live_ CONCORD_GUARDED_BY(mu_) = 0;
    uint64_t next_session_ CONCORD_GUARDED_BY(mu_) = 1;
    std::map<uint64_t, std::function<void()>> closers_ CONCORD_GUARDED_BY(mu_);

    // Decrements live_ when a coroutine ends (declared first in it, so destroyed last).
    struct LiveGuard {
        Impl* impl;
        uint64_t id;
        ~LiveGuard() {
            MutexLock lock(impl->mu_);
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
        if (!detail::ApplyTlsPolicy(ssl_->native_handle())) {
            return MakeError(ErrorCode::kInternal, "OpenSSL refused the TLS cipher policy");
        }
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
    pools_.emplace_back(
        "", std::make_unique<asio::thread_pool>(static_cast<size_t>(options_.handler_threads))
    );
    for (const auto& pool : options_.handler_pools) {
        if (pool.name.empty() || pool.threads < 1) {
            return MakeError(
                ErrorCode::kInvalidArgument, "a handler pool needs a name and >= 1 thread"
            );
        }
        pools_.emplace_back(
            pool.name, std::make_unique<asio::thread_pool>(static_cast<size_t>(pool.threads))
        );
    }
    if (options_.stream_threads < 1 || options_.max_stream_transfers < 1 ||
        options_.stream_chunk_bytes < 1) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "stream_threads, max_stream_transfers and stream_chunk_bytes must be >= 1"
        );
    }
    stream_pool_ =
        std::make_unique<asio::thread_pool>(static_cast<size_t>(options_.stream_threads));
    for (const auto& name : router_.PoolNames()) {
        if (std::none_of(pools_.begin(), pools_.end(), [&](const auto& p) {
                return p.first == name;
            })) {
            return MakeError(
                ErrorCode::kInvalidArgument, "a route names the unknown handler pool " + name
            );
        }
    }
    // Every connection holds a descriptor. Serve no more than the limit allows once
    // `reserved_descriptors` are kept for the store, outgoing deliveries (the emergency lane
    // among them) and logs; a few more are kept open to be refused with 503, the rest are
    // closed at once. So a flood of connections never makes accept(), the store or a delivery
    // fail with EMFILE.
    const uint64_t descriptors = RaiseDescriptorLimit();
    if (options_.max_connections < 1 || options_.max_connections_per_address < 1) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "max_connections and max_connections_per_address must be >= 1"
        );
    }
    if (descriptors < options_.reserved_descriptors + 16) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "the open file limit (" + std::to_string(descriptors) +
                ") leaves too few descriptors for connections after reserving " +
                std::to_string(options_.reserved_descriptors) + "; raise it (ulimit -n)"
        );
    }
    const uint64_t budget = descriptors - options_.reserved_descriptors;
    refusal_slots_ = static_cast<size_t>(std::min<uint64_t>(64, budget / 8));
    cap_ =
        static_cast<size_t>(std::min<uint64_t>(options_.max_connections, budget - refusal_slots_));
    if (cap_ < options_.max_connections) {
        log::Warning(
            "http connection cap lowered to fit the open file limit",
            {{"max_connections", static_cast<unsigned long long>(options_.max_connections)},
             {"cap", static_cast<unsigned long long>(cap_)},
             {"open_file_limit", static_cast<unsigned long long>(descriptors)},
             {"reserved", static_cast<unsigned long long>(options_.reserved_descriptors)}}
        );
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
        MutexLock lock(mu_);
        ++live_;
    }
    asio::co_spawn(acceptor_.get_executor(), Accept(), asio::detached);
    for (int i = 0; i < options_.io_threads; ++i) {
        threads_.emplace_back([this] { ioc_.run(); });
    }
}

void Server::Impl::Stop() {
    MutexLock stop_lock(stop_mu_);
    if (stopped_) {
        return;
    }
    stopped_ = true;
    {
        MutexLock lock(mu_);
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
        MutexLock lock(mu_);
        cv_.wait(mu_, [this] {
            mu_.AssertHeld();
            return live_ == 0;
        });
    }
    work_.reset();
    ioc_.stop();
    for (auto& thread : threads_) {
        thread.join();
    }
    threads_.clear();
    for (auto& [name, pool] : pools_) {
        pool->join();
    }
    if (stream_pool_) {
        stream_pool_->join();
    }
}

bool Server::Impl::AcquireStream() {
    MutexLock lock(stream_mu_);
    if (streams_ >= options_.max_stream_transfers) {
        return false;
    }
    ++streams_;
    return true;
}

void Server::Impl::ReleaseStream() {
    MutexLock lock(stream_mu_);
    --streams_;
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
            // E.g. out of file descriptors (EMFILE, ENFILE): the pending connection stays in the
            // backlog, so accepting again at once would spin. Back off a little; count and log.
            Refusal("accept_failed");
            LogFailure("accept_failed", ec.message());
            asio::steady_timer timer(acceptor_.get_executor(), std::chrono::milliseconds(50));
            co_await timer.async_wait(kTuple);
            continue;
        }
        Spawn(std::move(socket));
    }
}

void Server::Impl::LogFailure(std::string_view reason, std::string_view what) {
    if (auto suppressed = log_limiter_.Allow(reason, detail::LogLimiter::Clock::now())) {
        log::Warning(
            "http server caught a failure",
            {{"reason", reason},
             {"what", SanitizeForDisplay(what, 256)},
             {"suppressed", static_cast<unsigned long long>(*suppressed)}}
        );
    }
}

Server::Impl::Admission Server::Impl::Admit(const std::string& key) {
    MutexLock lock(conn_mu_);
    if (open_ >= cap_ + refusal_slots_) {
        return Admission::kCloseAtOnce;
    }
    size_t& mine = by_address_[key];
    if (mine >= options_.max_connections_per_address) {
        if (mine == 0) {
            by_address_.erase(key);
        }
        return Admission::kCloseAtOnce;
    }
    ++mine;
    ++open_;
    return open_ > cap_ ? Admission::kRefuseWith503 : Admission::kServe;
}

void Server::Impl::Release(const std::string& key) {
    MutexLock lock(conn_mu_);
    --open_;
    auto it = by_address_.find(key);
    if (it != by_address_.end() && --it->second == 0) {
        by_address_.erase(it);
    }
}

void Server::Impl::Spawn(tcp::socket socket) {
    boost::system::error_code rec;
    auto remote = socket.remote_endpoint(rec);
    if (rec) {
        return;  // the peer is gone already; the socket closes here
    }
    const auto address = Unmapped(remote.address());
    std::string key = AddressKey(address);
    const Admission admission = Admit(key);
    if (admission == Admission::kCloseAtOnce) {
        // Over the per-address limit, or so far over the total that even the 503 slots are
        // taken: answering would need a descriptor and a header read; close at once instead.
        Refusal("too_many_connections");
        boost::system::error_code ignored;
        socket.close(ignored);
        return;
    }
    auto state = std::make_shared<SessionState>();
    auto executor = socket.get_executor();
    uint64_t id = 0;
    bool stopping = false;
    {
        MutexLock lock(mu_);
        stopping = stopping_;
        if (!stopping) {
            ++live_;
            id = next_session_++;
            closers_.emplace(id, [state, executor] {
                asio::post(executor, [state] {
                    state->closing = true;
                    // A stream that is answering is closed once the answer is written; a
                    // streaming transfer, which may last hours, is cut at once.
                    if (state->stream != nullptr && (!state->answering || state->streaming)) {
                        state->stream->close();
                    }
                    if (state->timer != nullptr) {
                        state->timer->cancel();
                    }
                });
            });
        }
    }
    if (stopping) {
        Release(key);
        return;
    }
    const bool over_limit = admission == Admission::kRefuseWith503;
    asio::co_spawn(
        executor,
        RunSession(std::move(socket), state, id, over_limit, address.to_string(), std::move(key)),
        asio::detached
    );
}

asio::awaitable<void> Server::Impl::RunSession(
    tcp::socket socket,
    std::shared_ptr<SessionState> state,
    uint64_t id,
    bool over_limit,
    std::string remote_ip,
    std::string address_key
) {
    LiveGuard guard{this, id};
    struct Slot {
        Impl* impl;
        std::string key;
        ~Slot() { impl->Release(key); }
    } slot{this, std::move(address_key)};
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
    } catch (const std::exception& e) {
        // A broken invariant in one connection (or bad_alloc): drop it, keep serving the others.
        state->stream = nullptr;
        LogFailure("session_failed", e.what());
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
    const auto executor = co_await asio::this_coro::executor;
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
        http::request_parser<http::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(
            std::min<size_t>(options_.max_header_bytes, std::numeric_limits<std::uint32_t>::max())
        ));
        // The body limit depends on the route, known once the header is read (Beast would check
        // a Content-Length against it while parsing the header).
        parser.body_limit(boost::none);
        // The header must be complete within header_timeout. A timer of our own cancels the
        // read (the stream's own timeout would close the socket, and then no 408 could be
        // sent). `watch` tells the timer's handler whether the read is still waiting; both run
        // on this connection's strand.
        lowest.expires_never();
        auto watch = std::make_shared<int>(0);  // 0: reading, 1: done, 2: timed out
        asio::steady_timer header_timer(executor);
        header_timer.expires_after(options_.header_timeout);
        header_timer.async_wait([watch, &lowest](boost::system::error_code ec) {
            if (!ec && *watch == 0) {
                *watch = 2;
                lowest.cancel();
            }
        });
        auto [hec, hn] = co_await http::async_read_header(stream, buffer, parser, kTuple);
        const bool header_timed_out = *watch == 2;
        *watch = 1;
        header_timer.cancel();
        if (header_timed_out && hec) {
            hec = beast::error::timeout;
        }
        // A streaming route has its own body limit (and pool); the rest share the server's.
        Request head;
        std::optional<StreamOptions> streaming;
        uint64_t body_limit = options_.max_body_bytes;
        if (!hec) {
            head = RequestHead(parser.get(), remote_ip, connection_id);
            streaming = router_.StreamingFor(head);
            if (streaming) {
                body_limit = streaming->max_body_bytes;
            }
            if (parser.content_length() && *parser.content_length() > body_limit) {
                hec = http::error::body_limit;
            }
            parser.body_limit(body_limit);  // for a chunked body
        }
        if (hec) {
            if (hec == http::error::header_limit) {
                co_await Refuse(
                    stream,
                    "header_too_large",
                    ErrorJson(431, "header_too_large", "request header fields too large")
                );
            } else if (hec == http::error::body_limit) {
                co_await Refuse(stream, "too_large", TooLarge(body_limit));
            } else if (hec == beast::error::timeout) {
                co_await Refuse(
                    stream,
                    "header_timeout",
                    ErrorJson(408, "header_timeout", "request header not complete in time")
                );
            } else if (hec.category() == http::make_error_code(http::error::bad_target).category()) {
                co_await Refuse(
                    stream, "bad_request", ErrorJson(400, "bad_request", "malformed request")
                );
            }
            co_return;
        }
        if (FramingIsAmbiguous(parser.get())) {
            co_await Refuse(
                stream,
                "bad_request",
                ErrorJson(
                    400,
                    "bad_request",
                    "Transfer-Encoding must be exactly \"chunked\", without Content-Length"
                )
            );
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
        if (streaming) {
            const bool more =
                co_await ServeStreaming(stream, state, buffer, parser, head, *streaming);
            if (!more) {
                co_return;
            }
            continue;
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
                co_await Refuse(stream, "too_large", TooLarge(options_.max_body_bytes));
            } else if (bec.category() == http::make_error_code(http::error::bad_target).category()) {
                co_await Refuse(
                    stream, "bad_request", ErrorJson(400, "bad_request", "malformed request")
                );
            }
            co_return;
        }
        http::request<http::string_body> message = parser.release();
        Request request = std::move(head);
        request.body = std::move(message.body());
        const bool keep_alive = message.keep_alive();
        state.answering = true;  // Stop lets a request in flight finish and be answered
        asio::thread_pool& pool = PoolOf(request);
        Response response = co_await Handle(pool, request, nullptr);
        if (response.event_stream) {
            state.answering = false;
            if (state.closing) {
                co_return;
            }
            co_await StreamEvents(stream, state, request, response);
            co_return;
        }
        // (No co_await inside conditions: GCC 12 miscompiles some of them.)
        const bool written = co_await Answer(
            stream, response, keep_alive && !state.closing, message.version(), pool
        );
        state.answering = false;
        if (!written || !keep_alive || state.closing) {
            co_await Close(stream, false);
            co_return;
        }
    }
}

asio::thread_pool& Server::Impl::PoolOf(const Request& request) {
    // Chosen here, on the I/O thread, so a class of routes whose pool is busy never waits in
    // the queue of another class's pool.
    std::string pool_name;
    try {
        pool_name = router_.PoolFor(request);
    } catch (const std::exception& e) {
        LogFailure("pool_chooser_failed", e.what());
    }
    if (!pool_name.empty()) {
        for (auto& [name, candidate] : pools_) {
            if (name == pool_name) {
                return *candidate;
            }
        }
    }
    return *pools_.front().second;
}

asio::awaitable<Response> Server::Impl::Handle(
    asio::thread_pool& pool, Request& request, BodySource* body, const std::function<void()>& settle
) {
    Response response = co_await asio::co_spawn(
        pool,
        [this, &request, body, &settle]() -> asio::awaitable<Response> {
            Response out;
            try {
                out =
                    body != nullptr ? router_.Dispatch(request, *body) : router_.Dispatch(request);
            } catch (const std::exception& e) {
                LogFailure("handler_failed", e.what());
                out = ErrorJson(500, "internal", "internal error");
            } catch (...) {
                LogFailure("handler_failed", "an exception not derived from std::exception");
                out = ErrorJson(500, "internal", "internal error");
            }
            if (settle) {
                settle();
            }
            co_return out;
        },
        asio::use_awaitable
    );
    co_return response;
}

template <class Stream>
asio::awaitable<bool> Server::Impl::ServeStreaming(
    Stream& stream,
    SessionState& state,
    beast::flat_buffer& buffer,
    http::request_parser<http::string_body>& header_parser,
    Request& request,
    const StreamOptions& route
) {
    if (!AcquireStream()) {
        // Refused before a byte of the body is read: a transfer never waits for a slot.
        co_await Refuse(
            stream, "busy", ErrorJson(503, "busy", "every streaming slot is taken; retry later")
        );
        co_return false;
    }
    struct Slot {
        Impl* impl;
        ~Slot() { impl->ReleaseStream(); }
    } slot{this};
    // The header is read and no body byte is: the parser can change its body type.
    http::request_parser<http::buffer_body> parser(std::move(header_parser));
    parser.body_limit(route.max_body_bytes);
    const unsigned version = parser.get().version();
    const bool keep_alive = parser.get().keep_alive();
    auto& lowest = beast::get_lowest_layer(stream);
    if (beast::iequals(parser.get()[http::field::expect], "100-continue")) {
        http::response<http::empty_body> cont{http::status::continue_, version};
        lowest.expires_after(options_.io_timeout);
        auto [cec, cn] = co_await http::async_write(stream, cont, kTuple);
        if (cec) {
            co_return false;
        }
    }
    state.answering = true;
    state.streaming = true;
    struct Done {
        SessionState& state;
        ~Done() {
            state.answering = false;
            state.streaming = false;
        }
    } done{state};
    const auto executor = co_await asio::this_coro::executor;
    SocketBodySource<Stream> body(
        executor, stream, buffer, parser, state, options_.io_timeout, route.max_body_bytes
    );
    Response response = co_await Handle(*stream_pool_, request, &body, [&body] { body.Settle(); });
    if (body.TooLarge()) {
        co_await Refuse(stream, "too_large", TooLarge(route.max_body_bytes));
        co_return false;
    }
    if (response.event_stream) {
        LogFailure("handler_failed", "a streaming route answered with an event stream");
        response = ErrorJson(500, "internal", "internal error");
    }
    // A body the handler left unread cannot be skipped reliably (it may be GiB): the answer
    // says the connection closes, and it does.
    const bool complete = parser.is_done();
    const bool written = co_await Answer(
        stream, response, keep_alive && complete && !state.closing, version, *stream_pool_
    );
    if (!written || !keep_alive || !complete || state.closing) {
        if (!state.closing) {
            co_await Close(stream, !complete);
        }
        co_return false;
    }
    co_return true;
}

namespace {

// The status line, Content-Type and the handler's header fields of `response`. With
// `own_framing` the server frames the body itself, so a handler's Content-Length or
// Transfer-Encoding, which would contradict it, is left out.
template <class Body>
void SetHead(
    http::response<Body>& message, const Response& response, unsigned version, bool own_framing
) {
    message.version(version);
    message.result(response.status);
    message.set(http::field::content_type, response.content_type);
    for (const auto& [name, value] : response.headers) {
        if (!own_framing || (!beast::iequals(name, "Content-Length") &&
                             !beast::iequals(name, "Transfer-Encoding"))) {
            message.insert(name, value);
        }
    }
}

}  // namespace

template <class Stream>
asio::awaitable<bool> Server::Impl::Answer(
    Stream& stream,
    const Response& response,
    bool keep_alive,
    unsigned version,
    asio::thread_pool& pool
) {
    if (response.body_producer) {
        co_return co_await WriteProduced(stream, response, keep_alive, version, pool);
    }
    co_return co_await Write(stream, response, keep_alive, version, options_.io_timeout);
}

template <class Stream>
asio::awaitable<bool> Server::Impl::WriteProduced(
    Stream& stream,
    const Response& response,
    bool keep_alive,
    unsigned version,
    asio::thread_pool& pool
) {
    http::response<http::buffer_body> message;
    SetHead(message, response, version, true);
    const std::optional<uint64_t> size = response.body_size;
    if (size) {
        message.content_length(*size);
    } else if (version >= 11) {
        message.chunked(true);
    } else {
        keep_alive = false;  // HTTP/1.0 without a length: the body ends with the connection
    }
    message.keep_alive(keep_alive);
    message.body().data = nullptr;
    message.body().more = true;
    http::response_serializer<http::buffer_body> serializer(message);
    auto& lowest = beast::get_lowest_layer(stream);
    lowest.expires_after(options_.io_timeout);
    auto [hec, hn] = co_await http::async_write_header(stream, serializer, kTuple);
    if (hec) {
        co_return false;
    }
    // Two buffers: while one is written (TLS, the socket), the producer fills the other on
    // `pool` (reading, decrypting, hashing), so the two overlap instead of taking turns.
    std::vector<std::uint8_t> chunk(options_.stream_chunk_bytes);
    std::vector<std::uint8_t> next(options_.stream_chunk_bytes);
    const BodyProducer& producer = response.body_producer;
    const auto produce = [&pool, &producer](std::vector<std::uint8_t>& into
                         ) -> asio::awaitable<Result<size_t>> {
        co_return co_await asio::co_spawn(
            pool,
            [&producer, &into]() -> asio::awaitable<Result<size_t>> {
                try {
                    co_return producer(std::span<std::uint8_t>(into));
                } catch (const std::exception& e) {
                    co_return MakeError(ErrorCode::kInternal, e.what());
                }
            },
            asio::use_awaitable
        );
    };
    // Writes the `n` bytes of `chunk`. A body of known length goes straight to the stream: through
    // the serializer each TLS record would take several more handler hops, and the writing, not
    // the producer, would set the pace. A body without a length is framed by the serializer.
    const auto write_chunk = [&](size_t n) -> asio::awaitable<boost::system::error_code> {
        if (size) {
            auto [ec, written] =
                co_await asio::async_write(stream, asio::buffer(chunk.data(), n), kTuple);
            co_return ec;
        }
        auto [ec, written] = co_await http::async_write(stream, serializer, kTuple);
        co_return ec == http::error::need_buffer ? boost::system::error_code{} : ec;
    };
    // Whether the producer still has bytes to give after `sent` of them.
    const auto more_after = [&size](uint64_t sent) { return !size || sent < *size; };
    Result<size_t> produced = more_after(0) ? co_await produce(chunk) : Result<size_t>(0);
    uint64_t sent = 0;
    bool last = false;
    while (!last) {
        if (!produced || *produced > chunk.size()) {
            LogFailure(
                "producer_failed",
                produced ? "a body producer claimed more bytes than its buffer holds"
                         : produced.error().ToString()
            );
            co_return false;
        }
        const size_t n = *produced;
        if (size && (sent + n > *size || (n == 0 && sent < *size))) {
            LogFailure("producer_failed", "a body producer did not give body_size bytes");
            co_return false;
        }
        sent += n;
        last = n == 0 || (size && sent == *size);
        message.body().data = n == 0 ? nullptr : chunk.data();
        message.body().size = n;
        message.body().more = !last || n != 0;
        // Each chunk, not the whole body, must be written within io_timeout.
        lowest.expires_after(options_.io_timeout);
        boost::system::error_code ec;
        if (last) {
            ec = co_await write_chunk(n);
        } else {
            using asio::experimental::awaitable_operators::operator&&;
            auto [write_ec, following] = co_await (write_chunk(n) && produce(next));
            ec = write_ec;
            produced = std::move(following);
            std::swap(chunk, next);
        }
        if (ec) {
            co_return false;
        }
        if (last && n != 0 && !size) {
            // The final bytes went out with `more` set; end the body.
            message.body().data = nullptr;
            message.body().size = 0;
            message.body().more = false;
            lowest.expires_after(options_.io_timeout);
            auto [eec, en] = co_await http::async_write(stream, serializer, kTuple);
            if (eec) {
                co_return false;
            }
        }
    }
    co_return keep_alive;
}

template <class Stream>
asio::awaitable<bool> Server::Impl::Write(
    Stream& stream,
    const Response& response,
    bool keep_alive,
    unsigned version,
    std::chrono::steady_clock::duration timeout
) {
    http::response<http::string_body> message;
    SetHead(message, response, version, false);
    message.body() = response.body;
    message.keep_alive(keep_alive);
    message.prepare_payload();
    beast::get_lowest_layer(stream).expires_after(timeout);
    auto [ec, n] = co_await http::async_write(stream, message, kTuple);
    co_return !ec;
}

template <class Stream>
asio::awaitable<void> Server::Impl::Refuse(
    Stream& stream, std::string_view reason, Response response
) {
    Refusal(reason);
    const bool written = co_await Write(stream, response, false, 11, kRefusalWriteTime);
    if (written) {
        co_await Close(stream, true);
    }
}

template <class Stream>
asio::awaitable<void> Server::Impl::Close(Stream& stream, bool drain) {
    auto& lowest = beast::get_lowest_layer(stream);
    if constexpr (kIsTls<Stream>) {
        lowest.expires_after(kRefusalWriteTime);
        co_await stream.async_shutdown(kTuple);
    }
    boost::system::error_code ignored;
    lowest.socket().shutdown(tcp::socket::shutdown_send, ignored);
    if (drain) {
        // Read and discard what the client is still sending (a refused body), so closing with
        // unread data does not reset the connection before the client has read our answer.
        lowest.expires_after(kRefusalWriteTime);
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
    if (const std::optional<std::string> header = request.Header("Last-Event-ID")) {
        const std::string_view text = *header;
        uint64_t parsed = 0;
        auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), parsed);
        if (ec == std::errc{} && ptr == text.data() + text.size()) {
            last_id = parsed;
        }
    }
    std::string head =
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
        "Connection: close\r\nX-Accel-Buffering: no\r\n";
    for (const auto& [name, value] : response.headers) {
        if (name.find_first_of("\r\n") == std::string::npos &&
            value.find_first_of("\r\n") == std::string::npos) {
            head.append(name).append(": ").append(value).append("\r\n");
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
            } else if (hub->Closed()) {
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

// NOLINTNEXTLINE(bugprone-exception-escape): see the declaration
Server::~Server() {
    Stop();
}

Result<std::unique_ptr<Server>> Server::Start(ServerOptions options, Router router) {
    auto impl = std::make_unique<Impl>(std::move(options), std::move(router));
    CONCORD_RETURN_IF_ERROR(impl->Listen());
    impl->Run();
    return std::unique_ptr<Server>(new Server(std::move(impl)));
}

uint16_t Server::Port() const {
    return impl_->Port();
}

size_t Server::MaxConnections() const {
    return impl_->MaxConnections();
}

void Server::Stop() {
    if (impl_) {
        impl_->Stop();
    }
}

}  // namespace concord::net
