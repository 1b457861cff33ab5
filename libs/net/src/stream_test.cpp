// Streaming bodies: Router::AddStreaming on the server, HttpClient::Upload and Download.
#include "concord/net/stream.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "concord/net/client.hpp"
#include "concord/net/event_hub.hpp"
#include "concord/net/server.hpp"
#include "concord/net/tls.hpp"

#include "test_util.hpp"
#include <malloc.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define CONCORD_TEST_SANITIZER_HEAP 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define CONCORD_TEST_SANITIZER_HEAP 1
#endif

#ifdef CONCORD_TEST_SANITIZER_HEAP
extern "C" size_t __sanitizer_get_current_allocated_bytes();  // NOLINT
#endif

namespace concord::net {
namespace {

using namespace std::chrono_literals;
using testing::BaseUrl;
using testing::kPatience;
using testing::RawSocket;
using testing::StartPlain;

// Bytes the process holds on the heap now (the sanitizer's count, else glibc's).
size_t HeapInUse() {
#ifdef CONCORD_TEST_SANITIZER_HEAP
    return __sanitizer_get_current_allocated_bytes();
#else
    struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;
#endif
}

// The highest heap use seen above a baseline, sampled from several threads.
class HeapWatch {
public:
    HeapWatch() : base_(HeapInUse()) {}
    void Sample() {
        const size_t now = HeapInUse();
        const size_t above = now > base_ ? now - base_ : 0;
        size_t seen = peak_.load();
        while (above > seen && !peak_.compare_exchange_weak(seen, above)) {
        }
    }
    size_t Peak() const { return peak_.load(); }

private:
    size_t base_;
    std::atomic<size_t> peak_{0};
};

// SHA-256, hex.
class Sha256 {
public:
    Sha256() : ctx_(EVP_MD_CTX_new()) { EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr); }
    ~Sha256() { EVP_MD_CTX_free(ctx_); }
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;
    void Update(std::span<const std::uint8_t> data) {
        EVP_DigestUpdate(ctx_, data.data(), data.size());
    }
    std::string Hex() {
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int length = 0;
        EVP_DigestFinal_ex(ctx_, digest, &length);
        static constexpr char kDigits[] = "0123456789abcdef";
        std::string out;
        for (unsigned int i = 0; i < length; ++i) {
            out += kDigits[digest[i] >> 4];
            out += kDigits[digest[i] & 15];
        }
        return out;
    }

private:
    EVP_MD_CTX* ctx_;
};

// `size` pseudo-random bytes made on the fly (xorshift64*), hashed as they are given, in
// reads of uneven sizes.
class GeneratedSource final : public BodySource {
public:
    GeneratedSource(uint64_t size, uint64_t seed, HeapWatch* watch = nullptr)
        : left_(size), state_(seed | 1), watch_(watch) {}
    Result<size_t> Read(std::span<std::uint8_t> buffer) override {
        if (watch_ != nullptr) {
            watch_->Sample();
        }
        // Not always the whole buffer: a source may give less.
        const size_t want =
            buffer.size() > 4096 ? buffer.size() - (reads_++ % 3) * 1000 : buffer.size();
        const size_t n = static_cast<size_t>(std::min<uint64_t>(want, left_));
        Fill(buffer.first(n));
        hash_.Update(buffer.first(n));
        left_ -= n;
        return n;
    }
    std::string Hex() { return hash_.Hex(); }

private:
    // Byte i of the stream is byte (i % 8) of word i / 8, whatever the read sizes.
    void Fill(std::span<std::uint8_t> out) {
        size_t i = 0;
        while (i < out.size() && bits_ != 0) {
            out[i++] = Next();
        }
        for (; i + 8 <= out.size(); i += 8) {
            Step();
            std::memcpy(out.data() + i, &word_, 8);  // little-endian: bytes in Next()'s order
        }
        while (i < out.size()) {
            out[i++] = Next();
        }
    }
    void Step() {
        state_ ^= state_ >> 12;
        state_ ^= state_ << 25;
        state_ ^= state_ >> 27;
        word_ = state_ * 0x2545F4914F6CDD1DULL;
    }
    std::uint8_t Next() {
        if (bits_ == 0) {
            Step();
            bits_ = 8;
        }
        const auto byte = static_cast<std::uint8_t>(word_ >> (8 * (8 - bits_)));
        --bits_;
        return byte;
    }
    uint64_t left_;
    uint64_t state_;
    uint64_t word_ = 0;
    int bits_ = 0;
    size_t reads_ = 0;
    Sha256 hash_;
    HeapWatch* watch_;
};

ClientOptions PlainClient() {
    ClientOptions options;
    options.allow_plain_http = true;
    return options;
}

// Reads a whole streamed body, hashing it; returns the byte count or the first error.
Result<uint64_t> Drain(BodySource& body, Sha256& hash, HeapWatch* watch = nullptr) {
    std::vector<std::uint8_t> buffer(size_t{1} << 20);
    uint64_t total = 0;
    while (true) {
        if (watch != nullptr) {
            watch->Sample();
        }
        CONCORD_ASSIGN_OR_RETURN(size_t n, body.Read(buffer));
        if (n == 0) {
            return total;
        }
        hash.Update(std::span<const std::uint8_t>(buffer.data(), n));
        total += n;
    }
}

// Something a test thread waits for.
class Signal {
public:
    void Notify() {
        std::lock_guard lock(mu_);
        done_ = true;
        cv_.notify_all();
    }
    bool WaitFor(std::chrono::milliseconds limit) {
        std::unique_lock lock(mu_);
        return cv_.wait_for(lock, limit, [this] { return done_; });
    }

private:
    std::mutex mu_;
    std::condition_variable cv_;
    bool done_ = false;
};

TEST(Stream, RouterDispatchesAStreamingRouteWithItsOptions) {
    Router router;
    StreamOptions options;
    options.max_body_bytes = uint64_t{5} << 30;
    router.AddStreaming(
        "PUT",
        "/blobs/{id}",
        [](Request& request, BodySource& body) {
            Sha256 hash;
            auto n = Drain(body, hash);
            return Json(
                200,
                "{\"id\":\"" + request.Param("id") + "\",\"n\":" + std::to_string(n.value_or(0)) +
                    "}"
            );
        },
        options
    );
    router.Add("GET", "/blobs/{id}", [](Request&) { return Json(200, "{}"); });
    Request put;
    put.method = "PUT";
    put.path = "/blobs/7";
    auto found = router.StreamingFor(put);
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->max_body_bytes, uint64_t{5} << 30);
    put.body = "hello";
    EXPECT_EQ(router.Dispatch(put).body, "{\"id\":\"7\",\"n\":5}");
    MemoryBodySource source("abc");
    EXPECT_EQ(router.Dispatch(put, source).body, "{\"id\":\"7\",\"n\":3}");
    Request get;
    get.method = "GET";
    get.path = "/blobs/7";
    EXPECT_FALSE(router.StreamingFor(get).has_value());
}

// 256 MiB up and 256 MiB down over TLS: the content arrives intact (SHA-256) and the process's
// heap never grows by more than a few chunks, whatever the body's size.
TEST(Stream, LargeBodiesTravelBothWaysInConstantMemory) {
    static constexpr uint64_t kSize = uint64_t{256} << 20;
    constexpr size_t kBound = size_t{8} << 20;  // 1/32 of the body; about 1.6 MiB measured
    auto identity = GenerateSelfSignedCertificate("node", {"127.0.0.1"}, std::chrono::hours(1));
    ASSERT_TRUE(identity.has_value());
    auto watch = std::make_shared<HeapWatch>();
    std::mutex mu;
    std::string server_hash;
    uint64_t server_bytes = 0;
    Router router;
    StreamOptions big;
    big.max_body_bytes = uint64_t{1} << 40;
    router.AddStreaming(
        "PUT",
        "/blob",
        [&, watch](Request&, BodySource& body) {
            Sha256 hash;
            auto n = Drain(body, hash, watch.get());
            if (!n) {
                return ErrorJson(400, "read", n.error().ToString());
            }
            std::lock_guard lock(mu);
            server_hash = hash.Hex();
            server_bytes = *n;
            return Json(200, "{}");
        },
        big
    );
    std::shared_ptr<GeneratedSource> produced;  // what the server sent, hashed as it went
    router.AddStreaming("GET", "/blob", [&, watch](Request&, BodySource&) {
        Response response;
        response.content_type = "application/octet-stream";
        auto source = std::make_shared<GeneratedSource>(kSize, 42, watch.get());
        {
            std::lock_guard lock(mu);
            produced = source;
        }
        response.body_producer = [source](std::span<std::uint8_t> out) {
            return source->Read(out);
        };
        response.headers.emplace_back("X-Kind", "generated");
        return response;  // no body_size: sent chunked
    });
    ServerOptions options;
    options.tls_cert_pem = identity->cert_pem;
    options.tls_key_pem = identity->key_pem;
    auto server = Server::Start(options, std::move(router));
    ASSERT_TRUE(server.has_value()) << server.error().ToString();
    const std::string url = "https://127.0.0.1:" + std::to_string((*server)->Port()) + "/blob";
    ClientOptions client_options;
    client_options.pinned_cert_sha256 = identity->sha256_fingerprint;
    HttpClient client(client_options);

    GeneratedSource up(kSize, 7, watch.get());
    auto uploaded = client.Upload("PUT", url, {}, up, std::nullopt);  // chunked
    ASSERT_TRUE(uploaded.has_value()) << uploaded.error().ToString();
    EXPECT_EQ(uploaded->status, 200u) << uploaded->body;
    {
        std::lock_guard lock(mu);
        EXPECT_EQ(server_bytes, kSize);
        EXPECT_EQ(server_hash, up.Hex());
    }

    Sha256 down_hash;
    uint64_t down_bytes = 0;
    auto downloaded = client.Download(url, {}, [&](std::span<const std::uint8_t> chunk) {
        watch->Sample();
        down_hash.Update(chunk);
        down_bytes += chunk.size();
        return Result<void>{};
    });
    ASSERT_TRUE(downloaded.has_value()) << downloaded.error().ToString();
    EXPECT_EQ(downloaded->status, 200u);
    EXPECT_EQ(downloaded->Header("X-Kind").value_or(""), "generated");
    EXPECT_TRUE(downloaded->body.empty());
    EXPECT_EQ(down_bytes, kSize);
    (*server)->Stop();  // the producer's thread is joined: its hash is ours to read
    {
        std::lock_guard lock(mu);
        ASSERT_NE(produced, nullptr);
        EXPECT_EQ(down_hash.Hex(), produced->Hex());
    }
    EXPECT_LT(watch->Peak(), kBound) << "peak heap growth " << watch->Peak();
    RecordProperty("peak_heap_growth_bytes", std::to_string(watch->Peak()));
}

TEST(Stream, SizedUploadAndSizedDownloadUseContentLength) {
    static constexpr uint64_t kSize = (uint64_t{3} << 20) + 12345;
    Router router;
    std::mutex mu;
    std::string length_seen;
    router.AddStreaming("POST", "/in", [&](Request& request, BodySource& body) {
        Sha256 hash;
        auto n = Drain(body, hash);
        std::lock_guard lock(mu);
        length_seen = request.Header("Content-Length").value_or("none");
        return Json(200, "\"" + hash.Hex() + "\"");
    });
    router.AddStreaming("GET", "/out", [](Request&, BodySource&) {
        Response response;
        auto source = std::make_shared<GeneratedSource>(kSize, 3);
        response.body_producer = [source](std::span<std::uint8_t> out) {
            return source->Read(out);
        };
        response.body_size = kSize;
        return response;
    });
    auto server = StartPlain(std::move(router));
    ASSERT_NE(server, nullptr);
    HttpClient client(PlainClient());
    GeneratedSource up(kSize, 9);
    auto uploaded = client.Upload("POST", BaseUrl(*server) + "/in", {}, up, kSize);
    ASSERT_TRUE(uploaded.has_value()) << uploaded.error().ToString();
    EXPECT_EQ(uploaded->body, "\"" + up.Hex() + "\"");
    {
        std::lock_guard lock(mu);
        EXPECT_EQ(length_seen, std::to_string(kSize));
    }
    uint64_t got = 0;
    auto downloaded = client.Download(BaseUrl(*server) + "/out", {}, [&](auto chunk) {
        got += chunk.size();
        return Result<void>{};
    });
    ASSERT_TRUE(downloaded.has_value()) << downloaded.error().ToString();
    EXPECT_EQ(downloaded->Header("Content-Length").value_or(""), std::to_string(kSize));
    EXPECT_EQ(got, kSize);

    // A source shorter than the stated size is the caller's error.
    GeneratedSource short_source(100, 1);
    auto refused = client.Upload("POST", BaseUrl(*server) + "/in", {}, short_source, 200);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
}

// A body of known length is written and read past the HTTP serializer and parser (server.cpp
// WriteProduced, client.cpp ReadSizedBody): over TLS, in a size that is no multiple of a chunk
// or a record, it arrives whole and unaltered, and a producer giving less than asked is followed.
TEST(Stream, ASizedDownloadOverTlsArrivesWholeAndUnaltered) {
    static constexpr uint64_t kSize = (uint64_t{5} << 20) + 77777;
    auto identity = GenerateSelfSignedCertificate("node", {"127.0.0.1"}, std::chrono::hours(1));
    ASSERT_TRUE(identity.has_value());
    Router router;
    std::mutex mu;
    std::shared_ptr<GeneratedSource> produced;
    router.AddStreaming("GET", "/out", [&](Request&, BodySource&) {
        Response response;
        auto source = std::make_shared<GeneratedSource>(kSize, 11);
        {
            std::lock_guard lock(mu);
            produced = source;
        }
        response.body_producer = [source](std::span<std::uint8_t> out) {
            return source->Read(out);
        };
        response.body_size = kSize;
        return response;
    });
    ServerOptions options;
    options.tls_cert_pem = identity->cert_pem;
    options.tls_key_pem = identity->key_pem;
    auto server = Server::Start(options, std::move(router));
    ASSERT_TRUE(server.has_value()) << server.error().ToString();
    ClientOptions client_options;
    client_options.pinned_cert_sha256 = identity->sha256_fingerprint;
    HttpClient client(client_options);
    Sha256 hash;
    uint64_t got = 0;
    size_t pieces = 0;
    auto downloaded = client.Download(
        "https://127.0.0.1:" + std::to_string((*server)->Port()) + "/out",
        {},
        [&](std::span<const std::uint8_t> piece) {
            hash.Update(piece);
            got += piece.size();
            ++pieces;
            return Result<void>{};
        }
    );
    ASSERT_TRUE(downloaded.has_value()) << downloaded.error().ToString();
    EXPECT_EQ(downloaded->status, 200u);
    EXPECT_EQ(got, kSize);
    EXPECT_GT(pieces, 1u);  // handed on a chunk at a time, not gathered whole
    (*server)->Stop();
    std::lock_guard lock(mu);
    ASSERT_NE(produced, nullptr);
    EXPECT_EQ(hash.Hex(), produced->Hex());
}

// After a streamed body of known length the connection carries the next request: the server
// wrote exactly the stated bytes, no more and no fewer.
TEST(Stream, ASizedStreamedAnswerLeavesTheConnectionForTheNextRequest) {
    static constexpr uint64_t kSize = (uint64_t{1} << 20) + 3;
    Router router;
    router.AddStreaming("GET", "/out", [](Request&, BodySource&) {
        Response response;
        auto source = std::make_shared<GeneratedSource>(kSize, 5);
        response.body_producer = [source](std::span<std::uint8_t> out) {
            return source->Read(out);
        };
        response.body_size = kSize;
        return response;
    });
    router.Add("GET", "/hello", [](Request&) { return Json(200, "{\"second\":true}"); });
    auto server = StartPlain(std::move(router));
    ASSERT_NE(server, nullptr);
    RawSocket socket(server->Port());
    ASSERT_TRUE(socket.Connected());
    ASSERT_TRUE(
        socket.Send("GET /out HTTP/1.1\r\nHost: x\r\n\r\n"
                    "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    );
    std::string answer;
    EXPECT_TRUE(socket.ReadUntilClosed(answer, kPatience));
    const size_t head_end = answer.find("\r\n\r\n");
    ASSERT_NE(head_end, std::string::npos) << answer.substr(0, 200);
    EXPECT_EQ(answer.rfind("HTTP/1.1 200", 0), 0u) << answer.substr(0, 200);
    EXPECT_NE(
        answer.substr(0, head_end).find("Content-Length: " + std::to_string(kSize)),
        std::string::npos
    ) << answer.substr(0, head_end);
    ASSERT_GE(answer.size(), head_end + 4 + kSize);
    const std::string rest = answer.substr(head_end + 4 + kSize);
    EXPECT_EQ(rest.rfind("HTTP/1.1 200", 0), 0u) << rest.substr(0, 200);
    EXPECT_NE(rest.find("{\"second\":true}"), std::string::npos) << rest;
}

TEST(Stream, ABodyOverTheRoutesLimitIs413) {
    static constexpr uint64_t kLimit = uint64_t{1} << 20;
    std::atomic<int> calls{0};
    std::mutex mu;
    std::optional<Error> seen;
    Router router;
    StreamOptions options;
    options.max_body_bytes = kLimit;
    router.AddStreaming(
        "PUT",
        "/blob",
        [&](Request&, BodySource& body) {
            ++calls;
            Sha256 hash;
            auto n = Drain(body, hash);
            std::lock_guard lock(mu);
            if (!n) {
                seen = n.error();
            }
            return Json(200, "{}");  // the server answers 413 all the same
        },
        options
    );
    router.Add("POST", "/small", [](Request& r) { return Json(200, r.body); });
    ServerOptions server_options;
    server_options.max_body_bytes = 1024;  // the normal routes' limit is not the route's
    std::vector<std::string> refusals;
    std::mutex refusals_mu;
    server_options.on_refusal = [&](std::string_view reason) {
        std::lock_guard lock(refusals_mu);
        refusals.emplace_back(reason);
    };
    auto server = StartPlain(std::move(router), server_options);
    ASSERT_NE(server, nullptr);
    HttpClient client(PlainClient());

    // A stated size over the limit: refused before the handler runs, no body byte sent.
    GeneratedSource stated(kLimit + 1, 1);
    auto early = client.Upload("PUT", BaseUrl(*server) + "/blob", {}, stated, kLimit + 1);
    ASSERT_TRUE(early.has_value()) << early.error().ToString();
    EXPECT_EQ(early->status, 413u);
    EXPECT_NE(early->body.find("too_large"), std::string::npos);
    EXPECT_EQ(calls.load(), 0);

    // Chunked, crossing the limit midway: the handler's read fails, the answer is 413.
    GeneratedSource chunked(kLimit + 1, 2);
    auto late = client.Upload("PUT", BaseUrl(*server) + "/blob", {}, chunked, std::nullopt);
    ASSERT_TRUE(late.has_value()) << late.error().ToString();
    EXPECT_EQ(late->status, 413u);
    EXPECT_EQ(calls.load(), 1);
    {
        std::lock_guard lock(mu);
        ASSERT_TRUE(seen.has_value());
        EXPECT_EQ(seen->code, ErrorCode::kInvalidArgument);
    }

    // Exactly at the limit is fine; and the server's 1 KiB limit still holds elsewhere.
    GeneratedSource exact(kLimit, 3);
    auto fits = client.Upload("PUT", BaseUrl(*server) + "/blob", {}, exact, std::nullopt);
    ASSERT_TRUE(fits.has_value()) << fits.error().ToString();
    EXPECT_EQ(fits->status, 200u);
    auto small = client.Send("POST", BaseUrl(*server) + "/small", std::string(2048, 'x'));
    ASSERT_TRUE(small.has_value());
    EXPECT_EQ(small->status, 413u);
    std::lock_guard lock(refusals_mu);
    EXPECT_EQ(std::count(refusals.begin(), refusals.end(), "too_large"), 3);
}

TEST(Stream, FullStreamingSlotsAnswer503WhileNormalRoutesStillAnswer) {
    Signal entered;
    Signal release;
    Router router;
    router.AddStreaming("PUT", "/blob", [&](Request&, BodySource& body) {
        entered.Notify();
        release.WaitFor(kPatience);
        Sha256 hash;
        auto n = Drain(body, hash);
        return Json(n ? 200 : 400, "{}");
    });
    router.Add("GET", "/hello", [](Request&) { return Json(200, "{}"); });
    ServerOptions options;
    options.stream_threads = 1;
    options.max_stream_transfers = 1;
    options.handler_threads = 1;
    std::atomic<int> busy{0};
    options.on_refusal = [&](std::string_view reason) {
        if (reason == "busy") {
            ++busy;
        }
    };
    auto server = StartPlain(std::move(router), options);
    ASSERT_NE(server, nullptr);
    const std::string url = BaseUrl(*server) + "/blob";

    Result<Response> first = MakeError(ErrorCode::kInternal, "not run");
    std::thread uploader([&] {
        HttpClient client(PlainClient());
        GeneratedSource body(1 << 20, 5);
        first = client.Upload("PUT", url, {}, body, std::nullopt);
    });
    ASSERT_TRUE(entered.WaitFor(kPatience));

    HttpClient client(PlainClient());
    int source_reads = 0;
    struct CountingSource final : BodySource {
        int* reads;
        explicit CountingSource(int* r) : reads(r) {}
        Result<size_t> Read(std::span<std::uint8_t>) override {
            ++*reads;
            return size_t{0};
        }
    } counting(&source_reads);
    auto second = client.Upload("PUT", url, {}, counting, std::nullopt);
    ASSERT_TRUE(second.has_value()) << second.error().ToString();
    EXPECT_EQ(second->status, 503u);
    EXPECT_NE(second->body.find("\"busy\""), std::string::npos);
    EXPECT_EQ(source_reads, 0);  // refused before the body
    EXPECT_EQ(busy.load(), 1);

    auto hello = client.Send("GET", BaseUrl(*server) + "/hello", "");
    ASSERT_TRUE(hello.has_value()) << hello.error().ToString();
    EXPECT_EQ(hello->status, 200u);

    release.Notify();
    uploader.join();
    ASSERT_TRUE(first.has_value()) << first.error().ToString();
    EXPECT_EQ(first->status, 200u);
    // The slot is free again.
    GeneratedSource again(1000, 6);
    auto third = client.Upload("PUT", url, {}, again, std::nullopt);
    ASSERT_TRUE(third.has_value()) << third.error().ToString();
    EXPECT_EQ(third->status, 200u);
}

// A route whose handler records the error its body read ended with.
struct ReadOutcome {
    Signal entered;
    Signal done;
    std::mutex mu;
    std::optional<Error> error;
    uint64_t bytes = 0;
};

Router RecordingRouter(ReadOutcome& outcome) {
    Router router;
    router.AddStreaming("PUT", "/blob", [&outcome](Request&, BodySource& body) {
        outcome.entered.Notify();
        Sha256 hash;
        auto n = Drain(body, hash);
        {
            std::lock_guard lock(outcome.mu);
            if (n) {
                outcome.bytes = *n;
            } else {
                outcome.error = n.error();
            }
        }
        outcome.done.Notify();
        return Json(200, "{}");
    });
    return router;
}

TEST(Stream, AClientCutMidUploadFailsTheHandlersRead) {
    ReadOutcome outcome;
    auto server = StartPlain(RecordingRouter(outcome));
    ASSERT_NE(server, nullptr);
    {
        RawSocket socket(server->Port());
        ASSERT_TRUE(socket.Connected());
        ASSERT_TRUE(socket.Send(
            "PUT /blob HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n" +
            std::string(70000, 'a')
        ));
    }  // closed mid-body
    ASSERT_TRUE(outcome.done.WaitFor(kPatience));
    std::lock_guard lock(outcome.mu);
    ASSERT_TRUE(outcome.error.has_value());
    EXPECT_EQ(outcome.error->code, ErrorCode::kUnavailable);
}

TEST(Stream, AStalledClientFailsTheHandlersReadAfterIoTimeout) {
    ReadOutcome outcome;
    ServerOptions options;
    options.io_timeout = 300ms;  // per step; the body as a whole has no deadline
    auto server = StartPlain(RecordingRouter(outcome), options);
    ASSERT_NE(server, nullptr);
    RawSocket socket(server->Port());
    ASSERT_TRUE(socket.Connected());
    ASSERT_TRUE(socket.Send(
        "PUT /blob HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n" + std::string(100, 'a')
    ));
    ASSERT_TRUE(outcome.done.WaitFor(kPatience));
    std::lock_guard lock(outcome.mu);
    ASSERT_TRUE(outcome.error.has_value());
    EXPECT_EQ(outcome.error->code, ErrorCode::kUnavailable);
}

TEST(Stream, StopCutsATransferInProgress) {
    ReadOutcome outcome;
    auto server = StartPlain(RecordingRouter(outcome));
    ASSERT_NE(server, nullptr);
    RawSocket socket(server->Port());
    ASSERT_TRUE(socket.Connected());
    ASSERT_TRUE(socket.Send(
        "PUT /blob HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n" + std::string(100, 'a')
    ));
    // Once the handler runs, stop: its read fails at once instead of waiting out io_timeout
    // (30 s), and Stop returns.
    ASSERT_TRUE(outcome.entered.WaitFor(kPatience));
    server->Stop();
    ASSERT_TRUE(outcome.done.WaitFor(kPatience));
    std::lock_guard lock(outcome.mu);
    ASSERT_TRUE(outcome.error.has_value());
    EXPECT_EQ(outcome.error->code, ErrorCode::kUnavailable);
}

TEST(Stream, AHandlerThatStopsReadingEarlyClosesTheConnection) {
    Router router;
    router.AddStreaming("PUT", "/blob", [](Request&, BodySource& body) {
        std::vector<std::uint8_t> buffer(10);
        auto n = body.Read(buffer);  // a look at the start, then a refusal
        return ErrorJson(422, "unwanted", n ? "not this" : "read failed");
    });
    router.Add("GET", "/hello", [](Request&) { return Json(200, "{\"hello\":1}"); });
    auto server = StartPlain(std::move(router));
    ASSERT_NE(server, nullptr);
    RawSocket socket(server->Port());
    ASSERT_TRUE(socket.Connected());
    // The rest of the body would be read as the next request if the server kept the connection.
    std::string body(200000, 'x');
    body.replace(150000, 30, "GET /hello HTTP/1.1\r\nHost: x\r\n");
    ASSERT_TRUE(socket.Send(
        "PUT /blob HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\n\r\n" + body
    ));
    std::string answer;
    EXPECT_TRUE(socket.ReadUntilClosed(answer, kPatience));
    EXPECT_EQ(answer.rfind("HTTP/1.1 422", 0), 0u) << answer;
    EXPECT_NE(answer.find("Connection: close"), std::string::npos) << answer;
    EXPECT_EQ(answer.find("hello"), std::string::npos) << answer;

    HttpClient client(PlainClient());
    auto hello = client.Send("GET", BaseUrl(*server) + "/hello", "");
    ASSERT_TRUE(hello.has_value()) << hello.error().ToString();
    EXPECT_EQ(hello->status, 200u);
}

// The server reads a streaming body ahead of its handler; once the handler is done, a read
// ahead that waits for bytes a stalled client never sends must not hold the answer until
// io_timeout (plain HTTP, then TLS, where the read is cancelled inside a TLS record).
TEST(Stream, AHandlerThatStopsEarlyIsAnsweredAtOnceWhileTheClientStalls) {
    Router router;
    router.AddStreaming("PUT", "/blob", [](Request&, BodySource& body) {
        std::vector<std::uint8_t> buffer(10);
        auto n = body.Read(buffer);
        return ErrorJson(422, "unwanted", n ? "not this" : "read failed");
    });
    ServerOptions options;
    options.io_timeout = std::chrono::minutes(10);
    auto server = StartPlain(std::move(router), options);
    ASSERT_NE(server, nullptr);
    RawSocket socket(server->Port());
    ASSERT_TRUE(socket.Connected());
    ASSERT_TRUE(socket.Send(
        "PUT /blob HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n" + std::string(10, 'a')
    ));  // exactly what the handler reads: the read ahead waits for bytes that never come
    std::string answer;
    EXPECT_TRUE(socket.ReadUntil(answer, "not this", kPatience)) << answer;
    EXPECT_EQ(answer.rfind("HTTP/1.1 422", 0), 0u) << answer;
}

TEST(Stream, OverTlsAHandlerThatStopsEarlyFreesItsSlotWhileTheClientStalls) {
    auto identity = GenerateSelfSignedCertificate("node", {"127.0.0.1"}, std::chrono::hours(1));
    ASSERT_TRUE(identity.has_value());
    std::atomic<int> handled{0};
    Router router;
    router.AddStreaming("PUT", "/blob", [&handled](Request&, BodySource& body) {
        ++handled;
        std::vector<std::uint8_t> buffer(10);
        auto n = body.Read(buffer);
        return ErrorJson(422, "unwanted", n ? "not this" : "read failed");
    });
    ServerOptions options;
    options.tls_cert_pem = identity->cert_pem;
    options.tls_key_pem = identity->key_pem;
    options.io_timeout = std::chrono::minutes(10);
    options.stream_threads = 1;
    options.max_stream_transfers = 1;  // the stalled upload's slot must come free
    auto server = Server::Start(options, std::move(router));
    ASSERT_TRUE(server.has_value()) << server.error().ToString();
    const std::string url = "https://127.0.0.1:" + std::to_string((*server)->Port()) + "/blob";
    ClientOptions client_options;
    client_options.pinned_cert_sha256 = identity->sha256_fingerprint;

    // The 10 bytes the handler reads, then nothing until the test ends.
    class StallingSource final : public BodySource {
    public:
        explicit StallingSource(Signal& release) : release_(release) {}
        Result<size_t> Read(std::span<std::uint8_t> out) override {
            if (!sent_) {
                sent_ = true;
                const size_t n = std::min<size_t>(out.size(), 10);
                std::fill_n(out.begin(), n, std::uint8_t{'a'});
                return n;
            }
            release_.WaitFor(kPatience * 3);
            return MakeError(ErrorCode::kUnavailable, "the test ended");
        }

    private:
        Signal& release_;
        bool sent_ = false;
    };
    Signal release;
    std::thread stalled([&] {
        HttpClient client(client_options);
        StallingSource body(release);
        (void)client.Upload("PUT", url, {}, body, std::nullopt);
    });
    struct Joiner {
        Signal& release;
        std::thread& thread;
        ~Joiner() {
            release.Notify();
            thread.join();
        }
    } joiner{release, stalled};
    const auto started = std::chrono::steady_clock::now() + kPatience;
    while (handled.load() == 0 && std::chrono::steady_clock::now() < started) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_EQ(handled.load(), 1) << "the stalled upload never reached its handler";
    // Another upload gets the slot (and the handler's answer) once the first one's is free.
    HttpClient client(client_options);
    std::optional<unsigned> status;
    const auto deadline = std::chrono::steady_clock::now() + kPatience;
    while (std::chrono::steady_clock::now() < deadline) {
        auto answer = client.Send("PUT", url, std::string(100, 'b'));
        if (answer && answer->status != 503) {
            status = answer->status;
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_TRUE(status.has_value()) << "the stalled upload kept the only streaming slot";
    EXPECT_EQ(*status, 422u);
}

TEST(Stream, DownloadPassesRangeAndKeepsErrorBodiesApart) {
    auto identity = GenerateSelfSignedCertificate("node", {"127.0.0.1"}, std::chrono::hours(1));
    ASSERT_TRUE(identity.has_value());
    const std::string content = [] {
        std::string out;
        for (int i = 0; out.size() < 700000; ++i) {
            out += std::to_string(i) + ",";
        }
        return out;
    }();
    Router router;
    router.AddStreaming("GET", "/files/{name}", [&content](Request& request, BodySource&) {
        if (request.Param("name") != "a") {
            return ErrorJson(404, "not_found", "no such file");
        }
        uint64_t from = 0;
        unsigned status = 200;
        if (auto range = request.Header("Range")) {  // "bytes=<from>-" only, for the test
            from = std::stoull(range->substr(6));
            status = 206;
        }
        Response response;
        response.status = status;
        response.content_type = "application/octet-stream";
        if (status == 206) {
            response.headers.emplace_back(
                "Content-Range",
                "bytes " + std::to_string(from) + "-" + std::to_string(content.size() - 1) + "/" +
                    std::to_string(content.size())
            );
        }
        auto offset = std::make_shared<size_t>(from);
        response.body_producer = [&content, offset](std::span<std::uint8_t> out) {
            const size_t n = std::min(out.size(), content.size() - *offset);
            std::memcpy(out.data(), content.data() + *offset, n);
            *offset += n;
            return Result<size_t>(n);
        };
        response.body_size = content.size() - from;
        return response;
    });
    ServerOptions options;
    options.tls_cert_pem = identity->cert_pem;
    options.tls_key_pem = identity->key_pem;
    auto server = Server::Start(options, std::move(router));
    ASSERT_TRUE(server.has_value()) << server.error().ToString();
    const std::string base = "https://127.0.0.1:" + std::to_string((*server)->Port());
    ClientOptions client_options;
    client_options.pinned_cert_sha256 = identity->sha256_fingerprint;
    HttpClient client(client_options);

    std::string got;
    auto sink = [&got](std::span<const std::uint8_t> chunk) {
        got.append(reinterpret_cast<const char*>(chunk.data()), chunk.size());
        return Result<void>{};
    };
    auto resumed = client.Download(base + "/files/a", {{"Range", "bytes=123456-"}}, sink);
    ASSERT_TRUE(resumed.has_value()) << resumed.error().ToString();
    EXPECT_EQ(resumed->status, 206u);
    EXPECT_EQ(
        resumed->Header("Content-Range").value_or(""),
        "bytes 123456-" + std::to_string(content.size() - 1) + "/" + std::to_string(content.size())
    );
    EXPECT_EQ(got, content.substr(123456));

    got.clear();
    auto missing = client.Download(base + "/files/b", {}, sink);
    ASSERT_TRUE(missing.has_value()) << missing.error().ToString();
    EXPECT_EQ(missing->status, 404u);
    EXPECT_NE(missing->body.find("not_found"), std::string::npos);
    EXPECT_TRUE(got.empty());  // an error document never reaches the sink

    // A sink's error stops the transfer and is returned.
    auto stopped = client.Download(base + "/files/a", {}, [](std::span<const std::uint8_t>) {
        return Result<void>(MakeError(ErrorCode::kUnavailable, "disk full"));
    });
    ASSERT_FALSE(stopped.has_value());
    EXPECT_EQ(stopped.error().message, "disk full");

    // Pinning holds for streamed transfers too.
    ClientOptions wrong;
    wrong.pinned_cert_sha256 = std::string(64, 'a');
    HttpClient mismatched(wrong);
    auto refused = mismatched.Download(base + "/files/a", {}, sink);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, ErrorCode::kPermissionDenied);
}

TEST(Stream, AProducerShortOfItsStatedSizeCutsTheResponse) {
    Router router;
    router.AddStreaming("GET", "/short", [](Request&, BodySource&) {
        Response response;
        auto source = std::make_shared<GeneratedSource>(1000, 1);
        response.body_producer = [source](std::span<std::uint8_t> out) {
            return source->Read(out);
        };
        response.body_size = 5000;
        return response;
    });
    auto server = StartPlain(std::move(router));
    ASSERT_NE(server, nullptr);
    HttpClient client(PlainClient());
    auto cut =
        client.Download(BaseUrl(*server) + "/short", {}, [](auto) { return Result<void>{}; });
    ASSERT_FALSE(cut.has_value());
    EXPECT_EQ(cut.error().code, ErrorCode::kUnavailable);
}

TEST(Stream, AWholeStreamedBodyKeepsTheConnectionForTheNextRequest) {
    ReadOutcome outcome;
    Router router = RecordingRouter(outcome);
    router.Add("GET", "/hello", [](Request& r) {
        return Json(200, "{\"connection\":" + std::to_string(r.connection_id) + "}");
    });
    auto server = StartPlain(std::move(router));
    ASSERT_NE(server, nullptr);
    RawSocket socket(server->Port());
    ASSERT_TRUE(socket.Connected());
    // Both requests in one write: the second must not be taken for body bytes of the first.
    ASSERT_TRUE(
        socket.Send("PUT /blob HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "5\r\nhello\r\n0\r\n\r\n"
                    "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    );
    std::string answer;
    EXPECT_TRUE(socket.ReadUntilClosed(answer, kPatience));
    EXPECT_EQ(answer.rfind("HTTP/1.1 200", 0), 0u) << answer;
    EXPECT_NE(answer.find("HTTP/1.1 200", 1), std::string::npos) << answer;  // the second
    EXPECT_NE(answer.find("\"connection\":"), std::string::npos) << answer;
    ASSERT_TRUE(outcome.done.WaitFor(kPatience));
    std::lock_guard lock(outcome.mu);
    EXPECT_FALSE(outcome.error.has_value());
    EXPECT_EQ(outcome.bytes, 5u);
}

TEST(Stream, ANormalRouteMayAnswerWithAProducerAndHttp10GetsItCloseDelimited) {
    Router router;
    router.Add("GET", "/made", [](Request&) {
        Response response;
        response.content_type = "text/plain";
        auto left = std::make_shared<int>(3);
        response.body_producer = [left](std::span<std::uint8_t> out) {
            if (*left == 0) {
                return Result<size_t>(size_t{0});
            }
            --*left;
            std::memcpy(out.data(), "abc", 3);
            return Result<size_t>(size_t{3});
        };
        return response;
    });
    router.AddStreaming("GET", "/events", [](Request&, BodySource&) {
        Response response;
        response.event_stream = std::make_shared<EventHub>();
        return response;  // not for a streaming route
    });
    auto server = StartPlain(std::move(router));
    ASSERT_NE(server, nullptr);
    HttpClient client(PlainClient());
    std::string got;
    auto made = client.Download(BaseUrl(*server) + "/made", {}, [&got](auto chunk) {
        got.append(reinterpret_cast<const char*>(chunk.data()), chunk.size());
        return Result<void>{};
    });
    ASSERT_TRUE(made.has_value()) << made.error().ToString();
    EXPECT_EQ(made->Header("Transfer-Encoding").value_or(""), "chunked");
    EXPECT_EQ(got, "abcabcabc");

    RawSocket old(server->Port());
    ASSERT_TRUE(old.Connected());
    ASSERT_TRUE(old.Send("GET /made HTTP/1.0\r\nHost: x\r\n\r\n"));
    std::string answer;
    EXPECT_TRUE(old.ReadUntilClosed(answer, kPatience));
    EXPECT_EQ(answer.find("chunked"), std::string::npos) << answer;
    EXPECT_TRUE(answer.ends_with("\r\n\r\nabcabcabc")) << answer;

    auto events = client.Send("GET", BaseUrl(*server) + "/events", "");
    ASSERT_TRUE(events.has_value()) << events.error().ToString();
    EXPECT_EQ(events->status, 500u);
}

}  // namespace
}  // namespace concord::net
