// The federation listener: /healthz and the peer protocol /fed/v1 (docs/protocol.md).

#include <boost/json/serialize.hpp>

#include "api_routes.hpp"
#include "api_util.hpp"

namespace concord::server {
namespace {

using net::Json;
using net::Request;
using net::Response;

Response FedMessages(NodeService::Impl& s, Request& request) {
    const bool proof = request.QueryParam("proof").value_or("") == "1";
    federation::IntakeReply reply = s.node->Receive(request.body, proof);
    Response r = Json(reply.status, std::move(reply.body));
    if (reply.duplicate) {
        r.headers.emplace_back("Concord-Duplicate", "true");
    }
    return r;
}

Response FedCheckpoint(NodeService::Impl& s, Request& request) {
    auto old_size = UnsignedParam(request, "old_size", 0, kMaxIndex, 0);
    if (auto* refused = std::get_if<Response>(&old_size)) {
        return std::move(*refused);
    }
    auto reply = s.node->CheckpointReply(std::get<std::uint64_t>(old_size));
    return reply ? Json(200, std::move(*reply)) : FromError(reply.error());
}

Response FedCosignature(NodeService::Impl& s, Request& request) {
    auto kept = s.node->AcceptCosignature(request.body);
    return kept ? Json(200, "{\"kept\":" + std::to_string(*kept) + "}") : FromError(kept.error());
}

Response FedOtherVersion(Request& request) {
    return ErrorBody(
        400,
        "unsupported_version",
        "this node speaks /fed/v1 only, not /fed/" + request.Param("version")
    );
}
}  // namespace

void AddFederationRoutes(net::Router& router, NodeService::Impl& s) {
    RouteTable t(router, s);
    AddHealthRoute(t, s);
    t.Open("POST", "/fed/v1/messages", [&s](Request& r) { return FedMessages(s, r); });
    t.Open("GET", "/fed/v1/checkpoint", [&s](Request& r) { return FedCheckpoint(s, r); });
    t.Open("POST", "/fed/v1/cosignature", [&s](Request& r) { return FedCosignature(s, r); });
    t.Open("POST", "/fed/{version}/messages", [](Request& r) { return FedOtherVersion(r); });
    AddFederationEvidenceRoutes(t, s);
    AddFederationStatisticsRoutes(t, s);
}

}  // namespace concord::server
