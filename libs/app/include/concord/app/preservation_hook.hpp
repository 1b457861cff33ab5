#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "concord/core/result.hpp"

namespace concord::app {

/// What a preservation hook reports after freezing the data an order names
/// (docs/operations.md "Preservation hook").
struct HookResult {
    std::string reference;  ///< the provider's own reference for what it froze (1–256 bytes)
    std::string sha256;     ///< 64 lower-case hex digits: SHA-256 of what was frozen
    std::string note;       ///< optional free text (≤ 1024 bytes)
};

/// Why a hook run failed. Every failure of a hook is one of these, never an exception.
enum class HookFailure {
    kSpawn,            ///< the executable could not be started
    kExitStatus,       ///< it exited with a non-zero status
    kSignal,           ///< it was ended by a signal it did not get from us
    kTimeout,          ///< it ran longer than the timeout (its process group was killed)
    kOutputTooLarge,   ///< it wrote more than the output limit (its process group was killed)
    kMalformedOutput,  ///< its output is not the result object (docs/operations.md)
    kUnreachable,      ///< HTTP hook: no connection or no answer
    kHttpStatus,       ///< HTTP hook: an answer other than 200
};

/// "spawn", "exit_status", "signal", "timeout", "output_too_large", "malformed_output",
/// "unreachable", "http_status": the code stored in the responders' queue.
std::string_view HookFailureName(HookFailure failure);

/// A failed hook run: what went wrong, a message for the operator and what the hook wrote to
/// its error stream (bounded), for the operator's log.
struct HookError {
    HookFailure failure{HookFailure::kSpawn};
    std::string message;
    int exit_status{0};       ///< kExitStatus: the status; kSignal: the signal number
    std::string diagnostics;  ///< stderr (exec) or the answer body (HTTP), at most the limit
};

/// The outcome of one hook run: the result, or why there is none.
using HookOutcome = tl::expected<HookResult, HookError>;

/// A preservation hook: given an order as JSON, it freezes the data and says what it froze.
/// Implementations must be thread-safe and must return within their timeout.
class PreservationHook {
public:
    virtual ~PreservationHook() = default;
    /// Runs the hook once on `order_json` (docs/operations.md gives its format).
    virtual HookOutcome Run(std::string_view order_json) = 0;
    /// "exec" or "http": named in the confirmation sent to the orderer (never a path or URL).
    [[nodiscard]] virtual std::string_view Kind() const = 0;
};

/// Parses a hook's answer: a JSON object with `reference` (1–256 bytes, no control characters),
/// `sha256` (64 lower-case hex digits) and optionally `note` (≤ 1024 bytes); no other member.
/// HookError kMalformedOutput saying which rule is broken otherwise.
HookOutcome ParseHookResult(std::string_view text);

/// Settings of an executable hook.
struct ExecHookOptions {
    /// The executable (an absolute path) and its arguments. Started directly, never by a shell.
    std::vector<std::string> argv;
    std::chrono::milliseconds timeout{std::chrono::seconds(30)};
    std::size_t max_output_bytes{
        std::size_t{64} * 1024};  ///< stdout beyond this is kOutputTooLarge
    std::size_t max_stderr_bytes{
        std::size_t{8} * 1024};  ///< stderr kept; the rest is read and dropped
};

/// Checks `options`: a non-empty argv whose first element is an absolute path, a positive
/// timeout and limits. kInvalidArgument naming the problem.
Result<void> CheckExecHookOptions(const ExecHookOptions& options);

/// Runs an executable per order: the order JSON on its stdin, the result JSON on its stdout.
/// The child is started with posix_spawn in a process group of its own, with file descriptors
/// above 2 closed and the default signal dispositions; on timeout or oversized output the whole
/// group is killed with SIGKILL, and it is killed too after the child exits, so nothing the hook
/// started stays behind.
class ExecHook final : public PreservationHook {
public:
    /// kInvalidArgument as CheckExecHookOptions.
    static Result<std::unique_ptr<ExecHook>> Create(ExecHookOptions options);

    HookOutcome Run(std::string_view order_json) override;
    [[nodiscard]] std::string_view Kind() const override { return "exec"; }

private:
    explicit ExecHook(ExecHookOptions options) : options_(std::move(options)) {}
    ExecHookOptions options_;
};

}  // namespace concord::app
