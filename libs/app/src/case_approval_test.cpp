// Signed approvals between two nodes (docs/cases.md "Signed approvals"): the approver's
// approval travels in the request's "concord_case" member; the receiver verifies it and records
// the result with the incoming case, whatever it is.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "concord/app/approval.hpp"
#include "concord/app/case_service.hpp"
#include "concord/app/user_certificate.hpp"
#include "concord/app/user_keys.hpp"
#include "concord/core/time.hpp"

#include "case_approvals.hpp"
#include "case_test_support.hpp"
#include "case_wire.hpp"

namespace concord::app {
namespace {

constexpr std::int64_t kDayMs = 24LL * 60 * 60 * 1000;

class CaseApprovalTest : public testing::TwoNodes {
protected:
    Case DraftOne(const std::string& priority = "normal") {
        auto c =
            a_.cases->Draft(alice_, DraftInput{testing::ExampleRequest(), b_.id, priority, ""});
        EXPECT_TRUE(c) << c.error().message;
        return c ? *c : Case{};
    }

    static boost::json::object Form() {
        return boost::json::parse(testing::ExampleRequest()).as_object();
    }

    // An approval of `form` as case `origin_id` from A to B at `priority`, signed by `who` at
    // `at_ms` with a certificate that `issuer_key` signs in A's name.
    std::string ApprovalBy(
        const CertifiedUser& who,
        const crypto::SigningKey& issuer_key,
        const std::string& origin_id,
        const boost::json::object& form,
        const std::string& priority,
        std::int64_t at_ms
    ) {
        auto certifier = UserCertifier::Create(issuer_key, CertifierOptions{a_.id, a_.party});
        EXPECT_TRUE(certifier);
        UserKeys keys(a_.signing);
        auto sha = BodySha256(boost::json::serialize(form));
        EXPECT_TRUE(sha);
        const ApprovalRequest request{
            origin_id, "mla_stored_data", a_.id, b_.id, priority, sha ? *sha : ""};
        auto tx = a_.store->Begin();
        EXPECT_TRUE(tx);
        auto key = keys.KeyFor(**tx, who.login);
        EXPECT_TRUE(key);
        // Issue directly (not CertificateFor), so a certificate without the approver role can be
        // made for the refusal tests.
        auto certificate = certifier->Issue(**tx, who, key->PublicKey(), at_ms);
        EXPECT_TRUE(certificate) << certificate.error().message;
        auto text = SignApproval(request, certificate->text, *key, at_ms);
        EXPECT_TRUE(text) << text.error().message;
        EXPECT_TRUE((*tx)->Commit());
        return text ? *text : "";
    }

    std::string Approval(
        const std::string& origin_id,
        const boost::json::object& form,
        const std::string& priority = "normal",
        std::int64_t at_ms = NowMillis()
    ) {
        return ApprovalBy(
            CertifiedUser{"bob", "Bob Approver", {Role::kApprover}, "cyber"},
            a_.signing,
            origin_id,
            form,
            priority,
            at_ms
        );
    }

    // Delivers a request with `form` and the case member (with `approval` when not null) to B,
    // as A's intake would hand it over, and returns the approval B recorded.
    CaseApproval Receive(
        const std::string& origin_id,
        boost::json::object form,
        const boost::json::value* approval,
        federation::Priority priority = federation::Priority::kNormal
    ) {
        detail::CaseStep step{a_.id, origin_id, 1, "send", "FR-2026-000099", {}, ""};
        boost::json::object member = detail::EncodeStep(step)[detail::kCaseMember].as_object();
        if (approval != nullptr) {
            member["approval"] = *approval;
        }
        form[detail::kCaseMember] = std::move(member);
        federation::ReceivedMessage m;
        m.id = NewUuidV7();
        m.from = a_.id;
        m.type = "request";
        m.priority = priority;
        m.received_ms = NowMillis();
        m.time = FormatTimestamp(m.received_ms);
        m.body = boost::json::serialize(form);
        {
            auto tx = b_.store->Begin();
            EXPECT_TRUE(tx);
            EXPECT_TRUE(b_.cases->OnReceived(**tx, m));
            EXPECT_TRUE((*tx)->Commit());
        }
        const std::string id = IncomingId(origin_id);
        auto view = b_.cases->Read(dora_, id);
        EXPECT_TRUE(view) << view.error().message;
        if (!view || !view->approval) {
            ADD_FAILURE() << "no approval recorded for " << origin_id;
            return {};
        }
        EXPECT_EQ(view->record.state, "delivered") << "the case is recorded whatever its approval";
        // Every outcome is a typed domain event.
        bool evented = false;
        for (const DomainEvent& e : Events(b_, id)) {
            evented = evented || e.kind == "approval_" + view->approval->status;
        }
        EXPECT_TRUE(evented);
        return *view->approval;
    }

    CaseApproval ReceiveText(
        const std::string& origin_id,
        const boost::json::object& form,
        const std::string& approval,
        federation::Priority priority = federation::Priority::kNormal
    ) {
        const boost::json::value value = boost::json::parse(approval);
        return Receive(origin_id, form, &value, priority);
    }

    std::string IncomingId(const std::string& origin_id) {
        CaseFilter f;
        f.direction = CaseDirection::kIn;
        auto found = b_.cases->Search(dora_, f);
        EXPECT_TRUE(found);
        for (const Case& c : *found) {
            if (c.origin_id == origin_id) {
                return c.id;
            }
        }
        ADD_FAILURE() << "no incoming case for " << origin_id;
        return {};
    }
};

TEST_P(CaseApprovalTest, TheApprovalTravelsAndIsVerifiedAndDescribedOnTheReceiver) {
    Case draft = DraftOne();
    auto sent = a_.cases->Approve(bob_, draft.id);
    ASSERT_TRUE(sent) << sent.error().message;
    Settle();
    auto out = a_.cases->Read(alice_, draft.id);
    ASSERT_TRUE(out);
    ASSERT_TRUE(out->approval.has_value());
    EXPECT_EQ(out->approval->status, "signed");
    EXPECT_EQ(out->approval->approver, "bob");
    const std::string described =
        "approved by bob, approver, Central authority of FR (cyber), "
        "node fr.central, certificate 1";
    EXPECT_EQ(out->approval->description, described);

    const std::string in_id = IncomingId(draft.id);
    auto in = b_.cases->Read(dora_, in_id);
    ASSERT_TRUE(in);
    ASSERT_TRUE(in->approval.has_value());
    EXPECT_EQ(in->approval->status, "verified");
    EXPECT_EQ(in->approval->failure, "");
    EXPECT_EQ(in->approval->description, described);
    EXPECT_EQ(in->approval->approver, "bob");
    EXPECT_FALSE(in->approval->alert);
    // The receiver keeps the approval as received: it verifies offline against the request.
    EXPECT_EQ(in->approval->text, out->approval->text);
    auto parsed = ParseApproval(in->approval->text);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->request.case_id, draft.id);
    EXPECT_EQ(parsed->request.from, a_.id);
    EXPECT_EQ(parsed->request.to, b_.id);
    EXPECT_EQ(parsed->request.priority, "normal");
    auto sha = BodySha256(in->record.body);
    ASSERT_TRUE(sha);
    EXPECT_EQ(parsed->request.body_sha256, *sha);
    // The stored draft is the drafts' view: no approval before approval.
    Case second = DraftOne();
    auto draft_view = a_.cases->Read(alice_, second.id);
    ASSERT_TRUE(draft_view);
    EXPECT_FALSE(draft_view->approval.has_value());
}

TEST_P(CaseApprovalTest, AnEmergencyRequestCarriesAnEmergencyApproval) {
    Case draft = DraftOne("emergency");
    ASSERT_TRUE(a_.cases->Approve(bob_, draft.id));
    Settle();
    auto in = b_.cases->Read(dora_, IncomingId(draft.id));
    ASSERT_TRUE(in);
    EXPECT_EQ(in->record.priority, "emergency");
    ASSERT_TRUE(in->approval.has_value());
    EXPECT_EQ(in->approval->status, "verified") << in->approval->description;
    EXPECT_FALSE(in->approval->alert);
}

TEST_P(CaseApprovalTest, TheNodeItselfCannotApproveAndNothingChanges) {
    Case draft = DraftOne();
    // Acting for the node (its API token), with what the policy needs to approve this case.
    Actor node = Actor::Node();
    node.unit = "cyber";
    auto approved = a_.cases->Approve(node, draft.id);
    ASSERT_FALSE(approved);
    EXPECT_EQ(approved.error().code, ErrorCode::kPermissionDenied);
    EXPECT_EQ(approved.error().message.rfind("approval_unsigned", 0), 0U)
        << approved.error().message;
    auto view = a_.cases->Read(alice_, draft.id);
    ASSERT_TRUE(view);
    EXPECT_EQ(view->record.state, "draft");
    EXPECT_EQ(view->record.approved_by, "");
    EXPECT_FALSE(view->approval.has_value());
    EXPECT_EQ(Events(a_, draft.id).size(), 1U);
    auto outbox = a_.node->OutboxDepth();
    ASSERT_TRUE(outbox);
    EXPECT_EQ(outbox->second, 0);
}

TEST_P(CaseApprovalTest, AGenuineApprovalOfTheExactRequestVerifies) {
    const std::string origin = NewUuidV7();
    CaseApproval a = ReceiveText(origin, Form(), Approval(origin, Form()));
    EXPECT_EQ(a.status, "verified") << a.description;
    EXPECT_EQ(
        a.description.rfind("approved by Bob Approver, approver, Central authority of FR", 0), 0U
    );
}

TEST_P(CaseApprovalTest, ATamperedRequestBodyIsARequestMismatch) {
    const std::string origin = NewUuidV7();
    const std::string approval = Approval(origin, Form());
    boost::json::object tampered = Form();
    tampered["date"] = "2026-03-03";
    CaseApproval a = ReceiveText(origin, tampered, approval);
    EXPECT_EQ(a.status, "failed");
    EXPECT_EQ(a.failure, "request_mismatch");
    EXPECT_EQ(a.text, approval);
    EXPECT_FALSE(a.alert);
}

TEST_P(CaseApprovalTest, AnApprovalMovedToAnotherCaseIsARequestMismatch) {
    const std::string approval = Approval(NewUuidV7(), Form());
    CaseApproval a = ReceiveText(NewUuidV7(), Form(), approval);
    EXPECT_EQ(a.failure, "request_mismatch");
}

TEST_P(CaseApprovalTest, ANormalApprovalOnAnEmergencyRequestIsFlagged) {
    // A forged emergency: a genuine approval of a normal request, resent as an emergency.
    const std::string origin = NewUuidV7();
    CaseApproval a = ReceiveText(
        origin, Form(), Approval(origin, Form(), "normal"), federation::Priority::kEmergency
    );
    EXPECT_EQ(a.status, "failed");
    EXPECT_EQ(a.failure, "request_mismatch");
    EXPECT_TRUE(a.alert);
}

TEST_P(CaseApprovalTest, ACertificateNotSignedByTheSenderIsRefused) {
    const std::string origin = NewUuidV7();
    const std::string approval = ApprovalBy(
        CertifiedUser{"bob", "Bob", {Role::kApprover}, "cyber"},
        b_.signing,  // another node's key, in A's name
        origin,
        Form(),
        "normal",
        NowMillis()
    );
    CaseApproval a = ReceiveText(origin, Form(), approval);
    EXPECT_EQ(a.status, "failed");
    EXPECT_EQ(a.failure, "bad_certificate_signature");
}

TEST_P(CaseApprovalTest, AnExpiredCertificateIsRefused) {
    // Signed three days ago with a one-day certificate: expired when the message was sealed
    // (a user revoked at the issuer is seen by receivers only through this expiry).
    const std::string origin = NewUuidV7();
    CaseApproval a =
        ReceiveText(origin, Form(), Approval(origin, Form(), "normal", NowMillis() - 3 * kDayMs));
    EXPECT_EQ(a.status, "failed");
    EXPECT_EQ(a.failure, "certificate_not_valid");
}

TEST_P(CaseApprovalTest, ACertificateWithoutTheApproverRoleIsRefused) {
    const std::string origin = NewUuidV7();
    const std::string approval = ApprovalBy(
        CertifiedUser{"alice", "Alice", {Role::kOfficer}, "cyber"},
        a_.signing,
        origin,
        Form(),
        "normal",
        NowMillis()
    );
    CaseApproval a = ReceiveText(origin, Form(), approval);
    EXPECT_EQ(a.failure, "not_approver");
}

TEST_P(CaseApprovalTest, AMissingApprovalIsRecordedAndAlertsOnAnEmergency) {
    CaseApproval normal = Receive(NewUuidV7(), Form(), nullptr);
    EXPECT_EQ(normal.status, "missing");
    EXPECT_EQ(normal.failure, "");
    EXPECT_FALSE(normal.alert);
    EXPECT_EQ(normal.text, "");
    CaseApproval emergency =
        Receive(NewUuidV7(), Form(), nullptr, federation::Priority::kEmergency);
    EXPECT_EQ(emergency.status, "missing");
    EXPECT_TRUE(emergency.alert);
}

TEST_P(CaseApprovalTest, AMalformedApprovalIsRecordedAsMalformed) {
    const boost::json::value not_an_object = "approved, honestly";
    CaseApproval a = Receive(NewUuidV7(), Form(), &not_an_object, federation::Priority::kEmergency);
    EXPECT_EQ(a.status, "failed");
    EXPECT_EQ(a.failure, "malformed");
    EXPECT_TRUE(a.alert);
    const boost::json::value empty = boost::json::object{};
    EXPECT_EQ(Receive(NewUuidV7(), Form(), &empty).failure, "malformed");
    boost::json::object large;
    large["pad"] = std::string(kMaxApprovalBytes, 'x');
    const boost::json::value too_large = large;
    CaseApproval big = Receive(NewUuidV7(), Form(), &too_large);
    EXPECT_EQ(big.failure, "malformed");
    EXPECT_LE(big.description.size(), detail::kMaxApprovalDescriptionBytes);
}

INSTANTIATE_TEST_SUITE_P(
    Backends,
    CaseApprovalTest,
    ::testing::Values("sqlite", "postgres"),
    [](const auto& param_info) { return std::string(param_info.param); }
);

}  // namespace
}  // namespace concord::app
