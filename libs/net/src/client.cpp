// HttpClient and EventStreamClient: synchronous facades over Beast coroutines run on a private
// single-threaded io_context, so every operation has a deadline (tcp_stream timeouts).
#include "concord/net/client.hpp"

#include <atomic>
#include <charconv>
#include <future>
#include <map>
#include <thread>

#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/ssl.h>

#include "concord/core/mutex.hpp"
#include "concord/net/tls.hpp"

#include "tls_internal.hpp"

namespace concord::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

struct Connection {
    std::unique_ptr<beast::tcp_stream> plain;
    std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
    beast::flat_buffer buffer;

    beast::tcp_stream& Lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
};

std::string HostPort(const Url& url) {
    return (url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host) + ":" +
           std::to_string(url.port);
}

Result<void> CheckPolicy(const Url& url, const ClientOptions& options) {
    if (!url.tls && !options.allow_plain_http) {
        return MakeError(
            ErrorCode::kInvalidArgument, "plain http:// is not allowed (set allow_plain_http)"
        );
    }
    if (url.tls && options.pinned_cert_sha256.empty() && !options.insecure_skip_verify) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "https needs a pinned certificate fingerprint (pinned_cert_sha256)"
        );
    }
    return {};
}

asio::ssl::context MakeClientContext() {
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    ctx.set_options(
        asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
        asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1
    );
    detail::ApplyTlsPolicy(ctx.native_handle());  // fixed, valid settings: cannot fail
    // Chain verification is replaced by pinning the certificate's fingerprint (checked after the
    // handshake, before anything is sent).
    ctx.set_verify_mode(asio::ssl::verify_none);
    return ctx;
}

Error Unavailable(const std::string& what, const Url& url, boost::system::error_code ec) {
    if (ec == beast::error::timeout) {
        return MakeError(ErrorCode::kUnavailable, "timed out " + what + " " + HostPort(url));
    }
    if (ec == asio::error::connection_refused) {
        return MakeError(ErrorCode::kUnavailable, "connection refused by " + HostPort(url));
    }
    return MakeError(
        ErrorCode::kUnavailable, what + " " + HostPort(url) + " failed: " + ec.message()
    );
}

asio::awaitable<Result<std::unique_ptr<Connection>>> OpenConnection(
    asio::io_context& ioc,
    asio::ssl::context& ssl,
    const ClientOptions& options,
    const Url& url,
    Clock::time_point deadline
) {
    tcp::resolver resolver(ioc);
    auto [rec, endpoints] =
        co_await resolver.async_resolve(url.host, std::to_string(url.port), kTuple);
    if (rec) {
        co_return MakeError(
            ErrorCode::kUnavailable, "cannot resolve " + url.host + ": " + rec.message()
        );
    }
    auto connection = std::make_unique<Connection>();
    auto stream = std::make_unique<beast::tcp_stream>(ioc);
    stream->expires_at(deadline);
    auto [cec, endpoint] = co_await stream->async_connect(endpoints, kTuple);
    if (cec) {
        co_return Unavailable("connecting to", url, cec);
    }
    boost::system::error_code ignored;
    stream->socket().set_option(tcp::no_delay(true), ignored);
    if (!url.tls) {
        connection->plain = std::move(stream);
        co_return connection;
    }
    connection->tls =
        std::make_unique<beast::ssl_stream<beast::tcp_stream>>(std::move(*stream), ssl);
    boost::system::error_code parse_ec;
    asio::ip::make_address(url.host, parse_ec);
    if (parse_ec) {
        SSL_set_tlsext_host_name(connection->tls->native_handle(), url.host.c_str());
    }
    auto [hec] = co_await connection->tls->async_handshake(asio::ssl::stream_base::client, kTuple);
    if (hec) {
        co_return Unavailable("TLS handshake with", url, hec);
    }
    if (!options.insecure_skip_verify) {
        X509* cert = SSL_get1_peer_certificate(connection->tls->native_handle());
        if (cert == nullptr) {
            co_return MakeError(
                ErrorCode::kPermissionDenied, HostPort(url) + " presented no certificate"
            );
        }
        Result<std::string> fingerprint = detail::FingerprintOf(cert);
        X509_free(cert);
        if (!fingerprint) {
            co_return fingerprint.error();
        }
        if (*fingerprint != NormalizeFingerprint(options.pinned_cert_sha256)) {
            co_return MakeError(
                ErrorCode::kPermissionDenied,
                "TLS certificate of " + HostPort(url) +
                    " does not match the pinned fingerprint (it has sha256 " + *fingerprint + ")"
            );
        }
    }
    co_return connection;
}

http::request<http::string_body> BuildRequest(
    std::string_view method, const Url& url, std::string_view body, const HeaderList& headers
) {
    http::request<http::string_body> request;
    http::verb verb = http::string_to_verb(method);
    if (verb == http::verb::unknown) {
        request.method_string(method);
    } else {
        request.method(verb);
    }
    request.target(url.target);
    request.version(11);
    request.set(http::field::host, HostPort(url));
    request.set(http::field::user_agent, "concord");
    for (const auto& [name, value] : headers) {
        request.insert(name, value);
    }
    request.body() = std::string(body);
    request.keep_alive(true);
    request.prepare_payload();
    return request;
}

// Runs `co` to completion on `ioc` (single-threaded, on the calling thread).
template <class T>
T RunSync(asio::io_context& ioc, asio::awaitable<T> co) {
    std::optional<T> out;
    ioc.restart();
    asio::co_spawn(ioc, std::move(co), [&](const std::exception_ptr& error, T value) {
        if (error) {
            out.emplace(T{MakeError(ErrorCode::kInternal, "client operation threw an exception")});
        } else {
            out.emplace(std::move(value));
        }
    });
    ioc.run();
    return std::move(*out);
}

struct ExchangeResult {
    Result<Response> response = MakeError(ErrorCode::kInternal, "not run");
    bool retryable = false;  // failed before any byte of a response arrived
    bool keep_alive = false;
};

template <class Stream>
asio::awaitable<ExchangeResult> Exchange(
    Stream& stream,
    beast::flat_buffer& buffer,
    http::request<http::string_body>& request,
    const Url& url,
    const ClientOptions& options,
    Clock::time_point deadline
) {
    ExchangeResult out;
    beast::get_lowest_layer(stream).expires_at(deadline);
    auto [wec, wn] = co_await http::async_write(stream, request, kTuple);
    if (wec) {
        out.response = Unavailable("sending to", url, wec);
        out.retryable = wec != beast::error::timeout;
        co_return out;
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(options.max_response_body_bytes);
    parser.header_limit(64 * 1024);
    auto [rec, rn] = co_await http::async_read(stream, buffer, parser, kTuple);
    if (rec) {
        out.retryable = !parser.got_some() && rec != beast::error::timeout;
        out.response = rec == http::error::body_limit
                           ? MakeError(
                                 ErrorCode::kUnavailable,
                                 "response from " + HostPort(url) + " is larger than " +
                                     std::to_string(options.max_response_body_bytes) + " bytes"
                             )
                           : Unavailable("reading the response from", url, rec);
        co_return out;
    }
    auto message = parser.release();
    Response response;
    response.status = message.result_int();
    response.content_type = std::string(message[http::field::content_type]);
    for (const auto& field : message) {
        response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    response.body = std::move(message.body());
    out.keep_alive = message.keep_alive();
    out.response = std::move(response);
    co_return out;
}

// Bytes of a streamed body held at a time (Upload and Download).
constexpr size_t kStreamChunk = size_t{256} << 10;

Response ResponseHead(const http::response_header<>& header) {
    Response response;
    response.status = header.result_int();
    response.content_type = std::string(header[http::field::content_type]);
    for (const auto& field : header) {
        response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    return response;
}

// Reads `left` bytes of body into `sink`, a chunk at a time: first those `buffer` read ahead with
// the header, then straight from `stream`. For a body of known length on a connection that is not
// used again (streamed transfers open their own): the HTTP parser in between would add several
// handler hops to every TLS record, and the client would spend its time in them rather than
// reading. Each chunk must progress within options.timeout.
template <class Stream>
asio::awaitable<Result<Response>> ReadSizedBody(
    Stream& stream,
    beast::flat_buffer& buffer,
    uint64_t left,
    const Url& url,
    const ClientOptions& options,
    const BodySink& sink,
    std::vector<std::uint8_t>& chunk,
    Response& response
) {
    auto& lowest = beast::get_lowest_layer(stream);
    while (left > 0) {
        const size_t want = static_cast<size_t>(std::min<uint64_t>(left, chunk.size()));
        const size_t ahead = std::min(want, buffer.size());
        asio::buffer_copy(asio::buffer(chunk.data(), ahead), buffer.data());
        buffer.consume(ahead);
        if (ahead < want) {
            lowest.expires_after(options.timeout);
            auto [ec, n] = co_await asio::async_read(
                stream, asio::buffer(chunk.data() + ahead, want - ahead), kTuple
            );
            if (ec) {
                co_return Unavailable("reading the response body from", url, ec);
            }
        }
        Result<void> taken = sink(std::span<const std::uint8_t>(chunk.data(), want));
        if (!taken) {
            co_return taken.error();
        }
        left -= want;
    }
    co_return std::move(response);
}

// Reads the body of the response whose header `parser` holds: a 2xx one into `sink` (when
// given), chunk by chunk; any other into Response::body, bounded. Each read must progress within
// options.timeout.
template <class Stream>
asio::awaitable<Result<Response>> ReadStreamedBody(
    Stream& stream,
    beast::flat_buffer& buffer,
    http::response_parser<http::buffer_body>& parser,
    const Url& url,
    const ClientOptions& options,
    const BodySink* sink
) {
    auto& lowest = beast::get_lowest_layer(stream);
    Response response = ResponseHead(parser.get());
    const bool to_sink = sink != nullptr && response.status / 100 == 2;
    std::vector<std::uint8_t> chunk(kStreamChunk);
    if (to_sink && !parser.is_done() && !parser.chunked() && parser.content_length_remaining()) {
        co_return co_await ReadSizedBody(
            stream, buffer, *parser.content_length_remaining(), url, options, *sink, chunk, response
        );
    }
    while (!parser.is_done()) {
        // Fill the chunk (or end the body), then hand it on.
        size_t got = 0;
        while (got < chunk.size() && !parser.is_done()) {
            parser.get().body().data = chunk.data() + got;
            parser.get().body().size = chunk.size() - got;
            lowest.expires_after(options.timeout);
            auto [ec, n] = co_await http::async_read_some(stream, buffer, parser, kTuple);
            got = chunk.size() - parser.get().body().size;
            if (ec == http::error::need_buffer) {
                ec = {};
            }
            if (ec) {
                co_return Unavailable("reading the response body from", url, ec);
            }
        }
        if (got == 0) {
            continue;
        }
        if (to_sink) {
            Result<void> taken = (*sink)(std::span<const std::uint8_t>(chunk.data(), got));
            if (!taken) {
                co_return taken.error();
            }
        } else if (response.body.size() + got > options.max_response_body_bytes) {
            co_return MakeError(
                ErrorCode::kUnavailable,
                "response from " + HostPort(url) + " is larger than " +
                    std::to_string(options.max_response_body_bytes) + " bytes"
            );
        } else {
            response.body.append(reinterpret_cast<const char*>(chunk.data()), got);
        }
    }
    co_return response;
}

template <class Stream>
asio::awaitable<Result<Response>> ReadStreamedResponse(
    Stream& stream,
    beast::flat_buffer& buffer,
    const Url& url,
    const ClientOptions& options,
    const BodySink* sink
) {
    http::response_parser<http::buffer_body> parser;
    parser.header_limit(64 * 1024);
    parser.body_limit(boost::none);
    beast::get_lowest_layer(stream).expires_after(options.timeout);
    auto [ec, n] = co_await http::async_read_header(stream, buffer, parser, kTuple);
    if (ec) {
        co_return Unavailable("reading the response from", url, ec);
    }
    co_return co_await ReadStreamedBody(stream, buffer, parser, url, options, sink);
}

template <class Stream>
asio::awaitable<Result<Response>> UploadOn(
    Stream& stream,
    beast::flat_buffer& buffer,
    http::request<http::buffer_body>& request,
    BodySource& source,
    std::optional<uint64_t> size,
    const Url& url,
    const ClientOptions& options
) {
    auto& lowest = beast::get_lowest_layer(stream);
    request.body().data = nullptr;
    request.body().more = true;
    http::request_serializer<http::buffer_body> serializer(request);
    lowest.expires_after(options.timeout);
    auto [hec, hn] = co_await http::async_write_header(stream, serializer, kTuple);
    if (hec) {
        co_return Unavailable("sending to", url, hec);
    }
    // Expect: 100-continue. A final answer instead (a refusal) ends the exchange unsent.
    {
        http::response_parser<http::empty_body> interim;
        interim.header_limit(64 * 1024);
        lowest.expires_after(options.timeout);
        auto [iec, in] = co_await http::async_read_header(stream, buffer, interim, kTuple);
        if (iec) {
            co_return Unavailable("reading the response from", url, iec);
        }
        if (interim.get().result() != http::status::continue_) {
            http::response_parser<http::buffer_body> final_parser(std::move(interim));
            final_parser.body_limit(boost::none);
            co_return co_await ReadStreamedBody(
                stream, buffer, final_parser, url, options, nullptr
            );
        }
    }
    std::vector<std::uint8_t> chunk(kStreamChunk);
    uint64_t sent = 0;
    boost::system::error_code write_error;
    for (bool last = false; !last;) {
        size_t n = 0;
        if (!size || sent < *size) {
            std::span<std::uint8_t> room(chunk);
            if (size) {
                room =
                    room.first(static_cast<size_t>(std::min<uint64_t>(*size - sent, chunk.size())));
            }
            Result<size_t> got = source.Read(room);
            if (!got) {
                co_return got.error();
            }
            if (*got > room.size()) {
                co_return MakeError(
                    ErrorCode::kInternal, "a body source claimed more bytes than its buffer holds"
                );
            }
            n = *got;
            if (n == 0 && size) {
                co_return MakeError(
                    ErrorCode::kInvalidArgument,
                    "the body source ended after " + std::to_string(sent) + " of " +
                        std::to_string(*size) + " bytes"
                );
            }
        }
        sent += n;
        last = n == 0 || (size && sent == *size);
        request.body().data = n == 0 ? nullptr : chunk.data();
        request.body().size = n;
        request.body().more = n != 0;
        lowest.expires_after(options.timeout);
        auto [ec, wn] = co_await http::async_write(stream, serializer, kTuple);
        if (ec == http::error::need_buffer) {
            ec = {};
        }
        if (!ec && last && n != 0) {
            request.body().data = nullptr;
            request.body().size = 0;
            request.body().more = false;
            lowest.expires_after(options.timeout);
            auto [eec, en] = co_await http::async_write(stream, serializer, kTuple);
            ec = eec;
        }
        if (ec) {
            write_error = ec;
            break;
        }
    }
    // After a failed write the server may still have answered (it refused the body midway).
    Result<Response> response =
        co_await ReadStreamedResponse(stream, buffer, url, options, nullptr);
    if (!response && write_error) {
        co_return Unavailable("sending to", url, write_error);
    }
    co_return response;
}

template <class Stream>
asio::awaitable<Result<Response>> DownloadOn(
    Stream& stream,
    beast::flat_buffer& buffer,
    http::request<http::string_body>& request,
    const BodySink& sink,
    const Url& url,
    const ClientOptions& options
) {
    beast::get_lowest_layer(stream).expires_after(options.timeout);
    auto [wec, wn] = co_await http::async_write(stream, request, kTuple);
    if (wec) {
        co_return Unavailable("sending to", url, wec);
    }
    co_return co_await ReadStreamedResponse(stream, buffer, url, options, &sink);
}

}  // namespace

class HttpClient::Impl {
public:
    explicit Impl(ClientOptions options) : options_(std::move(options)) {}

    Result<Response> Send(
        std::string_view method,
        std::string_view url_text,
        std::string_view body,
        const HeaderList& headers
    ) {
        MutexLock lock(mu_);
        CONCORD_ASSIGN_OR_RETURN(Url url, ParseUrl(url_text));
        CONCORD_RETURN_IF_ERROR(CheckPolicy(url, options_));
        const auto deadline = Clock::now() + options_.timeout;
        const std::string key = (url.tls ? "https://" : "http://") + HostPort(url);
        auto request = BuildRequest(method, url, body, headers);
        for (int attempt = 0;; ++attempt) {
            auto it = connections_.find(key);
            const bool reused = it != connections_.end();
            if (!reused) {
                auto opened = RunSync(ioc_, OpenConnection(ioc_, ssl_, options_, url, deadline));
                if (!opened) {
                    return opened.error();
                }
                ++opened_;
                it = connections_.emplace(key, std::move(*opened)).first;
            }
            Connection& c = *it->second;
            ExchangeResult result = RunSync(
                ioc_,
                c.tls ? Exchange(*c.tls, c.buffer, request, url, options_, deadline)
                      : Exchange(*c.plain, c.buffer, request, url, options_, deadline)
            );
            if (!result.response || !result.keep_alive) {
                connections_.erase(it);
            }
            // A kept connection the server closed meanwhile fails before any response byte:
            // reconnect once. (Concord's federation requests are idempotent, so a request the
            // server did receive before closing is harmless to repeat.)
            if (!result.response && result.retryable && reused && attempt == 0) {
                continue;
            }
            return std::move(result.response);
        }
    }

    Result<Response> Upload(
        std::string_view method,
        std::string_view url_text,
        const HeaderList& headers,
        BodySource& body,
        std::optional<uint64_t> size
    ) {
        MutexLock lock(mu_);
        CONCORD_ASSIGN_OR_RETURN(Url url, ParseUrl(url_text));
        CONCORD_RETURN_IF_ERROR(CheckPolicy(url, options_));
        CONCORD_ASSIGN_OR_RETURN(std::unique_ptr<Connection> c, Open(url));
        http::request<http::buffer_body> request;
        http::verb verb = http::string_to_verb(method);
        if (verb == http::verb::unknown) {
            request.method_string(method);
        } else {
            request.method(verb);
        }
        request.target(url.target);
        request.version(11);
        request.set(http::field::host, HostPort(url));
        request.set(http::field::user_agent, "concord");
        for (const auto& [name, value] : headers) {
            request.insert(name, value);
        }
        request.set(http::field::expect, "100-continue");
        if (size) {
            request.content_length(*size);
        } else {
            request.chunked(true);
        }
        request.keep_alive(false);
        return RunSync(
            ioc_,
            c->tls ? UploadOn(*c->tls, c->buffer, request, body, size, url, options_)
                   : UploadOn(*c->plain, c->buffer, request, body, size, url, options_)
        );
    }

    Result<Response> Download(
        std::string_view url_text, const HeaderList& headers, const BodySink& sink
    ) {
        MutexLock lock(mu_);
        CONCORD_ASSIGN_OR_RETURN(Url url, ParseUrl(url_text));
        CONCORD_RETURN_IF_ERROR(CheckPolicy(url, options_));
        CONCORD_ASSIGN_OR_RETURN(std::unique_ptr<Connection> c, Open(url));
        auto request = BuildRequest("GET", url, "", headers);
        request.keep_alive(false);
        return RunSync(
            ioc_,
            c->tls ? DownloadOn(*c->tls, c->buffer, request, sink, url, options_)
                   : DownloadOn(*c->plain, c->buffer, request, sink, url, options_)
        );
    }

    size_t Opened() const {
        MutexLock lock(mu_);
        return opened_;
    }

    void CloseIdle() {
        MutexLock lock(mu_);
        connections_.clear();
    }

private:
    // A fresh connection for one streamed transfer; only connecting and the handshake share a
    // deadline (options_.timeout), the transfer's steps have one each.
    Result<std::unique_ptr<Connection>> Open(const Url& url) CONCORD_REQUIRES(mu_) {
        auto opened = RunSync(
            ioc_, OpenConnection(ioc_, ssl_, options_, url, Clock::now() + options_.timeout)
        );
        if (opened) {
            ++opened_;
        }
        return opened;
    }

    asio::io_context ioc_{1};  // first: destroyed last
    ClientOptions options_;
    mutable Mutex mu_;
    asio::ssl::context ssl_ = MakeClientContext();
    std::map<std::string, std::unique_ptr<Connection>> connections_ CONCORD_GUARDED_BY(mu_);
    size_t opened_ CONCORD_GUARDED_BY(mu_) = 0;
};

HttpClient::HttpClient(ClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
HttpClient::~HttpClient() = default;

Result<Response> HttpClient::Upload(
    std::string_view method,
    std::string_view url,
    const HeaderList& headers,
    BodySource& body,
    std::optional<std::uint64_t> size
) {
    return impl_->Upload(method, url, headers, body, size);
}

Result<Response> HttpClient::Download(
    std::string_view url, const HeaderList& headers, const BodySink& sink
) {
    return impl_->Download(url, headers, sink);
}

Result<Response> HttpClient::Send(
    std::string_view method, std::string_view url, std::string_view body, const HeaderList& headers
) {
    return impl_->Send(method, url, body, headers);
}

size_t HttpClient::ConnectionsOpened() const {
    return impl_->Opened();
}

void HttpClient::CloseIdle() {
    impl_->CloseIdle();
}

class EventStreamClient::Impl {
public:
    Impl(ClientOptions options, std::function<void(const Event&)> on_event)
        : options_(std::move(options)), on_event_(std::move(on_event)) {}

    Result<void> Start(const std::string& url_text, HeaderList headers) {
        CONCORD_ASSIGN_OR_RETURN(url_, ParseUrl(url_text));
        CONCORD_RETURN_IF_ERROR(CheckPolicy(url_, options_));
        headers_ = std::move(headers);
        std::future<Result<void>> connected = connected_.get_future();
        asio::co_spawn(ioc_, Run(), asio::detached);
        thread_ = std::thread([this] {
            ioc_.run();
            done_.store(true);
        });
        return connected.get();
    }

    void Stop() {
        if (thread_.joinable()) {
            // Closing the socket on the client thread ends the read loop, so run() returns.
            asio::post(ioc_, [this] {
                if (connection_) {
                    connection_->Lowest().close();
                }
            });
            thread_.join();
        }
        done_.store(true);
    }

    bool Done() const { return done_.load(); }

private:
    asio::awaitable<void> Run() {
        const auto deadline = Clock::now() + options_.timeout;
        auto opened = co_await OpenConnection(ioc_, ssl_, options_, url_, deadline);
        if (!opened) {
            connected_.set_value(opened.error());
            co_return;
        }
        connection_ = std::move(*opened);
        auto request = BuildRequest("GET", url_, "", headers_);
        request.set(http::field::accept, "text/event-stream");
        request.set(http::field::cache_control, "no-cache");
        if (connection_->tls) {
            co_await Read(*connection_->tls, request, deadline);
        } else {
            co_await Read(*connection_->plain, request, deadline);
        }
        Signal(MakeError(ErrorCode::kUnavailable, "event stream ended early"));
    }

    template <class Stream>
    asio::awaitable<void> Read(
        Stream& stream, http::request<http::string_body>& request, Clock::time_point deadline
    ) {
        beast::get_lowest_layer(stream).expires_at(deadline);
        auto [wec, wn] = co_await http::async_write(stream, request, kTuple);
        if (wec) {
            Signal(Unavailable("sending to", url_, wec));
            co_return;
        }
        http::response_parser<http::buffer_body> parser;
        parser.body_limit(boost::none);
        auto& buffer = connection_->buffer;
        auto [hec, hn] = co_await http::async_read_header(stream, buffer, parser, kTuple);
        if (hec) {
            Signal(Unavailable("reading the response from", url_, hec));
            co_return;
        }
        auto& header = parser.get();
        if (header.result_int() != 200 ||
            !std::string_view(header[http::field::content_type]).starts_with("text/event-stream")) {
            Signal(MakeError(
                ErrorCode::kUnavailable,
                "expected a 200 text/event-stream from " + HostPort(url_) + ", got " +
                    std::to_string(header.result_int())
            ));
            co_return;
        }
        Signal({});
        beast::get_lowest_layer(stream).expires_never();
        EventStreamParser events;
        std::array<char, 8192> chunk{};
        while (!parser.is_done()) {
            parser.get().body().data = chunk.data();
            parser.get().body().size = chunk.size();
            // read_some: deliver each event as soon as its bytes arrive.
            auto [ec, n] = co_await http::async_read_some(stream, buffer, parser, kTuple);
            if (ec && ec != http::error::need_buffer) {
                break;
            }
            size_t got = chunk.size() - parser.get().body().size;
            events.Feed(std::string_view(chunk.data(), got), on_event_);
        }
    }

    void Signal(Result<void> result) {
        if (!signalled_) {
            signalled_ = true;
            connected_.set_value(std::move(result));
        }
    }

    asio::io_context ioc_{1};  // first: destroyed last
    ClientOptions options_;
    std::function<void(const Event&)> on_event_;
    Url url_;
    HeaderList headers_;
    asio::ssl::context ssl_ = MakeClientContext();
    std::unique_ptr<Connection> connection_;  // used on the client thread only
    std::promise<Result<void>> connected_;
    bool signalled_ = false;  // client thread only
    std::thread thread_;
    std::atomic<bool> done_{false};
};

Result<std::unique_ptr<EventStreamClient>> EventStreamClient::Connect(
    const std::string& url,
    ClientOptions options,
    HeaderList headers,
    std::function<void(const Event&)> on_event
) {
    auto impl = std::make_unique<Impl>(std::move(options), std::move(on_event));
    Result<void> started = impl->Start(url, std::move(headers));
    if (!started) {
        impl->Stop();
        return started.error();
    }
    return std::unique_ptr<EventStreamClient>(new EventStreamClient(std::move(impl)));
}

EventStreamClient::EventStreamClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

// NOLINTNEXTLINE(bugprone-exception-escape): see the declaration
EventStreamClient::~EventStreamClient() {
    Stop();
}

void EventStreamClient::Stop() {
    impl_->Stop();
}

bool EventStreamClient::Done() const {
    return impl_->Done();
}

}  // namespace concord::net
