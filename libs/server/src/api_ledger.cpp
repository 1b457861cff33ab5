// Audit-log proofs on the local API.

#include "api_routes.hpp"
#include "api_util.hpp"

namespace concord::server {
namespace {

using net::Request;
using net::Response;

Response LedgerProof(NodeService::Impl& s, Request& request) {
    auto index = UnsignedParam(request, "index", 0, kMaxIndex);
    if (auto* refused = std::get_if<Response>(&index)) {
        return std::move(*refused);
    }
    auto proof = s.node->LedgerProof(std::get<std::uint64_t>(index));
    if (!proof) {
        return FromError(proof.error());
    }
    Response r;
    r.content_type = "text/plain; charset=utf-8";
    r.body = std::move(*proof);
    return r;
}
}  // namespace

void AddLedgerRoutes(RouteTable& t, NodeService::Impl& s) {
    t.Authed(
        "GET",
        "/api/v1/ledger/proof",
        app::Action::kLedgerProof,
        [&s](Request& r, const app::Actor&) { return LedgerProof(s, r); }
    );
}

}  // namespace concord::server
