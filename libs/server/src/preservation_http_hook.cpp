#include "preservation_http_hook.hpp"

#include "concord/net/client.hpp"

namespace concord::server {
namespace {

constexpr std::size_t kMaxAnswerBytes = std::size_t{64} * 1024;
constexpr std::size_t kMaxDiagnostics = std::size_t{8} * 1024;

app::HookError Failure(app::HookFailure failure, std::string message, std::string diagnostics) {
    return app::HookError{failure, std::move(message), 0, std::move(diagnostics)};
}

class HttpPreservationHook final : public app::PreservationHook {
public:
    HttpPreservationHook(std::string url, std::chrono::milliseconds timeout)
        : url_(std::move(url)),
          client_(net::ClientOptions{timeout, "", false, true, kMaxAnswerBytes}) {}

    app::HookOutcome Run(std::string_view order_json) override {
        auto answer =
            client_.Send("POST", url_, order_json, {{"Content-Type", "application/json"}});
        if (!answer) {
            return tl::unexpected(Failure(
                app::HookFailure::kUnreachable,
                "the hook URL did not answer: " + answer.error().message,
                ""
            ));
        }
        if (answer->status != 200) {
            std::string body = answer->body.substr(0, kMaxDiagnostics);
            app::HookError error = Failure(
                app::HookFailure::kHttpStatus,
                "the hook URL answered HTTP " + std::to_string(answer->status),
                std::move(body)
            );
            error.exit_status = static_cast<int>(answer->status);
            return tl::unexpected(std::move(error));
        }
        return app::ParseHookResult(answer->body);
    }
    [[nodiscard]] std::string_view Kind() const override { return "http"; }

private:
    std::string url_;
    net::HttpClient client_;  // thread-safe (serialises its callers)
};

}  // namespace

Result<std::unique_ptr<app::PreservationHook>> MakeHttpPreservationHook(
    const std::string& url, std::chrono::milliseconds timeout
) {
    CONCORD_ASSIGN_OR_RETURN(net::Url parsed, net::ParseUrl(url));
    if (parsed.tls || (parsed.host != "127.0.0.1" && parsed.host != "::1")) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "the preservation hook URL must be http:// on 127.0.0.1 or [::1]"
        );
    }
    if (timeout.count() <= 0) {
        return MakeError(ErrorCode::kInvalidArgument, "the hook timeout must be positive");
    }
    return std::unique_ptr<app::PreservationHook>(
        std::make_unique<HttpPreservationHook>(url, timeout)
    );
}

}  // namespace concord::server
