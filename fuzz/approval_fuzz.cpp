// Fuzz target: what a receiver parses from another node's approval (docs/formats/approval.md):
// approvals with the user certificate inside, certificates alone, and the full verification.
//
// The directory lists `aa.central` with the signing key of the worked example of
// docs/formats/approval.md (seed 0x11…), so the seeds copied from that example verify and
// mutations start from an approval that passes every link of the chain.
//
// Invariants: every input gives a value or a typed refusal, never a crash or a leak; an input
// larger than the documented bound is refused as malformed; an approval that verifies is one
// that ParseApproval accepts, for the request it names, by the node it names.
//
// The same input is also read as a case message body (docs/protocol.md §4.5): the bounded
// decoder of its "concord_case" member's "approval" (CarriedApprovalText) either refuses it or
// gives at most kMaxApprovalBytes of text, which then goes through ParseApproval.
//
// Seeds (fuzz/corpus/approval/): the example's approval and certificate, refusals, and a case
// request body carrying the example's approval.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <boost/json/parse.hpp>

#include "concord/app/approval.hpp"
#include "concord/app/user_certificate.hpp"
#include "concord/crypto/init.hpp"
#include "concord/federation/directory.hpp"
#include "concord/federation/signed_json.hpp"

namespace {

using concord::app::ApprovalFailure;

const concord::federation::Directory& FuzzDirectory() {
    static const concord::federation::Directory directory = [] {
        const concord::Bytes seed(32, 0x11);
        auto key = concord::crypto::SigningKey::FromSeed(seed);
        concord::federation::Directory d;
        concord::federation::NodeEntry aa;
        aa.id = "aa.central";
        aa.party = "AA";
        aa.authority = "Central authority of AA";
        aa.roles = {"central_authority"};
        aa.endpoint = "https://127.0.0.1:1";
        aa.signing_key = key->PublicKey();
        d.nodes.push_back(aa);
        concord::federation::NodeEntry old = aa;
        old.id = "aa.old";
        old.revoked = true;
        d.nodes.push_back(old);
        return d;
    }();
    return directory;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const bool initialized = concord::crypto::Initialize().has_value();
    if (!initialized) {
        return 0;
    }
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    if (auto certificate = concord::app::ParseUserCertificate(text)) {
        (void)concord::app::VerifyUserCertificateSignature(
            *certificate, FuzzDirectory().nodes.front().signing_key
        );
    }

    // As a case message body: the approval its case member carries, bounded.
    if (size <= 64 * 1024) {
        boost::system::error_code ec;
        const boost::json::value body = boost::json::parse(text, ec);
        const boost::json::object* object = !ec && body.is_object() ? &body.as_object() : nullptr;
        const boost::json::value* member =
            object != nullptr ? object->if_contains("concord_case") : nullptr;
        const boost::json::value* carried = member != nullptr && member->is_object()
                                                ? member->as_object().if_contains("approval")
                                                : nullptr;
        for (const boost::json::value* value : {carried, ec ? nullptr : &body}) {
            if (value == nullptr) {
                continue;
            }
            auto approval = concord::app::CarriedApprovalText(*value);
            if (approval) {
                if (approval->size() > concord::app::kMaxApprovalBytes || !value->is_object()) {
                    std::abort();
                }
                (void)concord::app::ParseApproval(*approval);
            }
        }
    }

    auto parsed = concord::app::ParseApproval(text);
    const std::string_view request =
        parsed ? std::string_view(parsed->canonical_request) : std::string_view("{}");
    const std::int64_t at = parsed ? parsed->time_ms : 0;
    auto verified = concord::app::VerifyApproval(FuzzDirectory(), "aa.central", text, request, at);
    if (size > concord::app::kMaxApprovalBytes &&
        (verified || verified.error().failure != ApprovalFailure::kMalformed)) {
        std::abort();
    }
    if (verified) {
        if (!parsed || verified->node != "aa.central" ||
            verified->request.body_sha256 != parsed->request.body_sha256 ||
            concord::app::DescribeApproval(*verified).empty()) {
            std::abort();
        }
    } else if (parsed && verified.error().failure == ApprovalFailure::kMalformed) {
        std::abort();  // what ParseApproval accepts is never malformed to VerifyApproval
    }
    return 0;
}
