#include "case_approvals.hpp"

#include <boost/json/serialize.hpp>

#include "concord/app/domain_events.hpp"
#include "concord/core/log.hpp"
#include "concord/core/time.hpp"

namespace concord::app::detail {
namespace {

constexpr std::string_view kColumns =
    "status, failure, description, approver, approved_ms, alert, approval, checked_ms";

std::string Schema(std::string_view integer) {
    return "CREATE TABLE app_case_approvals (case_id TEXT PRIMARY KEY, status TEXT NOT NULL, "
           "failure TEXT NOT NULL, description TEXT NOT NULL, approver TEXT NOT NULL, "
           "approved_ms " +
           std::string(integer) + " NOT NULL, alert " + std::string(integer) +
           " NOT NULL, approval TEXT NOT NULL, checked_ms " + std::string(integer) + " NOT NULL)";
}

// At most kMaxApprovalDescriptionBytes, cut before a UTF-8 continuation byte.
std::string Bounded(std::string text) {
    if (text.size() <= kMaxApprovalDescriptionBytes) {
        return text;
    }
    std::size_t cut = kMaxApprovalDescriptionBytes - 3;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0U) == 0x80U) {
        --cut;
    }
    text.resize(cut);
    return text + "...";
}

CaseApproval FromVerified(const VerifiedApproval& v, std::string status, std::string text) {
    CaseApproval a;
    a.status = std::move(status);
    a.description = DescribeApproval(v);
    a.approver = v.user;
    a.approved_ms = v.time_ms;
    a.text = std::move(text);
    return a;
}

}  // namespace

std::vector<store::Migration> CaseApprovalMigrations() {
    return {store::Migration{"app_case_approvals", 1, Schema("INTEGER"), Schema("BIGINT")}};
}

Result<void> PutCaseApproval(
    store::Transaction& tx, std::string_view case_id, const CaseApproval& a
) {
    CONCORD_RETURN_IF_ERROR(tx.Execute(
        "INSERT INTO app_case_approvals (case_id, " + std::string(kColumns) +
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        {std::string(case_id),
         a.status,
         a.failure,
         a.description,
         a.approver,
         a.approved_ms,
         std::int64_t{a.alert ? 1 : 0},
         a.text,
         a.checked_ms}
    ));
    return {};
}

Result<std::optional<CaseApproval>> GetCaseApproval(
    store::Transaction& tx, std::string_view case_id
) {
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query(
            "SELECT " + std::string(kColumns) + " FROM app_case_approvals WHERE case_id = $1",
            {std::string(case_id)}
        )
    );
    if (rows.empty()) {
        return std::optional<CaseApproval>{};
    }
    const store::Row& r = rows[0];
    CaseApproval a;
    a.status = r.Text(0);
    a.failure = r.Text(1);
    a.description = r.Text(2);
    a.approver = r.Text(3);
    a.approved_ms = r.Int(4);
    a.alert = r.Int(5) != 0;
    a.text = r.Text(6);
    a.checked_ms = r.Int(7);
    return std::optional<CaseApproval>{std::move(a)};
}

Result<std::string> CanonicalRequestOf(
    std::string_view case_id,
    std::string_view request_type,
    std::string_view from,
    std::string_view to,
    federation::Priority priority,
    const boost::json::object& request_body
) {
    CONCORD_ASSIGN_OR_RETURN(
        std::string body_sha256, BodySha256(boost::json::serialize(request_body))
    );
    return CanonicalRequest(ApprovalRequest{
        std::string(case_id),
        std::string(request_type),
        std::string(from),
        std::string(to),
        std::string(federation::PriorityName(priority)),
        std::move(body_sha256)});
}

Result<CaseApproval> SignCaseApproval(
    store::Transaction& tx,
    federation::Node& node,
    const UserKeys& keys,
    const UserCertifier& certifier,
    const Actor& approver,
    const Case& c,
    const boost::json::object& request_body,
    federation::Priority priority,
    std::int64_t now_ms
) {
    if (approver.kind != Actor::Kind::kUser) {
        return MakeError(
            ErrorCode::kPermissionDenied,
            "approval_unsigned: only a person can approve a request; the node has no key to sign "
            "an approval with"
        );
    }
    CONCORD_ASSIGN_OR_RETURN(
        std::string body_sha256, BodySha256(boost::json::serialize(request_body))
    );
    const ApprovalRequest request{
        c.origin_id,
        c.request_type,
        node.Id(),
        c.peer_node,
        std::string(federation::PriorityName(priority)),
        std::move(body_sha256)};
    CertifiedUser user{
        approver.user_id,
        approver.display_name.empty() ? approver.user_id : approver.display_name,
        approver.roles,
        approver.unit};
    CONCORD_ASSIGN_OR_RETURN(std::string text, Approve(tx, keys, certifier, user, request, now_ms));
    // Checked here as the peer will check it, so an approval that cannot verify never leaves.
    CONCORD_ASSIGN_OR_RETURN(std::string canonical, CanonicalRequest(request));
    auto verified = VerifyApproval(*node.Directory(), node.Id(), text, canonical, now_ms);
    if (!verified) {
        return MakeError(
            ErrorCode::kInternal,
            "approval_unverifiable: this node's own approval does not verify against its "
            "directory: " +
                verified.error().ToError().message
        );
    }
    CaseApproval a = FromVerified(*verified, "signed", std::move(text));
    a.checked_ms = now_ms;
    CONCORD_RETURN_IF_ERROR(PutCaseApproval(tx, c.id, a));
    boost::json::object leaf;
    leaf["event"] = "case.approval_signed";
    leaf["case"] = c.id;
    leaf["number"] = c.number;
    leaf["certificate"] = verified->certificate_serial;
    NameActor(leaf, approver);
    CONCORD_RETURN_IF_ERROR(node.AppendEvent(tx, leaf));
    return a;
}

Result<CaseApproval> CheckIncomingApproval(
    CaseContext& ctx,
    store::Transaction& tx,
    const federation::ReceivedMessage& m,
    const Case& c,
    const boost::json::object& request_body,
    const std::optional<CaseStep>& step,
    const CarriedApproval& carried
) {
    // The time the sender sealed the message (signed in the envelope), so checking again later
    // gives the same answer.
    auto sealed = ParseTimestamp(m.time);
    const std::int64_t at_ms = sealed ? *sealed : m.received_ms;
    CaseApproval a;
    a.checked_ms = m.received_ms;
    if (!step || (carried.text.empty() && carried.malformed.empty())) {
        a.status = "missing";
        a.description = "the request carries no approval";
    } else if (!carried.malformed.empty()) {
        a.status = "failed";
        a.failure = std::string(ApprovalFailureCode(ApprovalFailure::kMalformed));
        a.description = Bounded(carried.malformed);
    } else {
        a.text = carried.text;
        auto canonical = CanonicalRequestOf(
            step->origin_id, c.request_type, m.from, ctx.node.Id(), m.priority, request_body
        );
        if (!canonical) {
            // The received request cannot be named by any approval (e.g. a bad request type).
            a.status = "failed";
            a.failure = std::string(ApprovalFailureCode(ApprovalFailure::kRequestMismatch));
            a.description =
                Bounded("the received request cannot be approved: " + canonical.error().message);
        } else {
            auto verified =
                VerifyApproval(*ctx.node.Directory(), m.from, carried.text, *canonical, at_ms);
            if (verified) {
                a = FromVerified(*verified, "verified", std::move(a.text));
                a.checked_ms = m.received_ms;
            } else {
                a.status = "failed";
                a.failure = std::string(ApprovalFailureCode(verified.error().failure));
                a.description = Bounded(verified.error().message);
            }
        }
    }
    a.alert = a.status != "verified" && c.priority == "emergency";
    CONCORD_RETURN_IF_ERROR(PutCaseApproval(tx, c.id, a));

    DomainEvent event;
    event.at_ms = m.received_ms;
    event.actor = "peer:" + m.from;
    event.kind = "approval_" + a.status;
    event.case_id = c.id;
    event.request_type = c.request_type;
    event.requesting_party = c.requesting_party;
    event.requested_party = c.requested_party;
    event.from_state = c.state;
    event.to_state = c.state;
    event.priority = c.priority;
    if (!a.failure.empty()) {
        event.grounds = {a.failure};
    }
    CONCORD_RETURN_IF_ERROR(AppendDomainEvent(tx, event));
    // Metadata only: the failure code, never the approval or the request.
    boost::json::object leaf;
    leaf["event"] = "case.approval_" + a.status;
    leaf["case"] = c.id;
    leaf["number"] = c.number;
    leaf["message"] = m.id;
    leaf["actor"] = "peer:" + m.from;
    if (!a.failure.empty()) {
        leaf["failure"] = a.failure;
    }
    if (a.alert) {
        leaf["alert"] = "emergency request without a verified approval";
    }
    CONCORD_RETURN_IF_ERROR(ctx.node.AppendEvent(tx, leaf));
    if (a.status != "verified") {
        log::Write(
            a.alert ? log::Level::kError : log::Level::kWarning,
            a.alert ? "emergency request without a verified approval"
                    : "request without a verified approval",
            {{"case", c.id},
             {"message", m.id},
             {"from", m.from},
             {"status", a.status},
             {"failure", a.failure}}
        );
    }
    return a;
}

}  // namespace concord::app::detail
