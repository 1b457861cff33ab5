#include "concord/server/testing/ports.hpp"

#include <filesystem>
#include <mutex>
#include <random>
#include <string>
#include <system_error>

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <unistd.h>

namespace concord::server::testing {
namespace {

constexpr int kFirstPort = 20000;
constexpr int kPortCount = 12000;
constexpr int kTries = 2000;

bool CanBind(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return false;
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

}  // namespace

Result<std::uint16_t> ReservePort() {
    static std::mutex mu;
    static std::mt19937 rng(static_cast<unsigned>(::getpid()) ^ std::random_device{}());
    const std::scoped_lock lock(mu);
    const auto dir = std::filesystem::temp_directory_path() / "concord-test-ports";
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
        return MakeError(
            ErrorCode::kUnavailable, "cannot create " + dir.string() + ": " + ec.message()
        );
    }
    for (int attempt = 0; attempt < kTries; ++attempt) {
        const auto port = static_cast<std::uint16_t>(kFirstPort + rng() % kPortCount);
        const auto path = dir / std::to_string(port);
        const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
        if (fd < 0) {
            continue;
        }
        // The descriptor is kept open on success: the lock lives as long as the process.
        if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
            ::close(fd);
            continue;
        }
        if (!CanBind(port)) {
            ::close(fd);
            continue;
        }
        return port;
    }
    return MakeError(ErrorCode::kUnavailable, "no loopback port could be reserved");
}

}  // namespace concord::server::testing
