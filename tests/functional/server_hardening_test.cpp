// The node's wiring under outside review (issue 13): real concordd processes on loopback.
// - a revocation is not held up by a peer that stalls witness answers;
// - SIGTERM lets a request in flight finish and be answered;
// - a client cut off after its submission committed resubmits with the same Idempotency-Key
//   and gets the same message, not a second one;
// - files at rest are private whatever the umask, and concordd refuses a readable tls.key;
// - the federation listener serves no local API.
#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "federation_harness.hpp"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace concord::functional {
namespace {

// A "peer" that accepts TCP connections and never answers: each connection is read until the
// client closes it, and whether it was closed is recorded.
class StallingPeer {
public:
    StallingPeer() {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = htons(port_ = FreePort());
        EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
        EXPECT_EQ(::listen(fd_, 16), 0);
        acceptor_ = std::thread([this] { Accept(); });
    }

    ~StallingPeer() {
        ::shutdown(fd_, SHUT_RDWR);
        ::close(fd_);
        acceptor_.join();
        {
            std::scoped_lock lock(mu_);
            for (auto& c : connections_) {
                ::shutdown(c->fd, SHUT_RDWR);
            }
        }
        for (auto& c : connections_) {
            c->reader.join();
            ::close(c->fd);
        }
    }

    [[nodiscard]] std::uint16_t Port() const { return port_; }

    /// Number of connections accepted so far.
    std::size_t Accepted() {
        std::scoped_lock lock(mu_);
        return connections_.size();
    }

    /// True once the client closed connection `i`.
    bool Closed(std::size_t i) {
        std::scoped_lock lock(mu_);
        return connections_.at(i)->closed.load();
    }

private:
    struct Connection {
        int fd{-1};
        std::atomic<bool> closed{false};
        std::thread reader;
    };

    void Accept() {
        for (;;) {
            const int c = ::accept(fd_, nullptr, nullptr);
            if (c < 0) {
                return;
            }
            std::scoped_lock lock(mu_);
            auto conn = std::make_unique<Connection>();
            conn->fd = c;
            Connection* raw = conn.get();
            conn->reader = std::thread([raw] {
                char buffer[4096];
                while (::read(raw->fd, buffer, sizeof buffer) > 0) {
                }
                raw->closed = true;
            });
            connections_.push_back(std::move(conn));
        }
    }

    int fd_{-1};
    std::uint16_t port_{0};
    std::thread acceptor_;
    std::mutex mu_;
    std::vector<std::unique_ptr<Connection>> connections_;  // GUARDED_BY(mu_)
};

std::int64_t DirectorySerial(TestNode& node) {
    auto r = node.Api("GET", "/api/v1/node");
    if (!r || r->status != 200) {
        return -1;
    }
    return r->json.at("directory_serial").as_int64();
}

// Before: reloads and witnessing shared one thread, so a stalled peer held a revocation for
// the client timeout (10 s) per peer.
TEST(ServerHardening, StalledWitnessPeerDoesNotDelayARevocation) {
    StallingPeer stall;
    FederationOptions options;
    options.witness_interval = "200ms";
    options.reload_interval = "100ms";
    Federation f(options);
    f.AddNode("hu.poc", "HU", "point_of_contact_24_7");
    f.AddExternal("fr.revoked", "FR");
    f.AddExternal("fr.stalling", "FR");
    f.External(1).entry.endpoint = "https://127.0.0.1:" + std::to_string(stall.Port());
    f.External(1).entry.tls_sha256 = std::string(64, '0');
    ASSERT_TRUE(f.Create());
    auto started = f.StartAll();
    ASSERT_TRUE(started) << Why(started);
    TestNode& node = f.Node(0);
    ASSERT_EQ(DirectorySerial(node), 1);

    // The witness is now waiting on the stalled peer.
    ASSERT_TRUE(WaitFor([&] { return stall.Accepted() >= 1; }));
    auto serial = f.RevokeExternal(0);
    ASSERT_TRUE(serial) << Why(serial);
    ASSERT_TRUE(WaitFor([&] { return DirectorySerial(node) == 2; }, std::chrono::seconds(30)));
    EXPECT_FALSE(stall.Closed(0)
    ) << "the revocation was loaded only after the witness gave up on the stalled peer";
    f.ExpectCleanShutdown();
}

class ServerProcess : public ::testing::Test {
protected:
    void SetUp() override {
        f_.AddNode("fr.central", "FR", "central_authority");
        f_.AddNode("hu.poc", "HU", "point_of_contact_24_7");
        ASSERT_TRUE(f_.Create());
    }

    TestNode& Sender() { return f_.Node(0); }
    TestNode& Receiver() { return f_.Node(1); }

    // POST /api/v1/messages on `client` with an Idempotency-Key.
    Result<net::Response> SubmitWithKey(
        net::HttpClient& client, const std::string& key, const std::string& body
    ) {
        return client.Send(
            "POST",
            Sender().ApiUrl() + "/api/v1/messages",
            body,
            {{"Authorization", "Bearer " + Sender().Init().api_token}, {"Idempotency-Key", key}}
        );
    }

    bool SenderIsSleeping() {
        return Sender().LogTail(100000).find("failpoint reached: sleeping") != std::string::npos;
    }

    Federation f_;
};

// Before: Stop closed every connection at once, so the client of a committed submission got
// no answer.
TEST_F(ServerProcess, SigtermLetsASubmissionInFlightFinish) {
    ASSERT_TRUE(Receiver().Start());
    ASSERT_TRUE(Sender().Start("outbox.after_commit:sleep=3000"));
    Result<std::string> submitted = MakeError(ErrorCode::kInternal, "not run");
    std::thread client([&] {
        auto c = Sender().NewClient();
        submitted = Sender().Submit("hu.poc", "notice", R"({"n":1})", c.get());
    });
    ASSERT_TRUE(WaitFor([&] { return SenderIsSleeping(); }));
    const int status = Sender().Terminate();
    client.join();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << Sender().LogTail();
    ASSERT_TRUE(submitted) << Why(submitted);

    ASSERT_TRUE(Sender().Start());
    auto outbox = Sender().ListAll("outbox");
    ASSERT_TRUE(outbox) << Why(outbox);
    ASSERT_EQ(outbox->size(), 1u);
    EXPECT_EQ((*outbox)[0].id, *submitted);
    f_.ExpectCleanShutdown();
}

// Before: the local API had no idempotency, so the resubmission made a second message.
TEST_F(ServerProcess, ResubmittingWithTheSameKeyAfterACutOffMakesNoDuplicate) {
    ASSERT_TRUE(Receiver().Start());
    ASSERT_TRUE(Sender().Start("outbox.after_commit:sleep=3000"));
    const std::string body = R"({"to":"hu.poc","type":"notice","body":{"n":1}})";
    {
        net::ClientOptions impatient;
        impatient.pinned_cert_sha256 = Sender().Entry().tls_sha256;
        impatient.timeout = std::chrono::milliseconds(500);
        net::HttpClient cut_off(impatient);
        auto first = SubmitWithKey(cut_off, "retry-1", body);
        EXPECT_FALSE(first) << "the client should have been cut off, got HTTP " << first->status;
    }
    ASSERT_TRUE(WaitFor([&] { return SenderIsSleeping(); }));
    auto client = Sender().NewClient();
    auto again = SubmitWithKey(*client, "retry-1", body);
    ASSERT_TRUE(again) << Why(again);
    ASSERT_EQ(again->status, 201u) << again->body;
    EXPECT_EQ(again->Header("Idempotent-Replayed").value_or(""), "true");
    const std::string id(boost::json::parse(again->body).at("id").as_string());

    auto outbox = Sender().ListAll("outbox");
    ASSERT_TRUE(outbox) << Why(outbox);
    ASSERT_EQ(outbox->size(), 1u);
    EXPECT_EQ((*outbox)[0].id, id);
    auto changed =
        SubmitWithKey(*client, "retry-1", R"({"to":"hu.poc","type":"notice","body":{}})");
    ASSERT_TRUE(changed);
    EXPECT_EQ(changed->status, 422u) << changed->body;
    f_.ExpectCleanShutdown();
}

// Before: node.db 0644 and the folder 0755 under the usual umask (0666/0777 under umask 000),
// and concordd started with a tls.key of mode 0644.
TEST(ServerFiles, NodeFilesArePrivateAndAReadableTlsKeyIsRefused) {
    Federation f;
    f.AddNode("fr.central", "FR", "central_authority");
    const mode_t old = ::umask(0);
    auto created = f.Create();
    ::umask(old);
    ASSERT_TRUE(created) << Why(created);
    TestNode& node = f.Node(0);
    auto mode = [](const std::filesystem::path& p) {
        struct stat st {};
        EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
        return st.st_mode & 07777;
    };
    EXPECT_EQ(mode(node.Dir()), 0700u);
    for (const char* file : {"node.db", "node.key", "tls.key", "api-token", "passphrase"}) {
        EXPECT_EQ(mode(node.Dir() / file), 0600u) << file;
    }

    // The federation listener serves /fed/v1 and /healthz only.
    ASSERT_TRUE(node.Start());
    auto api_on_federation = node.Plain("GET", "/api/v1/node");
    ASSERT_TRUE(api_on_federation);
    EXPECT_EQ(api_on_federation->status, 404u);
    auto metrics_on_federation = node.Plain("GET", "/metrics");
    ASSERT_TRUE(metrics_on_federation);
    EXPECT_EQ(metrics_on_federation->status, 404u);
    auto api = node.Api("GET", "/api/v1/node");
    ASSERT_TRUE(api);
    EXPECT_EQ(api->status, 200u);
    EXPECT_EQ(node.Terminate(), 0);

    std::filesystem::permissions(node.Dir() / "tls.key", std::filesystem::perms(0644));
    ASSERT_TRUE(node.Spawn());
    ASSERT_TRUE(node.WaitExit());
    const std::string log = node.LogTail();
    EXPECT_NE(log.find("key 'http.tls_key'"), std::string::npos) << log;
    EXPECT_NE(log.find((node.Dir() / "tls.key").string() + " has mode 0644"), std::string::npos)
        << log;
}

}  // namespace
}  // namespace concord::functional
