// The duty desk and legal deadlines on the server: the escalation webhook over HTTP
// (docs/operations.md "Duty desk").

#include <memory>
#include <string>

#include "concord/net/client.hpp"

#include "service_impl.hpp"

namespace concord::server {
namespace {

// POSTs the JSON of each breach to the configured URL (https with the certificate pinned, or
// plain http on loopback). Called on the deadline engine's thread after the breach committed.
class HttpWebhook : public app::Webhook {
public:
    HttpWebhook(std::string url, net::ClientOptions options)
        : url_(std::move(url)), client_(std::move(options)) {}

    Result<void> Notify(const std::string& json) override {
        CONCORD_ASSIGN_OR_RETURN(
            auto response, client_.Send("POST", url_, json, {{"Content-Type", "application/json"}})
        );
        if (response.status < 200 || response.status >= 300) {
            return MakeError(
                ErrorCode::kUnavailable, "webhook answered HTTP " + std::to_string(response.status)
            );
        }
        return {};
    }

private:
    std::string url_;
    net::HttpClient client_;
};

}  // namespace

std::unique_ptr<app::Webhook> MakeDutyWebhook(const Config& config) {
    if (config.duty_webhook_url.empty()) {
        return nullptr;
    }
    net::ClientOptions options;
    options.timeout = std::chrono::seconds(5);
    options.pinned_cert_sha256 = config.duty_webhook_tls_sha256;
    options.allow_plain_http = true;  // LoadConfig allows plain http on loopback only
    options.max_response_body_bytes = 64 << 10;
    return std::make_unique<HttpWebhook>(config.duty_webhook_url, std::move(options));
}

}  // namespace concord::server
