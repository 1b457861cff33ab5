#pragma once

// The commands that work over a node's local API (concord case, duty, deadlines, evidence):
// where and as whom they call, one call with its answer printed or its error reported, and the
// streamed upload and download of evidence files.

#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include "concord/net/client.hpp"
#include "concord/net/stream.hpp"

#include "commands.hpp"

namespace concord::cli {

/// Where and as whom the commands call the node.
struct ApiOptions {
    std::string api;
    std::string token;
    std::string tls_pin;
    bool json = false;
};

/// --api, --token, --tls-pin (and --json when `with_json`) on `cmd`.
void AddApiOptions(CLI::App* cmd, ApiOptions& o, bool with_json);

/// Calls to one node's local API with a bearer token and the node's certificate pin. Each call
/// returns the answer's JSON when the node says 2xx; otherwise nullopt after printing the reason
/// (an API error as "concord: CODE: MESSAGE", exit 1; a transport error as ReportError does)
/// and setting ctx.status.
class ApiClient {
public:
    /// nullopt (reported, ctx.status set) when no token is given or found in $CONCORD_TOKEN.
    static std::unique_ptr<ApiClient> Open(Context& ctx, const ApiOptions& o);

    /// `method` `path` with a JSON `body` (none when empty).
    std::optional<boost::json::value> Call(
        std::string_view method, const std::string& path, const std::string& body = ""
    );
    /// `method` `path` with `body` streamed as the request body (`size` bytes, Content-Type
    /// `content_type`), in constant memory.
    std::optional<boost::json::value> Upload(
        std::string_view method,
        const std::string& path,
        const std::string& content_type,
        net::BodySource& body,
        std::uint64_t size
    );
    /// GET `path` with its body handed to `sink` piece by piece; the response (headers, status)
    /// when it is 2xx and the sink took all of it. Nothing is printed: a refusal is an error
    /// "the node refused: CODE: MESSAGE" (kNotFound for 404, kPermissionDenied for 401/403,
    /// kInvalidArgument otherwise), a transport or sink error is returned as is.
    Result<net::Response> Download(const std::string& path, const net::BodySink& sink);
    /// The body of GET `path` as Download fetches it, refused (kInvalidArgument) past `max` bytes.
    Result<std::string> Fetch(const std::string& path, std::size_t max);

private:
    ApiClient(Context& ctx, std::string base, std::string token, net::ClientOptions options);
    /// The JSON of a 2xx answer, or nullopt after reporting why not.
    std::optional<boost::json::value> Answer(const Result<net::Response>& response);
    /// Reports a non-2xx answer (its error document) and sets ctx.status.
    void ReportRefusal(const net::Response& response);

    Context& ctx_;
    std::string base_;
    std::string token_;
    net::HttpClient client_;
};

/// ApiClient::Open(ctx, o)->Call(method, path, body), for a command that makes one call.
std::optional<boost::json::value> Call(
    Context& ctx,
    const ApiOptions& o,
    std::string_view method,
    const std::string& path,
    const std::string& body = ""
);

/// The member `key` of the object `v` as text ("" if absent or null; non-strings serialised).
std::string Str(const boost::json::value& v, std::string_view key);
/// The array member `key` of `v`, or an empty array.
const boost::json::array& Array(const boost::json::value& v, std::string_view key);
void PrintJson(Context& ctx, const boost::json::value& v);
/// Left-aligned columns, two spaces apart; the header is the first row.
void PrintTable(std::ostream& out, const std::vector<std::vector<std::string>>& rows);

}  // namespace concord::cli
