#include "http_transport.hpp"

namespace concord::server {

std::unique_ptr<net::HttpClient> HttpTransport::Borrow(
    const federation::NodeEntry& peer, std::string& key
) {
    key = peer.id + "\n" + peer.endpoint + "\n" + peer.tls_sha256;
    {
        std::scoped_lock lock(mu_);
        auto& pool = idle_[key];
        if (!pool.empty()) {
            auto client = std::move(pool.back());
            pool.pop_back();
            return client;
        }
    }
    net::ClientOptions options;
    options.timeout = std::chrono::seconds(10);
    options.pinned_cert_sha256 = peer.tls_sha256;
    options.allow_plain_http = allow_plain_http_;
    return std::make_unique<net::HttpClient>(options);
}

void HttpTransport::Return(const std::string& key, std::unique_ptr<net::HttpClient> client) {
    std::scoped_lock lock(mu_);
    auto& pool = idle_[key];
    if (pool.size() < 16) {
        pool.push_back(std::move(client));
    }
}

Result<federation::Transport::Reply> HttpTransport::Send(
    const federation::NodeEntry& peer,
    std::string_view method,
    std::string_view target,
    std::string_view body
) {
    std::string key;
    auto client = Borrow(peer, key);
    const std::string url = peer.endpoint + std::string(target);
    auto response = client->Send(method, url, body, {{"Content-Type", "application/json"}});
    if (!response) {
        return tl::unexpected(response.error());  // the client is dropped with its connection
    }
    Return(key, std::move(client));
    return Reply{response->status, std::move(response->body)};
}

}  // namespace concord::server
