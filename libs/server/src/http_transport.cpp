#include "http_transport.hpp"

#include <boost/json.hpp>

namespace concord::server {
namespace {

bool IsEmergencyEnvelope(std::string_view body) {
    boost::system::error_code ec;
    auto value = boost::json::parse(body, ec);
    if (ec || !value.is_object()) {
        return false;
    }
    const auto* priority = value.as_object().if_contains("priority");
    return priority != nullptr && priority->is_string() && priority->as_string() == "emergency";
}

}  // namespace

std::unique_ptr<net::HttpClient> HttpTransport::Borrow(
    const federation::NodeEntry& peer, std::string& key
) {
    key = peer.id + "\n" + peer.endpoint + "\n" + peer.tls_sha256;
    {
        MutexLock lock(mu_);
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
    MutexLock lock(mu_);
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
    net::HeaderList headers{{"Content-Type", "application/json"}};
    // The receiver runs emergency intakes on their own handler pool, chosen before the body is
    // parsed: say so in a header. The envelope's signed `priority` member is what counts.
    if (method == "POST" && IsEmergencyEnvelope(body)) {
        headers.emplace_back("Concord-Priority", "emergency");
    }
    auto response = client->Send(method, url, body, headers);
    if (!response) {
        return tl::unexpected(response.error());  // the client is dropped with its connection
    }
    Return(key, std::move(client));
    return Reply{response->status, std::move(response->body)};
}

}  // namespace concord::server
