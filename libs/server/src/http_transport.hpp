#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "concord/core/mutex.hpp"
#include "concord/federation/node.hpp"
#include "concord/net/client.hpp"

namespace concord::server {

/// federation::Transport over HTTPS: the peer's certificate must match the fingerprint that
/// the signed directory lists for it. Keeps a pool of keep-alive clients per peer, so each
/// concurrent sender has its own connection.
class HttpTransport : public federation::Transport {
public:
    explicit HttpTransport(bool allow_plain_http) : allow_plain_http_(allow_plain_http) {}

    Result<Reply> Send(
        const federation::NodeEntry& peer,
        std::string_view method,
        std::string_view target,
        std::string_view body
    ) override;

private:
    std::unique_ptr<net::HttpClient> Borrow(const federation::NodeEntry& peer, std::string& key);
    void Return(const std::string& key, std::unique_ptr<net::HttpClient> client);

    bool allow_plain_http_;
    Mutex mu_;
    // Idle clients by (peer id, endpoint, pin); a changed directory entry gets new clients.
    std::map<std::string, std::vector<std::unique_ptr<net::HttpClient>>> idle_
        CONCORD_GUARDED_BY(mu_);
};

}  // namespace concord::server
