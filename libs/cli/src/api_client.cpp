#include "api_client.hpp"

#include <algorithm>
#include <cstdlib>
#include <utility>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "io.hpp"

namespace concord::cli {
namespace {

// Bounded answers: a case view carries the request form, timeline and notes.
constexpr std::size_t kMaxAnswerBytes = std::size_t{16} << 20;

std::string FromEnv(const char* name) {
    // NOLINTNEXTLINE(concurrency-mt-unsafe): nothing in this process calls setenv
    const char* value = std::getenv(name);
    return value != nullptr ? std::string(value) : std::string{};
}

// The error code and message of a refusal's error document ("http_STATUS" without one).
std::pair<std::string, std::string> RefusalOf(const net::Response& response) {
    boost::system::error_code ec;
    boost::json::value answer = boost::json::parse(response.body, ec);
    std::string code = "http_" + std::to_string(response.status);
    std::string message = ec ? "the node's answer is not JSON" : "";
    if (!ec && answer.is_object()) {
        if (const auto* error = answer.as_object().if_contains("error")) {
            code = Str(*error, "code");
            message = Str(*error, "message");
        }
    }
    return {code, message};
}

}  // namespace

void AddApiOptions(CLI::App* cmd, ApiOptions& o, bool with_json) {
    cmd->add_option("--api", o.api, "the node's local API, e.g. https://127.0.0.1:7201")
        ->required();
    cmd->add_option(
        "--token", o.token, "API token (cpt_... or the node token); default $CONCORD_TOKEN"
    );
    cmd->add_option(
        "--tls-pin", o.tls_pin, "SHA-256 of the node's TLS certificate; default $CONCORD_TLS_PIN"
    );
    if (with_json) {
        cmd->add_flag("--json", o.json, "print the API's JSON answer");
    }
}

ApiClient::ApiClient(Context& ctx, std::string base, std::string token, net::ClientOptions options)
    : ctx_(ctx), base_(std::move(base)), token_(std::move(token)), client_(std::move(options)) {}

std::unique_ptr<ApiClient> ApiClient::Open(Context& ctx, const ApiOptions& o) {
    std::string token = o.token.empty() ? FromEnv("CONCORD_TOKEN") : o.token;
    if (token.empty()) {
        ctx.status = ReportError(
            ctx.err,
            MakeError(ErrorCode::kInvalidArgument, "no API token: use --token or set CONCORD_TOKEN")
        );
        return nullptr;
    }
    std::string base = o.api;
    while (!base.empty() && base.back() == '/') {
        base.pop_back();
    }
    net::ClientOptions options;
    options.pinned_cert_sha256 = o.tls_pin.empty() ? FromEnv("CONCORD_TLS_PIN") : o.tls_pin;
    options.max_response_body_bytes = kMaxAnswerBytes;
    return std::unique_ptr<ApiClient>(
        new ApiClient(ctx, std::move(base), std::move(token), std::move(options))
    );
}

std::optional<boost::json::value> ApiClient::Call(
    std::string_view method, const std::string& path, const std::string& body
) {
    net::HeaderList headers{{"Authorization", "Bearer " + token_}};
    if (!body.empty()) {
        headers.emplace_back("Content-Type", "application/json");
    }
    return Answer(client_.Send(method, base_ + path, body, headers));
}

std::optional<boost::json::value> ApiClient::Upload(
    std::string_view method,
    const std::string& path,
    const std::string& content_type,
    net::BodySource& body,
    std::uint64_t size
) {
    const net::HeaderList headers{
        {"Authorization", "Bearer " + token_}, {"Content-Type", content_type}};
    return Answer(client_.Upload(method, base_ + path, headers, body, size));
}

Result<std::string> ApiClient::Fetch(const std::string& path, std::size_t max) {
    std::string body;
    CONCORD_RETURN_IF_ERROR(Download(
        path,
        [&body, max](std::span<const std::uint8_t> piece) -> Result<void> {
            if (piece.size() > max - body.size()) {
                return MakeError(ErrorCode::kInvalidArgument, "the answer is too large");
            }
            body.append(reinterpret_cast<const char*>(piece.data()), piece.size());
            return {};
        }
    ));
    return body;
}

Result<net::Response> ApiClient::Download(const std::string& path, const net::BodySink& sink) {
    const net::HeaderList headers{{"Authorization", "Bearer " + token_}};
    CONCORD_ASSIGN_OR_RETURN(net::Response response, client_.Download(base_ + path, headers, sink));
    if (response.status >= 200 && response.status < 300) {
        return response;
    }
    const auto [code, message] = RefusalOf(response);
    const ErrorCode kind = response.status == 404 ? ErrorCode::kNotFound
                           : response.status == 401 || response.status == 403
                               ? ErrorCode::kPermissionDenied
                               : ErrorCode::kInvalidArgument;
    return MakeError(kind, "the node refused: " + code + ": " + message);
}

std::optional<boost::json::value> ApiClient::Answer(const Result<net::Response>& response) {
    if (!response) {
        ctx_.status = ReportError(ctx_.err, response.error());
        return std::nullopt;
    }
    boost::system::error_code ec;
    boost::json::value answer = boost::json::parse(response->body, ec);
    if (response->status >= 200 && response->status < 300 && !ec) {
        ctx_.status = kExitOk;
        return answer;
    }
    ReportRefusal(*response);
    return std::nullopt;
}

void ApiClient::ReportRefusal(const net::Response& response) {
    const auto [code, message] = RefusalOf(response);
    ctx_.err << "concord: " << code << ": " << message << "\n";
    ctx_.status = kExitInvalid;
}

std::optional<boost::json::value> Call(
    Context& ctx,
    const ApiOptions& o,
    std::string_view method,
    const std::string& path,
    const std::string& body
) {
    std::unique_ptr<ApiClient> client = ApiClient::Open(ctx, o);
    if (client == nullptr) {
        return std::nullopt;
    }
    return client->Call(method, path, body);
}

std::string Str(const boost::json::value& v, std::string_view key) {
    if (!v.is_object()) {
        return "";
    }
    const auto* m = v.as_object().if_contains(key);
    if (m == nullptr) {
        return "";
    }
    if (m->is_string()) {
        return std::string(m->as_string());
    }
    if (m->is_null()) {
        return "";
    }
    return boost::json::serialize(*m);
}

const boost::json::array& Array(const boost::json::value& v, std::string_view key) {
    static const boost::json::array kEmpty;
    if (!v.is_object()) {
        return kEmpty;
    }
    const auto* m = v.as_object().if_contains(key);
    return m != nullptr && m->is_array() ? m->as_array() : kEmpty;
}

void PrintJson(Context& ctx, const boost::json::value& v) {
    ctx.out << boost::json::serialize(v) << "\n";
}

void PrintTable(std::ostream& out, const std::vector<std::vector<std::string>>& rows) {
    std::vector<std::size_t> width;
    for (const auto& row : rows) {
        width.resize(std::max(width.size(), row.size()));
        for (std::size_t i = 0; i < row.size(); ++i) {
            width[i] = std::max(width[i], row[i].size());
        }
    }
    for (const auto& row : rows) {
        std::string line;
        for (std::size_t i = 0; i < row.size(); ++i) {
            line += row[i];
            if (i + 1 < row.size()) {
                line.append(width[i] - row[i].size() + 2, ' ');
            }
        }
        out << line << "\n";
    }
}

}  // namespace concord::cli
