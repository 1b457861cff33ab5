// The recipient's side of an evidence transfer on the federation listener
// (docs/formats/evidence.md "Transfer"): the sender offers the signed manifest, asks how far
// each file arrived, and sends each file's encrypted bytes from there. No bearer token: the
// manifest is signed by the sender and every chunk is authenticated under the package key,
// which only the two nodes hold.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "concord/app/evidence_service.hpp"
#include "concord/core/time.hpp"

#include "api_routes.hpp"
#include "api_util.hpp"
#include "service_impl.hpp"

namespace concord::server {
namespace {

using net::Request;
using net::Response;

boost::json::object StatusJson(const app::IncomingStatus& status) {
    boost::json::object j;
    j["package"] = status.package;
    j["state"] = status.state;
    boost::json::array files;
    for (std::size_t i = 0; i < status.files.size(); ++i) {
        const app::IncomingFile& f = status.files[i];
        // No file name: the status is open to anyone holding the package id, and names can
        // be personal data; the sender knows them from its manifest.
        files.push_back(boost::json::object{
            {"index", static_cast<std::int64_t>(i)},
            {"sealed_size", ToJson(f.sealed_size)},
            {"received", ToJson(f.received)},
            {"complete", f.complete}});
    }
    j["files"] = std::move(files);
    if (!status.receipt.empty()) {
        j["receipt"] = status.receipt;
    }
    return j;
}

Response Unavailable() {
    return ErrorBody(503, "unavailable", "this node takes no evidence");
}

Response TransferError(const Error& error) {
    switch (error.code) {
        case ErrorCode::kUnauthenticated:
            return ErrorBody(400, "evidence_refused", error.message);
        case ErrorCode::kCorruption:
            return ErrorBody(400, "hash_mismatch", error.message);
        case ErrorCode::kUnavailable: {
            Response busy = ErrorBody(503, "busy", error.message);
            busy.headers.emplace_back("Retry-After", "5");
            return busy;
        }
        default:
            return FromError(error);
    }
}

Response Offer(NodeService::Impl& s, Request& request) {
    if (s.evidence == nullptr) {
        return Unavailable();
    }
    auto status = s.evidence->Offer(*s.node->Directory(), request.body, NowMillis());
    return status ? net::Json(200, boost::json::serialize(StatusJson(*status)))
                  : TransferError(status.error());
}

Response Status(NodeService::Impl& s, Request& request) {
    if (s.evidence == nullptr) {
        return Unavailable();
    }
    auto status = s.evidence->IncomingStatusOf(request.Param("package"));
    return status ? net::Json(200, boost::json::serialize(StatusJson(*status)))
                  : TransferError(status.error());
}

Response ReceiveFile(NodeService::Impl& s, Request& request, net::BodySource& body) {
    if (s.evidence == nullptr) {
        return Unavailable();
    }
    auto offset = UnsignedParam(request, "offset", 0, kMaxIndex);
    if (auto* refused = std::get_if<Response>(&offset)) {
        return std::move(*refused);
    }
    const std::string& index_text = request.Param("index");
    std::size_t index = 0;
    if (index_text.empty() || index_text.size() > 4 ||
        index_text.find_first_not_of("0123456789") != std::string::npos) {
        return ErrorBody(400, "invalid_parameter", "the file index is a number from 0 to 999");
    }
    index = static_cast<std::size_t>(std::stoul(index_text));
    auto outcome = s.evidence->Receive(
        request.Param("package"),
        index,
        std::get<std::uint64_t>(offset),
        [&body](std::span<std::uint8_t> out) { return body.Read(out); },
        NowMillis()
    );
    if (!outcome) {
        return TransferError(outcome.error());
    }
    if (!outcome->accepted) {
        return ErrorBody(
            409,
            "offset_mismatch",
            "send this file from the offset in status.files[index].received",
            boost::json::object{{"status", StatusJson(outcome->status)}}
        );
    }
    return net::Json(200, boost::json::serialize(StatusJson(outcome->status)));
}

}  // namespace

void AddFederationEvidenceRoutes(RouteTable& t, NodeService::Impl& s) {
    t.Open("PUT", "/fed/v1/evidence/{package}", [&s](Request& r) { return Offer(s, r); });
    t.Open("GET", "/fed/v1/evidence/{package}", [&s](Request& r) { return Status(s, r); });
    net::StreamOptions options;
    options.max_body_bytes = s.config.evidence_max_file_bytes +
                             s.config.evidence_max_file_bytes / 64 + (std::uint64_t{1} << 20);
    t.OpenStreaming(
        "PUT",
        "/fed/v1/evidence/{package}/files/{index}",
        [&s](Request& r, net::BodySource& body) { return ReceiveFile(s, r, body); },
        options
    );
}

}  // namespace concord::server
