#include "concord/app/preservation_hook.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "concord/core/bytes.hpp"
#include "concord/core/id.hpp"
#include "concord/crypto/sha256.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace concord::app {
namespace {

// A directory of hook scripts, removed at the end of the test.
class HookScripts : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() / ("concord-hook-" + NewUuidV7());
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    // Writes an executable /bin/sh script with `body` and returns its path.
    std::string Script(const std::string& name, const std::string& body) {
        const auto path = dir_ / name;
        std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
        ::chmod(path.c_str(), 0700);
        return path.string();
    }

    std::unique_ptr<ExecHook> Hook(
        const std::string& script,
        std::chrono::milliseconds timeout = std::chrono::seconds(30),
        std::size_t max_output = 64 * 1024,
        std::size_t max_stderr = 8 * 1024
    ) {
        auto hook = ExecHook::Create(ExecHookOptions{{script}, timeout, max_output, max_stderr});
        EXPECT_TRUE(hook) << hook.error().ToString();
        return hook ? std::move(*hook) : nullptr;
    }

    std::string Read(const std::string& name) const {
        std::ifstream in(dir_ / name);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }

    std::filesystem::path dir_;
};

const std::string kHash(64, 'a');

TEST_F(HookScripts, SuccessReturnsTheReferenceAndHashOfWhatItRead) {
    // The hook hashes its stdin, as a real one hashes what it froze.
    auto hook = Hook(Script(
        "ok.sh",
        "cat > \"$(dirname \"$0\")/input\"\n"
        "h=$(sha256sum < \"$(dirname \"$0\")/input\" | cut -d' ' -f1)\n"
        "echo 'working' >&2\n"
        "printf '{\"reference\":\"PRES-42\",\"sha256\":\"%s\",\"note\":\"frozen\"}' \"$h\""
    ));
    ASSERT_NE(hook, nullptr);
    const std::string order = R"({"format":"concord-preservation-order/1","message_id":"m1"})";
    auto result = hook->Run(order);
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_EQ(result->reference, "PRES-42");
    EXPECT_EQ(result->sha256, HexEncode(crypto::Sha256(AsBytes(order))));
    EXPECT_EQ(result->note, "frozen");
    EXPECT_EQ(Read("input"), order);
    EXPECT_EQ(hook->Kind(), "exec");
}

TEST_F(HookScripts, NonZeroExitIsExitStatusWithItsStderr) {
    auto hook = Hook(Script("fail.sh", "cat >/dev/null\necho 'disk full' >&2\nexit 3"));
    ASSERT_NE(hook, nullptr);
    auto result = hook->Run("{}");
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().failure, HookFailure::kExitStatus);
    EXPECT_EQ(result.error().exit_status, 3);
    EXPECT_EQ(result.error().diagnostics, "disk full\n");
    EXPECT_EQ(HookFailureName(result.error().failure), "exit_status");
}

TEST_F(HookScripts, DeathBySignalIsSignal) {
    auto hook = Hook(Script("signal.sh", "kill -TERM $$"));
    ASSERT_NE(hook, nullptr);
    auto result = hook->Run("{}");
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().failure, HookFailure::kSignal);
    EXPECT_EQ(result.error().exit_status, 15);
}

// Whether process `pid` is gone or only a zombie waiting for its new parent.
bool Ended(const std::string& pid) {
    std::ifstream stat("/proc/" + pid + "/stat");
    if (!stat) {
        return true;
    }
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    const auto close = text.rfind(')');
    return close != std::string::npos && close + 2 < text.size() && text[close + 2] == 'Z';
}

TEST_F(HookScripts, TimeoutKillsTheWholeProcessGroup) {
    // The hook starts a child of its own and waits; both must be gone after the timeout.
    auto hook = Hook(
        Script("slow.sh", "sleep 300 &\necho $! > \"$(dirname \"$0\")/child\"\nwait"),
        std::chrono::milliseconds(300)
    );
    ASSERT_NE(hook, nullptr);
    auto result = hook->Run("{}");
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().failure, HookFailure::kTimeout);
    std::string child = Read("child");
    while (!child.empty() && child.back() == '\n') {
        child.pop_back();
    }
    ASSERT_FALSE(child.empty());
    // SIGKILL is delivered before run returns; the zombie is reaped by its new parent later.
    bool ended = false;
    for (int i = 0; i < 1000 && !ended; ++i) {
        ended = Ended(child);
        if (!ended) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }
    EXPECT_TRUE(ended) << "the hook's child " << child << " survived";
}

TEST_F(HookScripts, ChildrenLeftBehindAfterSuccessAreKilled) {
    auto hook = Hook(Script(
        "stray.sh",
        "sleep 300 </dev/null >/dev/null 2>&1 &\necho $! > \"$(dirname \"$0\")/child\"\n"
        "printf '{\"reference\":\"r\",\"sha256\":\"" +
            kHash + "\"}'"
    ));
    ASSERT_NE(hook, nullptr);
    ASSERT_TRUE(hook->Run("{}"));
    std::string child = Read("child");
    while (!child.empty() && child.back() == '\n') {
        child.pop_back();
    }
    bool ended = false;
    for (int i = 0; i < 1000 && !ended; ++i) {
        ended = Ended(child);
        if (!ended) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }
    EXPECT_TRUE(ended) << "the hook's child " << child << " survived";
}

TEST_F(HookScripts, GarbageOutputIsMalformed) {
    auto hook = Hook(Script("garbage.sh", "echo 'preserved, trust me'"));
    ASSERT_NE(hook, nullptr);
    auto result = hook->Run("{}");
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().failure, HookFailure::kMalformedOutput);
}

TEST_F(HookScripts, HugeOutputIsKilledAsTooLarge) {
    // `yes` never ends on its own: the limit, not the timeout, must stop it.
    auto hook = Hook(Script("huge.sh", "exec yes"), std::chrono::seconds(600), 4096);
    ASSERT_NE(hook, nullptr);
    auto result = hook->Run("{}");
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().failure, HookFailure::kOutputTooLarge);
}

TEST_F(HookScripts, StderrIsKeptUpToItsLimit) {
    auto hook = Hook(
        Script("noisy.sh", "head -c 100000 /dev/zero | tr '\\0' e >&2\nexit 1"),
        std::chrono::seconds(30),
        4096,
        1000
    );
    ASSERT_NE(hook, nullptr);
    auto result = hook->Run("{}");
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().failure, HookFailure::kExitStatus);
    EXPECT_EQ(result.error().diagnostics.substr(0, 1000), std::string(1000, 'e'));
    EXPECT_NE(
        result.error().diagnostics.find("99000 more bytes of stderr dropped"), std::string::npos
    ) << result.error().diagnostics.substr(1000);
}

TEST_F(HookScripts, AHookThatIgnoresItsInputDoesNotEndTheCaller) {
    // 4 MiB of input to a hook that never reads it: writing hits a closed pipe (SIGPIPE, which
    // would end this test process if it were not handled).
    auto hook =
        Hook(Script("deaf.sh", "printf '{\"reference\":\"r\",\"sha256\":\"" + kHash + "\"}'"));
    ASSERT_NE(hook, nullptr);
    const std::string order(4 << 20, ' ');
    auto result = hook->Run(order);
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_EQ(result->reference, "r");
}

TEST_F(HookScripts, TheHookGetsNoShellAndNoOtherDescriptors) {
    // Arguments reach the program verbatim (no shell expansion), and a descriptor the caller
    // left open without close-on-exec is not inherited.
    const int leaked = ::open("/dev/null", O_RDONLY);  // without O_CLOEXEC on purpose
    ASSERT_GE(leaked, 3);
    ASSERT_LT(leaked, 10);  // dash keeps its script on descriptor 10 and up
    const std::string script = Script(
        "args.sh",
        "printf '%s' \"$1\" > \"$(dirname \"$0\")/arg\"\n"
        "if [ -e /proc/$$/fd/$2 ]; then echo open; else echo closed; fi > \"$(dirname "
        "\"$0\")/fd\"\n"
        "printf '{\"reference\":\"r\",\"sha256\":\"" +
            kHash + "\"}'"
    );
    auto hook =
        ExecHook::Create(ExecHookOptions{{script, "$(touch x); *", std::to_string(leaked)}});
    ASSERT_TRUE(hook);
    auto result = (*hook)->Run("{}");
    ::close(leaked);
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_EQ(Read("arg"), "$(touch x); *");
    EXPECT_EQ(Read("fd"), "closed\n");
}

TEST_F(HookScripts, AMissingExecutableIsASpawnError) {
    auto hook = Hook((dir_ / "absent").string());
    ASSERT_NE(hook, nullptr);
    auto result = hook->Run("{}");
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().failure, HookFailure::kSpawn);
}

TEST(ExecHookOptions, AreChecked) {
    EXPECT_FALSE(ExecHook::Create(ExecHookOptions{}));
    EXPECT_FALSE(ExecHook::Create(ExecHookOptions{{"hook.sh"}}));  // not absolute
    EXPECT_FALSE(ExecHook::Create(ExecHookOptions{{"/bin/true"}, std::chrono::milliseconds(0)}));
    EXPECT_FALSE(ExecHook::Create(ExecHookOptions{{"/bin/true"}, std::chrono::seconds(1), 0}));
    EXPECT_TRUE(ExecHook::Create(ExecHookOptions{{"/bin/true", "--flag"}}));
}

TEST(ParseHookResult, AcceptsTheResultObjectOnly) {
    auto ok = ParseHookResult(R"({"reference":"R-1","sha256":")" + kHash + R"("})");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->reference, "R-1");
    EXPECT_EQ(ok->note, "");
    const std::string bad[] = {
        "",
        "[]",
        R"({"sha256":")" + kHash + R"("})",
        R"({"reference":"","sha256":")" + kHash + R"("})",
        R"({"reference":"a\nb","sha256":")" + kHash + R"("})",
        R"({"reference":")" + std::string(257, 'r') + R"(","sha256":")" + kHash + R"("})",
        R"({"reference":"r"})",
        R"({"reference":"r","sha256":")" + std::string(64, 'A') + R"("})",
        R"({"reference":"r","sha256":")" + std::string(63, 'a') + R"("})",
        R"({"reference":"r","sha256":")" + kHash + R"(","note":")" + std::string(1025, 'n') +
            R"("})",
        R"({"reference":"r","sha256":")" + kHash + R"(","extra":"x"})",
        R"({"reference":1,"sha256":")" + kHash + R"("})",
        R"({"reference":"r","sha256":")" + kHash + R"("} trailing)",
        "{\"reference\":\"\xff\",\"sha256\":\"" + kHash + "\"}",
    };
    for (const auto& text : bad) {
        auto r = ParseHookResult(text);
        ASSERT_FALSE(r) << text;
        EXPECT_EQ(r.error().failure, HookFailure::kMalformedOutput) << text;
        EXPECT_FALSE(r.error().message.empty());
    }
}

}  // namespace
}  // namespace concord::app
