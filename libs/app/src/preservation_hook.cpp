#include "concord/app/preservation_hook.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <thread>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;  // NOLINT(readability-identifier-naming): POSIX

namespace concord::app {
namespace {

constexpr std::size_t kMaxReference = 256;
constexpr std::size_t kMaxNote = 1024;

HookError Failure(HookFailure failure, std::string message) {
    return HookError{failure, std::move(message), 0, {}};
}

bool HasControlCharacter(std::string_view text) {
    return std::any_of(text.begin(), text.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7f;
    });
}

// A file descriptor closed when it goes out of scope.
class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    Fd(Fd&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
    Fd& operator=(Fd&& other) noexcept {
        if (this != &other) {
            Close();
            fd_ = other.fd_;
            other.fd_ = -1;
        }
        return *this;
    }
    ~Fd() { Close(); }
    void Close() {
        if (fd_ >= 0) {
            ::close(fd_);
            fd_ = -1;
        }
    }
    [[nodiscard]] int Get() const { return fd_; }
    [[nodiscard]] bool Open() const { return fd_ >= 0; }

private:
    int fd_{-1};
};

struct Pipe {
    Fd read;
    Fd write;
};

Result<Pipe> MakePipe() {
    std::array<int, 2> fds{};
    if (::pipe2(fds.data(), O_CLOEXEC) != 0) {
        return MakeError(
            ErrorCode::kUnavailable, "pipe: " + std::generic_category().message(errno)
        );
    }
    return Pipe{Fd(fds[0]), Fd(fds[1])};
}

void SetNonBlocking(int fd) {
    const int flags = ::fcntl(fd, F_GETFL);
    ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

// Writing to a pipe whose reader is gone raises SIGPIPE, which would end the whole node when the
// hook does not read its input. SIGPIPE is blocked in this thread while the hook runs, and a
// SIGPIPE raised meanwhile is consumed before the mask is restored (a thread-directed signal
// stays pending on this thread only).
class SigpipeGuard {
public:
    SigpipeGuard() {
        sigset_t pipe_set;
        sigemptyset(&pipe_set);
        sigaddset(&pipe_set, SIGPIPE);
        sigset_t pending;
        sigpending(&pending);
        was_pending_ = sigismember(&pending, SIGPIPE) == 1;
        pthread_sigmask(SIG_BLOCK, &pipe_set, &old_);
    }
    SigpipeGuard(const SigpipeGuard&) = delete;
    SigpipeGuard& operator=(const SigpipeGuard&) = delete;
    ~SigpipeGuard() {
        if (!was_pending_) {
            sigset_t pipe_set;
            sigemptyset(&pipe_set);
            sigaddset(&pipe_set, SIGPIPE);
            sigset_t pending;
            sigpending(&pending);
            if (sigismember(&pending, SIGPIPE) == 1) {
                const timespec zero{0, 0};
                sigtimedwait(&pipe_set, nullptr, &zero);
            }
        }
        pthread_sigmask(SIG_SETMASK, &old_, nullptr);
    }

private:
    sigset_t old_{};
    bool was_pending_{false};
};

// Spawn attributes: own process group, empty signal mask, default dispositions (the node may
// ignore SIGPIPE; the hook should not inherit that).
class SpawnAttr {
public:
    SpawnAttr() {
        posix_spawnattr_init(&attr_);
        sigset_t none;
        sigemptyset(&none);
        sigset_t defaults;
        sigemptyset(&defaults);
        for (int sig = 1; sig < NSIG; ++sig) {
            if (sig != SIGKILL && sig != SIGSTOP) {
                sigaddset(&defaults, sig);
            }
        }
        posix_spawnattr_setpgroup(&attr_, 0);
        posix_spawnattr_setsigmask(&attr_, &none);
        posix_spawnattr_setsigdefault(&attr_, &defaults);
        posix_spawnattr_setflags(
            &attr_,
            static_cast<short>(
                POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
            )
        );
    }
    SpawnAttr(const SpawnAttr&) = delete;
    SpawnAttr& operator=(const SpawnAttr&) = delete;
    ~SpawnAttr() { posix_spawnattr_destroy(&attr_); }
    posix_spawnattr_t* Get() { return &attr_; }

private:
    posix_spawnattr_t attr_{};
};

class SpawnActions {
public:
    SpawnActions() { posix_spawn_file_actions_init(&actions_); }
    SpawnActions(const SpawnActions&) = delete;
    SpawnActions& operator=(const SpawnActions&) = delete;
    ~SpawnActions() { posix_spawn_file_actions_destroy(&actions_); }
    posix_spawn_file_actions_t* Get() { return &actions_; }

private:
    posix_spawn_file_actions_t actions_{};
};

// Appends what is readable on `fd` to `out`, keeping at most `keep` bytes in total and counting
// the rest in `dropped`. Returns false at end of file (or on an error other than EAGAIN).
bool Drain(int fd, std::string& out, std::size_t keep, std::size_t& dropped) {
    std::array<char, 16384> buffer{};
    for (;;) {
        const ssize_t n = ::read(fd, buffer.data(), buffer.size());
        if (n > 0) {
            const auto got = static_cast<std::size_t>(n);
            const std::size_t room = out.size() < keep ? keep - out.size() : 0;
            out.append(buffer.data(), std::min(room, got));
            dropped += got - std::min(room, got);
            continue;
        }
        if (n == 0) {
            return false;
        }
        if (errno == EINTR) {
            continue;
        }
        return errno == EAGAIN || errno == EWOULDBLOCK;
    }
}

}  // namespace

std::string_view HookFailureName(HookFailure failure) {
    switch (failure) {
        case HookFailure::kSpawn:
            return "spawn";
        case HookFailure::kExitStatus:
            return "exit_status";
        case HookFailure::kSignal:
            return "signal";
        case HookFailure::kTimeout:
            return "timeout";
        case HookFailure::kOutputTooLarge:
            return "output_too_large";
        case HookFailure::kMalformedOutput:
            return "malformed_output";
        case HookFailure::kUnreachable:
            return "unreachable";
        case HookFailure::kHttpStatus:
            return "http_status";
    }
    return "unknown";
}

HookOutcome ParseHookResult(std::string_view text) {
    boost::system::error_code ec;
    boost::json::value value = boost::json::parse(text, ec);
    if (ec) {
        return tl::unexpected(
            Failure(HookFailure::kMalformedOutput, "the hook's output is not JSON: " + ec.message())
        );
    }
    const boost::json::object* object = value.if_object();
    if (object == nullptr) {
        return tl::unexpected(
            Failure(HookFailure::kMalformedOutput, "the hook's output is not a JSON object")
        );
    }
    HookResult result;
    for (const auto& member : *object) {
        const std::string_view key = member.key();
        if (key != "reference" && key != "sha256" && key != "note") {
            return tl::unexpected(Failure(
                HookFailure::kMalformedOutput,
                "the hook's output has an unknown member '" + std::string(key.substr(0, 64)) +
                    "' (allowed: reference, sha256, note)"
            ));
        }
        if (!member.value().is_string()) {
            return tl::unexpected(Failure(
                HookFailure::kMalformedOutput,
                "the hook's output member '" + std::string(key) + "' is not a string"
            ));
        }
    }
    const auto* reference = object->if_contains("reference");
    if (reference == nullptr) {
        return tl::unexpected(
            Failure(HookFailure::kMalformedOutput, "the hook's output has no 'reference'")
        );
    }
    result.reference = std::string(reference->as_string());
    if (result.reference.empty() || result.reference.size() > kMaxReference ||
        HasControlCharacter(result.reference)) {
        return tl::unexpected(Failure(
            HookFailure::kMalformedOutput,
            "the hook's 'reference' must be 1 to 256 bytes without control characters"
        ));
    }
    const auto* sha256 = object->if_contains("sha256");
    if (sha256 == nullptr) {
        return tl::unexpected(
            Failure(HookFailure::kMalformedOutput, "the hook's output has no 'sha256'")
        );
    }
    result.sha256 = std::string(sha256->as_string());
    const bool hex = result.sha256.size() == 64 &&
                     std::all_of(result.sha256.begin(), result.sha256.end(), [](char c) {
                         return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
                     });
    if (!hex) {
        return tl::unexpected(Failure(
            HookFailure::kMalformedOutput, "the hook's 'sha256' must be 64 lower-case hex digits"
        ));
    }
    if (const auto* note = object->if_contains("note")) {
        result.note = std::string(note->as_string());
        if (result.note.size() > kMaxNote) {
            return tl::unexpected(Failure(
                HookFailure::kMalformedOutput, "the hook's 'note' is longer than 1024 bytes"
            ));
        }
    }
    return result;
}

Result<void> CheckExecHookOptions(const ExecHookOptions& options) {
    if (options.argv.empty() || options.argv.front().empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "the hook needs an executable");
    }
    if (options.argv.front().front() != '/') {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "the hook's executable must be an absolute path (it is not searched in PATH)"
        );
    }
    for (const auto& arg : options.argv) {
        if (arg.find('\0') != std::string::npos) {
            return MakeError(ErrorCode::kInvalidArgument, "a hook argument contains a NUL byte");
        }
    }
    if (options.timeout.count() <= 0) {
        return MakeError(ErrorCode::kInvalidArgument, "the hook timeout must be positive");
    }
    if (options.max_output_bytes == 0) {
        return MakeError(ErrorCode::kInvalidArgument, "the hook output limit must be positive");
    }
    return {};
}

Result<std::unique_ptr<ExecHook>> ExecHook::Create(ExecHookOptions options) {
    CONCORD_RETURN_IF_ERROR(CheckExecHookOptions(options));
    return std::unique_ptr<ExecHook>(new ExecHook(std::move(options)));
}

HookOutcome ExecHook::Run(std::string_view order_json) {
    using Clock = std::chrono::steady_clock;
    SigpipeGuard sigpipe;
    auto in = MakePipe();
    auto out = MakePipe();
    auto err = MakePipe();
    if (!in || !out || !err) {
        return tl::unexpected(Failure(HookFailure::kSpawn, "cannot create the hook's pipes"));
    }
    SpawnActions actions;
    posix_spawn_file_actions_adddup2(actions.Get(), in->read.Get(), 0);
    posix_spawn_file_actions_adddup2(actions.Get(), out->write.Get(), 1);
    posix_spawn_file_actions_adddup2(actions.Get(), err->write.Get(), 2);
    posix_spawn_file_actions_addclosefrom_np(actions.Get(), 3);
    SpawnAttr attr;
    std::vector<char*> argv;
    argv.reserve(options_.argv.size() + 1);
    for (const auto& arg : options_.argv) {
        argv.push_back(const_cast<char*>(arg.c_str()));  // NOLINT: posix_spawn's signature
    }
    argv.push_back(nullptr);
    pid_t pid = 0;
    const Clock::time_point deadline = Clock::now() + options_.timeout;
    const int rc = ::posix_spawn(&pid, argv[0], actions.Get(), attr.Get(), argv.data(), environ);
    in->read.Close();
    out->write.Close();
    err->write.Close();
    if (rc != 0) {
        return tl::unexpected(Failure(
            HookFailure::kSpawn,
            "cannot start the hook " + options_.argv.front() + ": " +
                std::generic_category().message(rc)
        ));
    }
    SetNonBlocking(in->write.Get());
    SetNonBlocking(out->read.Get());
    SetNonBlocking(err->read.Get());

    std::string stdout_text;
    std::string stderr_text;
    std::size_t stdout_dropped = 0;
    std::size_t stderr_dropped = 0;
    std::size_t written = 0;
    bool timed_out = false;
    bool too_large = false;
    if (order_json.empty()) {
        in->write.Close();
    }
    while (out->read.Open() || err->read.Open()) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) {
            timed_out = true;
            break;
        }
        std::array<pollfd, 3> fds{};
        nfds_t count = 0;
        int in_slot = -1;
        int out_slot = -1;
        int err_slot = -1;
        if (in->write.Open()) {
            in_slot = static_cast<int>(count);
            fds[count++] = pollfd{in->write.Get(), POLLOUT, 0};
        }
        if (out->read.Open()) {
            out_slot = static_cast<int>(count);
            fds[count++] = pollfd{out->read.Get(), POLLIN, 0};
        }
        if (err->read.Open()) {
            err_slot = static_cast<int>(count);
            fds[count++] = pollfd{err->read.Get(), POLLIN, 0};
        }
        const int ready =
            ::poll(fds.data(), count, static_cast<int>(std::min<std::int64_t>(left.count(), 1000)));
        if (ready < 0 && errno != EINTR) {
            timed_out = true;  // poll cannot fail here short of a bug; end the run rather than spin
            break;
        }
        if (ready <= 0) {
            continue;
        }
        if (in_slot >= 0 && fds[static_cast<std::size_t>(in_slot)].revents != 0) {
            const ssize_t n =
                ::write(in->write.Get(), order_json.data() + written, order_json.size() - written);
            if (n > 0) {
                written += static_cast<std::size_t>(n);
                if (written == order_json.size()) {
                    in->write.Close();
                }
            } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
                in->write.Close();  // EPIPE: the hook does not read its input; that is its choice
            }
        }
        if (out_slot >= 0 && fds[static_cast<std::size_t>(out_slot)].revents != 0) {
            if (!Drain(out->read.Get(), stdout_text, options_.max_output_bytes, stdout_dropped)) {
                out->read.Close();
            }
            if (stdout_dropped > 0) {
                too_large = true;
                break;
            }
        }
        if (err_slot >= 0 && fds[static_cast<std::size_t>(err_slot)].revents != 0) {
            if (!Drain(err->read.Get(), stderr_text, options_.max_stderr_bytes, stderr_dropped)) {
                err->read.Close();
            }
        }
    }
    in->write.Close();

    // Reap the child: it may still run after closing its output; wait until the deadline.
    int status = 0;
    bool reaped = false;
    auto pause = std::chrono::microseconds(200);
    while (!timed_out && !too_large) {
        const pid_t done = ::waitpid(pid, &status, WNOHANG);
        if (done == pid || (done < 0 && errno != EINTR)) {
            reaped = done == pid;
            break;
        }
        if (Clock::now() >= deadline) {
            timed_out = true;
            break;
        }
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, std::chrono::microseconds(20000));
    }
    // Kill the group in every case: on timeout or oversized output to stop the hook, and after a
    // normal exit to end anything it left running. The group id stays reserved while the group
    // has members, so this cannot hit an unrelated process.
    ::kill(-pid, SIGKILL);
    if (!reaped) {
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
    }
    if (stderr_dropped > 0) {
        stderr_text += "\n[" + std::to_string(stderr_dropped) + " more bytes of stderr dropped]";
    }
    HookError error;
    error.diagnostics = std::move(stderr_text);
    if (timed_out) {
        error.failure = HookFailure::kTimeout;
        error.message = "the hook did not finish within " +
                        std::to_string(options_.timeout.count()) + " ms and was killed";
        return tl::unexpected(std::move(error));
    }
    if (too_large) {
        error.failure = HookFailure::kOutputTooLarge;
        error.message = "the hook wrote more than " + std::to_string(options_.max_output_bytes) +
                        " bytes on stdout and was killed";
        return tl::unexpected(std::move(error));
    }
    if (WIFSIGNALED(status)) {
        error.failure = HookFailure::kSignal;
        error.exit_status = WTERMSIG(status);
        error.message = "the hook was ended by signal " + std::to_string(WTERMSIG(status));
        return tl::unexpected(std::move(error));
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        error.failure = HookFailure::kExitStatus;
        error.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        error.message = "the hook exited with status " + std::to_string(error.exit_status);
        return tl::unexpected(std::move(error));
    }
    auto parsed = ParseHookResult(stdout_text);
    if (!parsed) {
        parsed.error().diagnostics = std::move(error.diagnostics);
    }
    return parsed;
}

}  // namespace concord::app
