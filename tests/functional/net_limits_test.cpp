// HTTP limits of a real concordd under connection floods on loopback (issue 13, "Denial of
// service"): slow connections from one address, and a flood that would exhaust the process's
// file descriptors. The floods come from 127.0.0.2, the probes from 127.0.0.1: on Linux the
// whole of 127.0.0.0/8 reaches a listener on 127.0.0.1, so these are two remote addresses.
#include <chrono>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "concord/server/testing/local_node.hpp"

#include "federation_harness.hpp"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace concord::functional {
namespace {

using namespace std::chrono_literals;

// Raises this test process's soft descriptor limit to its hard one (the floods need > 1,024).
void RaiseOwnDescriptorLimit() {
    rlimit limit{};
    ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &limit), 0);
    limit.rlim_cur = limit.rlim_max;
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &limit), 0);
    ASSERT_GE(limit.rlim_cur, 4096u) << "the floods need more descriptors than the hard limit";
}

// The descriptors process `pid` holds open.
std::size_t OpenDescriptors(pid_t pid) {
    std::size_t open = 0;
    for ([[maybe_unused]] const auto& entry :
         std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
        ++open;
    }
    return open;
}

// `count` TCP connections from `source` to 127.0.0.1:`port` that never send a byte: slow
// clients stuck before the TLS handshake. Closed when the Flood is destroyed.
class Flood {
public:
    Flood(const char* source, std::uint16_t port, int count) {
        for (int i = 0; i < count; ++i) {
            int fd = ::socket(AF_INET, SOCK_STREAM, 0);
            if (fd < 0) {
                break;
            }
            sockaddr_in local{};
            local.sin_family = AF_INET;
            ::inet_pton(AF_INET, source, &local.sin_addr);
            sockaddr_in remote{};
            remote.sin_family = AF_INET;
            remote.sin_port = htons(port);
            remote.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            if (::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0 ||
                ::connect(fd, reinterpret_cast<sockaddr*>(&remote), sizeof remote) != 0) {
                ::close(fd);
                continue;
            }
            fds_.push_back(fd);
        }
    }
    ~Flood() {
        for (int fd : fds_) {
            ::close(fd);
        }
    }
    Flood(const Flood&) = delete;
    Flood& operator=(const Flood&) = delete;
    [[nodiscard]] std::size_t Size() const { return fds_.size(); }

private:
    std::vector<int> fds_;
};

// 600 slow connections from one address used to take the whole budget of 512 and /healthz
// failed for everybody else. Now one address holds at most http.max_connections_per_address
// (64) and the rest of its connections are closed at once.
TEST(NetLimits, SlowConnectionsFromOneAddressLeaveRoomForOthers) {
    RaiseOwnDescriptorLimit();
    Federation f;
    f.AddNode("fr.central", "FR", "central_authority");
    ASSERT_TRUE(f.Create());
    TestNode& a = f.Node(0);
    ASSERT_TRUE(a.SetConfig("http", "header_timeout", "\"120s\""));
    ASSERT_TRUE(a.Start());

    Flood flood("127.0.0.2", a.Port(), 600);
    ASSERT_EQ(flood.Size(), 600u);
    int healthy = 0;
    for (int i = 0; i < 30; ++i) {
        auto client = a.NewClient();
        auto r = a.Plain("GET", "/healthz", "", client.get());
        healthy += (r && r->status == 200) ? 1 : 0;
    }
    EXPECT_EQ(healthy, 30) << a.LogTail();
    EXPECT_TRUE(WaitFor([&] {
        auto refused = a.Metric("concord_http_refusals_total", "reason=\"too_many_connections\"");
        return refused && *refused >= 600 - 64;
    })) << "the connections beyond the per-address limit are refused and counted";
    f.ExpectCleanShutdown();
}

// A flood of 1,100 slow connections against a node whose descriptor limit is 1,024 (soft and
// hard): the connection cap is derived from the limit with a reserve, so the node never runs
// out of descriptors, stays up, and delivers while the flood holds every connection it may
// serve (the reserve keeps descriptors for outgoing deliveries). The time from the peer's
// start to the delivery is printed (a figure, not a limit).
TEST(NetLimits, DescriptorFloodLeavesRoomForDeliveries) {
    RaiseOwnDescriptorLimit();
    Federation f;
    f.AddNode("fr.central", "FR", "central_authority");
    f.AddNode("hu.poc", "HU", "point_of_contact_24_7");
    ASSERT_TRUE(f.Create());
    TestNode& a = f.Node(0);
    TestNode& b = f.Node(1);
    // Without the per-address limit one address stands for a flood from many.
    ASSERT_TRUE(a.SetConfig("http", "max_connections_per_address", "100000"));
    ASSERT_TRUE(a.SetConfig("http", "max_connections", "100000"));
    // The flood's connections are cut off by the server after this (connections still in the
    // TLS handshake are released by this timeout, not by the client's close); the descriptors
    // still open after the delivery show that it happened while the flood held.
    ASSERT_TRUE(a.SetConfig("http", "header_timeout", "\"30s\""));

    auto pid = server::testing::SpawnProcess(
        {"prlimit",
         "--nofile=1024:1024",
         "--",
         ConcorddPath().string(),
         "--config",
         (a.Dir() / "config.toml").string()},
        a.Dir() / "concordd.log"
    );
    ASSERT_TRUE(pid) << Why(pid);
    struct Stop {
        pid_t pid;
        ~Stop() { server::testing::TerminateProcess(pid, kPatience); }
    } stop{*pid};
    auto healthy = server::testing::WaitHealthy(*pid, a.Port(), a.Entry().tls_sha256, kPatience);
    ASSERT_TRUE(healthy) << Why(healthy) << a.LogTail();

    // Queued while B is down, so it is sent during the flood.
    auto id = a.Submit(b.Id(), "notice", R"({"notice":"sent during a flood"})");
    ASSERT_TRUE(id) << Why(id);
    {
        const auto flood_start = std::chrono::steady_clock::now();
        Flood flood("127.0.0.2", a.Port(), 1100);
        ASSERT_EQ(flood.Size(), 1100u);
        std::cout << "flood of 1100 connections opened in "
                  << std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::steady_clock::now() - flood_start
                     )
                         .count()
                  << " ms" << std::endl;
        const auto peer_start = std::chrono::steady_clock::now();
        ASSERT_TRUE(b.Start());
        // The connection cap keeps the reserve free: A holds well below its 1,024 descriptors.
        const std::size_t open_fds = OpenDescriptors(stop.pid);
        std::cout << "descriptors open in the flooded node: " << open_fds << std::endl;
        EXPECT_LT(open_fds, 1024u - 128u) << a.LogTail();
        // A delivers while flooded: its reserve keeps descriptors for outgoing connections.
        EXPECT_TRUE(WaitFor([&] {
            auto inbox = b.ListAll("inbox");
            if (!inbox) {
                return false;
            }
            for (const auto& row : *inbox) {
                if (row.id == *id) {
                    return true;
                }
            }
            return false;
        })) << a.LogTail();
        std::cout << "delivered by the flooded node "
                  << std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::steady_clock::now() - peer_start
                     )
                         .count()
                  << " ms after its peer started" << std::endl;
        ASSERT_EQ(::waitpid(stop.pid, nullptr, WNOHANG), 0) << "the flooded node died";
        // The node accepts the flood up to its cap; under a sanitizer the accepting can still be
        // under way here, so the count is awaited rather than sampled once.
        EXPECT_TRUE(WaitFor([&] { return OpenDescriptors(stop.pid) > 512u; }))
            << "the flood no longer held its connections (" << OpenDescriptors(stop.pid)
            << " descriptors open)";
    }
    // Once the flood is gone A serves again; it never failed to accept for want of descriptors.
    EXPECT_TRUE(WaitFor([&] {
        auto r = a.Plain("GET", "/healthz", "", a.NewClient().get());
        return r && r->status == 200;
    }));
    auto failed = a.Metric("concord_http_refusals_total", "reason=\"accept_failed\"");
    ASSERT_TRUE(failed) << Why(failed);
    EXPECT_EQ(*failed, 0);
    EXPECT_EQ(b.Terminate(), 0);
    const int status = server::testing::TerminateProcess(stop.pid, kPatience);
    stop.pid = -1;
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
}

}  // namespace
}  // namespace concord::functional
