#include "concord/server/testing/local_node.hpp"

#include <cstring>
#include <system_error>
#include <thread>

#include <boost/json/array.hpp>

#include "concord/core/time.hpp"
#include "concord/federation/signed_json.hpp"
#include "concord/net/client.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace concord::server::testing {
namespace {

using Clock = std::chrono::steady_clock;

boost::json::array Strings(const std::vector<std::string>& items) {
    return boost::json::array(items.begin(), items.end());
}

boost::json::object PartyToJson(const federation::Party& p) {
    boost::json::object o;
    o["code"] = p.code;
    o["name"] = p.name;
    o["languages"] = Strings(p.languages);
    boost::json::array bindings;
    for (const auto& b : p.instruments) {
        boost::json::object binding;
        binding["id"] = b.id;
        binding["status"] = b.status;
        if (!b.date.empty()) {
            binding["date"] = b.date;
        }
        binding["reservations"] = Strings(b.reservations);
        binding["declarations"] = Strings(b.declarations);
        bindings.push_back(std::move(binding));
    }
    o["instruments"] = std::move(bindings);
    return o;
}

}  // namespace

std::filesystem::path FindConcordd(const std::string& given) {
    if (!given.empty()) {
        return given;
    }
    // Programs that link this library do not change their environment while running.
    // NOLINTNEXTLINE(concurrency-mt-unsafe)
    if (const char* env = std::getenv("CONCORD_CONCORDD"); env != nullptr && *env != '\0') {
        return env;
    }
    std::error_code ec;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", ec).parent_path();
    // The build tree has apps/concord/concord, apps/concordd/concordd and bench/bench_*.
    for (const auto& candidate :
         {self / "concordd",
          self.parent_path() / "concordd" / "concordd",
          self.parent_path() / "apps" / "concordd" / "concordd"}) {
        if (std::filesystem::exists(candidate, ec)) {
            return candidate;
        }
    }
    return "concordd";
}

Result<pid_t> SpawnProcess(
    const std::vector<std::string>& args,
    const std::filesystem::path& log,
    const std::vector<std::string>& extra_env
) {
    if (args.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "no program to start");
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const std::string log_path = log.string();
    posix_spawn_file_actions_addopen(
        &actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644
    );
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::vector<std::string> arg_storage = args;
    std::vector<char*> argv;
    argv.reserve(arg_storage.size() + 1);
    for (auto& a : arg_storage) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e) {
        if (std::strncmp(*e, "CONCORD_FAILPOINT=", 18) != 0) {
            env.emplace_back(*e);
        }
    }
    env.insert(env.end(), extra_env.begin(), extra_env.end());
    std::vector<char*> envp;
    envp.reserve(env.size() + 1);
    for (auto& e : env) {
        envp.push_back(e.data());
    }
    envp.push_back(nullptr);
    pid_t pid = -1;
    const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        return MakeError(
            ErrorCode::kUnavailable,
            "cannot start " + args[0] + ": " +
                std::error_code(rc, std::generic_category()).message()
        );
    }
    return pid;
}

Result<pid_t> SpawnConcordd(
    const std::filesystem::path& concordd,
    const std::filesystem::path& config,
    const std::filesystem::path& log,
    const std::vector<std::string>& extra_env
) {
    return SpawnProcess({concordd.string(), "--config", config.string()}, log, extra_env);
}

Result<void> WaitHealthy(
    pid_t pid, std::uint16_t port, const std::string& tls_sha256, std::chrono::seconds limit
) {
    net::ClientOptions options;
    options.pinned_cert_sha256 = tls_sha256;
    options.timeout = std::chrono::seconds(5);
    net::HttpClient client(options);
    const std::string url = "https://127.0.0.1:" + std::to_string(port) + "/healthz";
    const auto deadline = Clock::now() + limit;
    std::string last = "no answer";
    while (Clock::now() < deadline) {
        auto r = client.Send("GET", url, "");
        if (r && r->status == 200) {
            return {};
        }
        last = r ? "HTTP " + std::to_string(r->status) : r.error().message;
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) == pid) {
            return MakeError(
                ErrorCode::kUnavailable, "concordd on port " + std::to_string(port) + " exited"
            );
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return MakeError(
        ErrorCode::kUnavailable,
        "concordd on port " + std::to_string(port) + " did not become healthy: " + last
    );
}

int TerminateProcess(pid_t pid, std::chrono::seconds limit) {
    int status = 0;
    if (pid <= 0) {
        return status;
    }
    ::kill(pid, SIGTERM);
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
        const pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid || r < 0) {
            return status;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    return status;
}

Result<std::string> SignedDirectory(
    std::uint64_t serial,
    const std::vector<federation::Party>& parties,
    const std::vector<federation::NodeEntry>& nodes,
    const crypto::SigningKey& key
) {
    boost::json::object body;
    body["format"] = "concord-directory/1";
    body["serial"] = static_cast<std::int64_t>(serial);
    body["issued"] = FormatTimestamp(NowMillis());
    boost::json::array party_list;
    for (const auto& p : parties) {
        party_list.push_back(PartyToJson(p));
    }
    body["parties"] = std::move(party_list);
    boost::json::array node_list;
    for (const auto& n : nodes) {
        node_list.push_back(federation::NodeEntryToJson(n));
    }
    body["nodes"] = std::move(node_list);
    const crypto::SigningKey* keys[] = {&key};
    return federation::SignDirectory(federation::CanonicalText(body), keys);
}

}  // namespace concord::server::testing
