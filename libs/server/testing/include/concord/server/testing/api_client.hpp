#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "concord/core/result.hpp"
#include "concord/federation/directory.hpp"
#include "concord/net/client.hpp"

namespace concord::server::testing {

/// An HTTP answer; `json` is the parsed body when it is a JSON object (else empty).
struct ApiReply {
    unsigned status{0};
    std::string body;
    boost::json::object json;

    /// error.code of a {"error":{"code":...}} body, or "".
    [[nodiscard]] std::string ErrorCodeName() const;
};

/// A message to submit with POST /api/v1/messages.
struct Submission {
    std::string to;
    std::string type{"notice"};
    std::string priority{"normal"};
    std::string in_reply_to;  ///< omitted when empty
    boost::json::value body;
};

/// A client of one node's local API (/api/v1, docs/api/openapi.json) over HTTPS pinned to the
/// node's certificate: what `concord demo`, the functional tests and the benchmarks use to submit
/// messages, follow them and read their evidence.
///
/// Thread-safety: calls on one instance are serialised (one keep-alive connection); give each
/// thread its own net::HttpClient (NewClient) and pass it to the calls that take one.
class ApiClient {
public:
    /// `base_url` is the local API listener, "https://127.0.0.1:PORT" (api.listen); `token` the
    /// bearer token; `tls_sha256` the pin; `federation_url` the federation listener (http.listen)
    /// that Plain calls, by default the same as `base_url`.
    ApiClient(
        std::string base_url,
        std::string token,
        std::string tls_sha256,
        std::chrono::milliseconds timeout = std::chrono::seconds(30),
        std::string federation_url = {}
    );

    [[nodiscard]] const std::string& BaseUrl() const { return base_url_; }
    [[nodiscard]] const std::string& FederationUrl() const { return federation_url_; }
    [[nodiscard]] net::ClientOptions Options() const;
    /// A new connection pinned to the node (one per thread).
    [[nodiscard]] std::unique_ptr<net::HttpClient> NewClient() const;

    /// A request with the bearer token, on `client` (default: this instance's own connection).
    /// Any HTTP status is a value; errors are the transport's (kUnavailable, kPermissionDenied
    /// for a pin mismatch).
    Result<ApiReply> Call(
        std::string_view method,
        const std::string& path,
        std::string_view body = "",
        net::HttpClient* client = nullptr
    );
    /// A request without the token to the federation listener (federation routes, /healthz).
    Result<ApiReply> Plain(
        std::string_view method,
        const std::string& path,
        std::string_view body = "",
        net::HttpClient* client = nullptr
    );

    /// Submits a message; its id on 201, else kUnavailable with the status and body.
    Result<std::string> Submit(const Submission& message, net::HttpClient* client = nullptr);
    /// GET /api/v1/messages/{id}?box=BOX (reads only; opening is POST .../open).
    Result<boost::json::object> Message(std::string_view box, const std::string& id);
    /// Polls the outbox every 2 ms until message `id` is "delivered"; kUnavailable after `limit`
    /// (naming the last status seen).
    Result<boost::json::object> WaitDelivered(
        const std::string& id, std::chrono::milliseconds limit
    );
    /// Opens the live event stream (/api/v1/events); `on_event` runs on the stream's thread.
    Result<std::unique_ptr<net::EventStreamClient>> Events(
        std::function<void(const net::Event&)> on_event
    ) const;

private:
    std::string base_url_;
    std::string federation_url_;
    std::string token_;
    std::string tls_sha256_;
    std::chrono::milliseconds timeout_;
    std::unique_ptr<net::HttpClient> client_;
};

/// Checks, independently of the sending node, what proves that message `message` (an outbox
/// message as GET /api/v1/messages/{id}?box=outbox returns it) reached `receiver`: a delivery
/// receipt signed by the receiver's key from the directory for this envelope's hash, and the
/// receiver's tlog-proof that its ledger entry for the envelope is in its signed log. Returns the
/// receiver's ledger index; kUnauthenticated naming what does not verify.
Result<std::uint64_t> VerifyDelivery(
    const boost::json::object& message, const federation::NodeEntry& receiver
);

}  // namespace concord::server::testing
