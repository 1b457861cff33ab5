// Crash consistency: a child process commits transactions (business rows + ledger entry +
// checkpoint) and acknowledges each after Commit(); it is SIGKILLed at random moments, at least
// 50 times per backend. After every kill: every acknowledged transaction is present, none is
// partly present, the database passes its integrity check, the whole log verifies and its root
// equals its latest signed checkpoint's.
#include <chrono>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "concord/crypto/init.hpp"
#include "concord/ledger/log.hpp"
#include "concord/store/store.hpp"
#include "concord/store/testing/pg_test.hpp"

#include "crash_schema.hpp"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace concord::functional {
namespace {

constexpr int kCycles = 50;

struct ChildRun {
    std::set<std::int64_t> acked;
    std::string err;
};

// How long a child may take to start (open the store, migrate) before its first ack; a slow or
// loaded machine (sanitizers) can take hundreds of milliseconds.
constexpr auto kStartupLimit = std::chrono::seconds(30);

// Starts the child, lets it run for `run_for`, SIGKILLs it and collects every ack it wrote. With
// `after_first_ack`, `run_for` counts from the child's first ack (so the kill lands among commits
// however slowly the child started); otherwise from the start (so it may land in the start-up).
ChildRun RunAndKill(
    const std::string& url,
    std::int64_t first_key,
    std::chrono::milliseconds run_for,
    bool after_first_ack
) {
    ChildRun result;
    int out_pipe[2];
    int err_pipe[2];
    if (::pipe(out_pipe) != 0 || ::pipe(err_pipe) != 0) {
        ADD_FAILURE() << "pipe failed";
        return result;
    }
    pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(out_pipe[1], STDOUT_FILENO);
        ::dup2(err_pipe[1], STDERR_FILENO);
        ::close(out_pipe[0]);
        ::close(err_pipe[0]);
        std::string key = std::to_string(first_key);
        ::execl(CONCORD_CRASH_CHILD, CONCORD_CRASH_CHILD, url.c_str(), key.c_str(), nullptr);
        ::_exit(127);
    }
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    std::string out;
    auto deadline = std::chrono::steady_clock::now() + (after_first_ack ? kStartupLimit : run_for);
    bool waiting_for_first_ack = after_first_ack;
    char buf[4096];
    while (true) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now()
        );
        if (left.count() <= 0) {
            break;
        }
        pollfd pfd{out_pipe[0], POLLIN, 0};
        if (::poll(&pfd, 1, static_cast<int>(left.count())) > 0) {
            ssize_t n = ::read(out_pipe[0], buf, sizeof buf);
            if (n <= 0) {
                break;
            }
            out.append(buf, static_cast<std::size_t>(n));
            if (waiting_for_first_ack) {
                waiting_for_first_ack = false;
                deadline = std::chrono::steady_clock::now() + run_for;
            }
        }
    }
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    // Whatever the child wrote before it died was acknowledged; read it all.
    ssize_t n = 0;
    while ((n = ::read(out_pipe[0], buf, sizeof buf)) > 0) {
        out.append(buf, static_cast<std::size_t>(n));
    }
    while ((n = ::read(err_pipe[0], buf, sizeof buf)) > 0) {
        result.err.append(buf, static_cast<std::size_t>(n));
    }
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "child exited by itself: " << result.err;
    std::size_t pos = 0;
    while ((pos = out.find("ack ", pos)) != std::string::npos) {
        auto end = out.find('\n', pos);
        if (end == std::string::npos) {
            break;  // a torn line was never fully acknowledged
        }
        result.acked.insert(std::stoll(out.substr(pos + 4, end - pos - 4)));
        pos = end + 1;
    }
    return result;
}

// Checks the store after a kill; returns the next key to use.
std::int64_t CheckAfterCrash(const std::string& url, const std::set<std::int64_t>& acked) {
    auto store = store::Store::Open(url);
    EXPECT_TRUE(store) << store.error().ToString();
    if (!store) {
        return -1;
    }
    if (url.rfind("sqlite:", 0) != 0) {
        // The killed client's server process may still be finishing a COMMIT it received before
        // the kill; the check must see the state after it, as a restarted node would.
        for (int i = 0; i < 500; ++i) {
            auto tx = (*store)->Begin();
            EXPECT_TRUE(tx);
            auto others = (*tx)->Query(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            );
            EXPECT_TRUE(others);
            if (!others || (*others)[0].Int(0) == 0) {
                break;
            }
            (*tx)->Rollback();
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }
    EXPECT_TRUE((*store)->CheckIntegrity());
    auto log = ledger::Log::Open(**store);
    EXPECT_TRUE(log);
    auto tx = (*store)->Begin();
    EXPECT_TRUE(tx);
    auto rows = (*tx)->Query("SELECT k, part, payload FROM crash_records ORDER BY k, part");
    EXPECT_TRUE(rows) << rows.error().ToString();
    if (!rows) {
        return -1;
    }
    std::map<std::int64_t, int> parts;
    for (const store::Row& row : *rows) {
        EXPECT_EQ(row.Text(2), CrashPayload(row.Int(0)));
        parts[row.Int(0)] += static_cast<int>(row.Int(1));
    }
    for (const auto& [key, sum] : parts) {
        EXPECT_EQ(sum, 3) << "transaction " << key << " is partly present";
    }
    for (std::int64_t key : acked) {
        EXPECT_TRUE(parts.count(key) == 1) << "acknowledged transaction " << key << " was lost";
    }
    auto size = (*log)->Size(**tx);
    EXPECT_TRUE(size);
    EXPECT_EQ(*size, parts.size()) << "ledger entries and business records differ";
    ledger::NoteVerifier key = CrashSigner().Verifier();
    auto verified = (*log)->VerifyAll(**tx, {&key, 1});
    EXPECT_TRUE(verified) << verified.error().ToString();
    if (verified && *size > 0) {
        EXPECT_EQ(verified->latest_checkpoint, *size) << "root differs from the last checkpoint";
        auto latest = (*log)->LatestCheckpoint(**tx);
        EXPECT_TRUE(latest && latest->has_value());
        auto note = ledger::ParseNote(**latest);
        auto cp = ledger::ParseCheckpoint(note->text);
        EXPECT_TRUE(cp);
        EXPECT_EQ(cp->root, verified->root);
    }
    return parts.empty() ? 0 : parts.rbegin()->first + 1;
}

void RunCycles(const std::string& url) {
    {
        auto store = store::Store::Open(url);
        ASSERT_TRUE(store) << store.error().ToString();
        auto migrations = CrashSchema();
        ASSERT_TRUE((*store)->Migrate(migrations));
        ASSERT_TRUE(ledger::Log::Open(**store));
    }
    std::mt19937 rng(std::random_device{}());
    std::uniform_int_distribution<int> ms(20, 250);
    std::int64_t next = 0;
    std::size_t total_acked = 0;
    for (int cycle = 0; cycle < kCycles; ++cycle) {
        // Every other kill counts from the first ack, so that a slow start cannot leave the
        // test with no commit to check; the others may land while the child starts.
        ChildRun run = RunAndKill(url, next, std::chrono::milliseconds(ms(rng)), cycle % 2 == 1);
        total_acked += run.acked.size();
        next = CheckAfterCrash(url, run.acked);
        ASSERT_GE(next, 0);
        if (::testing::Test::HasFailure()) {
            FAIL() << "after cycle " << cycle << "; child stderr: " << run.err;
        }
    }
    // The test is only meaningful if the child really committed work between kills.
    EXPECT_GT(total_acked, static_cast<std::size_t>(kCycles));
    std::printf(
        "crash cycles: %d, acknowledged transactions: %zu, final size: %lld\n",
        kCycles,
        total_acked,
        static_cast<long long>(next)
    );
}

TEST(CrashConsistency, SqliteSurvivesRandomSigkills) {
    ASSERT_TRUE(crypto::Initialize());
    auto dir =
        std::filesystem::temp_directory_path() / ("concord-crash-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    RunCycles("sqlite:" + (dir / "crash.db").string());
    std::filesystem::remove_all(dir);
}

TEST(CrashConsistency, PostgresSurvivesRandomSigkills) {
    ASSERT_TRUE(crypto::Initialize());
    CONCORD_FRESH_PG_DSN_OR_SKIP(dsn);
    RunCycles(dsn);
}

}  // namespace
}  // namespace concord::functional
