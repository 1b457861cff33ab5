#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "concord/net/server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace concord::net::testing {

/// Starts a plain-HTTP server on 127.0.0.1 (ephemeral port) or fails the test.
inline std::unique_ptr<Server> StartPlain(Router router, ServerOptions options = {}) {
    options.address = "127.0.0.1";
    options.allow_plain_http = true;
    auto server = Server::Start(std::move(options), std::move(router));
    EXPECT_TRUE(server.has_value()) << server.error().ToString();
    return server ? std::move(*server) : nullptr;
}

inline std::string BaseUrl(const Server& server) {
    return "http://127.0.0.1:" + std::to_string(server.Port());
}

/// A raw TCP connection for tests that must send malformed or partial requests.
class RawSocket {
public:
    /// Connects to 127.0.0.1:`port`, from `source` (another loopback address, e.g.
    /// "127.0.0.2", stands for another client) when given.
    explicit RawSocket(uint16_t port, const char* source = nullptr) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        if (source != nullptr) {
            sockaddr_in local{};
            local.sin_family = AF_INET;
            ::inet_pton(AF_INET, source, &local.sin_addr);
            if (::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
                return;
            }
        }
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    }
    ~RawSocket() { Close(); }
    RawSocket(const RawSocket&) = delete;
    RawSocket& operator=(const RawSocket&) = delete;

    bool Connected() const { return connected_; }
    int Fd() const { return fd_; }
    void Close() {
        if (fd_ >= 0) {
            ::close(fd_);
            fd_ = -1;
        }
    }
    bool Send(std::string_view data) {
        while (!data.empty()) {
            ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
            if (n <= 0) {
                return false;
            }
            data.remove_prefix(static_cast<size_t>(n));
        }
        return true;
    }
    /// Reads until the peer closes (returns true) or `limit` passes (returns false).
    bool ReadUntilClosed(std::string& out, std::chrono::milliseconds limit) {
        auto deadline = std::chrono::steady_clock::now() + limit;
        while (true) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now()
            );
            if (left.count() <= 0) {
                return false;
            }
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
                return false;
            }
            char buf[4096];
            ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
            if (n <= 0) {
                return true;  // EOF or reset: closed
            }
            out.append(buf, static_cast<size_t>(n));
        }
    }
    /// Reads until `needle` appears in the received bytes or `limit` passes.
    bool ReadUntil(std::string& out, std::string_view needle, std::chrono::milliseconds limit) {
        auto deadline = std::chrono::steady_clock::now() + limit;
        while (out.find(needle) == std::string::npos) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now()
            );
            if (left.count() <= 0) {
                return false;
            }
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
                return false;
            }
            char buf[4096];
            ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
            if (n <= 0) {
                return false;
            }
            out.append(buf, static_cast<size_t>(n));
        }
        return true;
    }

private:
    int fd_ = -1;
    bool connected_ = false;
};

/// Generous upper bound for "eventually" in tests; never a performance threshold.
inline constexpr std::chrono::milliseconds kPatience{10000};

}  // namespace concord::net::testing
