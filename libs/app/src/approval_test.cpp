#include "concord/app/approval.hpp"

#include <gtest/gtest.h>

#include "concord/core/time.hpp"
#include "concord/federation/signed_json.hpp"

#include "approval_test_util.hpp"

namespace concord::app {
namespace {

using testing::kHourMs;
using testing::MakeDirectory;
using testing::MakeNode;
using testing::StoreTest;
using testing::T0;
using testing::TestNode;

constexpr std::int64_t kMinuteMs = 60 * 1000;

ApprovalRequest Request(std::string priority = "emergency") {
    ApprovalRequest r;
    r.case_id = "AA-2026-0001";
    r.request_type = "preservation";
    r.from = "aa.central";
    r.to = "bb.central";
    r.priority = std::move(priority);
    r.body_sha256 = BodySha256(R"({"ask":"preserve","account":"ops@example.org"})").value();
    return r;
}

struct CertSpec {
    std::string node{"aa.central"};
    std::string party{"AA"};
    std::vector<Role> roles{Role::kApprover};
    std::int64_t not_before{T0() - kHourMs};
    std::int64_t not_after{T0() + 23 * kHourMs};
};

std::string Certificate(
    const crypto::SigningKey& issuer, const crypto::PublicKey& user_key, const CertSpec& spec
) {
    UserCertificate c;
    c.node = spec.node;
    c.serial = 7;
    c.user = "alice";
    c.name = "Alice Martin";
    c.roles = spec.roles;
    c.party = spec.party;
    c.unit = "Cybercrime unit";
    c.public_key = user_key;
    c.not_before_ms = spec.not_before;
    c.not_after_ms = spec.not_after;
    auto text = SignUserCertificate(c, issuer);
    EXPECT_TRUE(text) << text.error().ToString();
    return *text;
}

// An approval signed by `signer` whatever the certificate says (SignApproval refuses that).
std::string Forge(
    const ApprovalRequest& request,
    const std::string& certificate,
    const crypto::SigningKey& signer,
    std::int64_t time_ms
) {
    boost::json::object o;
    o["v"] = 1;
    o["kind"] = "approval";
    o["request"] = federation::ParseObject(CanonicalRequest(request).value()).value();
    o["time"] = FormatTimestamp(time_ms);
    o["certificate"] = federation::ParseObject(certificate).value();
    return federation::SignObject(std::move(o), kApprovalDomain, signer).value();
}

class ApprovalTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(crypto::Initialize());
        revoked_.entry.revoked = true;
        directory_ = MakeDirectory({&aa_.entry, &bb_.entry, &revoked_.entry});
    }

    // Verifies `approval` as bb.central would for a message from `sender` sealed at `at`.
    tl::expected<VerifiedApproval, ApprovalRefused> Verify(
        const std::string& approval,
        std::string sender = "aa.central",
        const ApprovalRequest& request = Request(),
        std::int64_t at = T0() + 2 * kMinuteMs
    ) {
        return VerifyApproval(directory_, sender, approval, CanonicalRequest(request).value(), at);
    }

    void ExpectRefused(
        const tl::expected<VerifiedApproval, ApprovalRefused>& result,
        ApprovalFailure failure,
        std::string_view words
    ) {
        ASSERT_FALSE(result) << "accepted: " << result->name;
        EXPECT_EQ(ApprovalFailureCode(result.error().failure), ApprovalFailureCode(failure))
            << result.error().message;
        EXPECT_NE(result.error().message.find(words), std::string::npos) << result.error().message;
        const Error error = result.error().ToError();
        EXPECT_NE(error.message.find(ApprovalFailureCode(failure)), std::string::npos);
    }

    std::string Good(const CertSpec& spec = {}, std::int64_t time = T0() + kMinuteMs) {
        return SignApproval(
                   Request(), Certificate(aa_.signing, alice_.PublicKey(), spec), alice_, time
        )
            .value();
    }

    TestNode aa_ = MakeNode("aa.central", "AA");
    TestNode bb_ = MakeNode("bb.central", "BB");
    TestNode revoked_ = MakeNode("aa.old", "AA");
    crypto::SigningKey alice_ = crypto::SigningKey::Generate();
    crypto::SigningKey mallory_ = crypto::SigningKey::Generate();
    federation::Directory directory_;
};

TEST_F(ApprovalTest, AGenuineApprovalVerifiesWithWhoApprovedAndForWhom) {
    auto verified = Verify(Good());
    ASSERT_TRUE(verified) << verified.error().message;
    EXPECT_EQ(verified->name, "Alice Martin");
    EXPECT_EQ(verified->user, "alice");
    EXPECT_EQ(verified->role, "approver");
    EXPECT_EQ(verified->roles, std::vector<std::string>{"approver"});
    EXPECT_EQ(verified->authority, "Central authority of AA");
    EXPECT_EQ(verified->party, "AA");
    EXPECT_EQ(verified->unit, "Cybercrime unit");
    EXPECT_EQ(verified->node, "aa.central");
    EXPECT_EQ(verified->certificate_serial, 7);
    EXPECT_EQ(verified->time_ms, T0() + kMinuteMs);
    EXPECT_EQ(verified->request.case_id, "AA-2026-0001");
    EXPECT_EQ(verified->request.priority, "emergency");
}

TEST_F(ApprovalTest, TheSenderMustBeListedAndNotRevoked) {
    ExpectRefused(Verify(Good(), "cc.central"), ApprovalFailure::kUnknownNode, "cc.central");
    // A certificate from a node the directory revoked, sent in that node's name.
    CertSpec spec;
    spec.node = "aa.old";
    ApprovalRequest request = Request();
    request.from = "aa.old";
    const std::string approval = SignApproval(
                                     request,
                                     Certificate(revoked_.signing, alice_.PublicKey(), spec),
                                     alice_,
                                     T0() + kMinuteMs
    )
                                     .value();
    ExpectRefused(Verify(approval, "aa.old", request), ApprovalFailure::kNodeRevoked, "revoked");
}

TEST_F(ApprovalTest, ACertificateOfAnotherNodeIsRefused) {
    // bb.central certified alice's key: honest certificate, wrong sender.
    CertSpec spec;
    spec.node = "bb.central";
    spec.party = "BB";
    const std::string approval =
        SignApproval(
            Request(), Certificate(bb_.signing, alice_.PublicKey(), spec), alice_, T0() + kMinuteMs
        )
            .value();
    ExpectRefused(Verify(approval), ApprovalFailure::kWrongIssuer, "bb.central");
}

TEST_F(ApprovalTest, ACertificateNotSignedByTheSendersDirectoryKeyIsRefused) {
    // Claims to be aa.central's, but bb.central (or anyone else) signed it.
    for (const crypto::SigningKey* issuer : {&bb_.signing, &mallory_}) {
        const std::string approval =
            SignApproval(
                Request(), Certificate(*issuer, alice_.PublicKey(), {}), alice_, T0() + kMinuteMs
            )
                .value();
        ExpectRefused(Verify(approval), ApprovalFailure::kBadCertificateSignature, "directory key");
    }
    // The right key named, the certificate altered after signing (the approver's name).
    auto object = federation::ParseObject(Good()).value();
    object["certificate"].as_object()["name"] = "Chief Prosecutor";
    ExpectRefused(
        Verify(federation::CanonicalText(object)),
        ApprovalFailure::kBadCertificateSignature,
        "does not verify"
    );
}

TEST_F(ApprovalTest, ACertificateNamingAnotherPartyIsRefused) {
    CertSpec spec;
    spec.party = "BB";
    ExpectRefused(Verify(Good(spec)), ApprovalFailure::kWrongParty, "'BB'");
}

TEST_F(ApprovalTest, AnExpiredNotYetValidOrLongLivedCertificateIsRefused) {
    CertSpec expired;
    expired.not_before = T0() - 48 * kHourMs;
    expired.not_after = T0() - 24 * kHourMs;
    ExpectRefused(Verify(Good(expired)), ApprovalFailure::kCertificateNotValid, "expired");

    CertSpec future;
    future.not_before = T0() + kHourMs;
    future.not_after = T0() + 2 * kHourMs;
    ExpectRefused(Verify(Good(future)), ApprovalFailure::kCertificateNotValid, "not yet valid");

    CertSpec long_lived;
    long_lived.not_after = long_lived.not_before + 8 * 24 * kHourMs;
    ExpectRefused(Verify(Good(long_lived)), ApprovalFailure::kCertificateNotValid, "7 days");

    // Valid when the approver signed, expired when the message was sealed.
    ExpectRefused(
        Verify(Good(), "aa.central", Request(), T0() + 24 * kHourMs),
        ApprovalFailure::kCertificateNotValid,
        "message's time"
    );
}

TEST_F(ApprovalTest, AnOfficerCertificateCannotApprove) {
    CertSpec officer;
    officer.roles = {Role::kOfficer, Role::kDutyOfficer};
    ExpectRefused(Verify(Good(officer)), ApprovalFailure::kNotApprover, "approver role");
}

TEST_F(ApprovalTest, AnApprovalSignedWithAnotherKeyIsRefused) {
    const std::string certificate = Certificate(aa_.signing, alice_.PublicKey(), {});
    // Mallory signs with her own key and names it.
    const std::string forged = Forge(Request(), certificate, mallory_, T0() + kMinuteMs);
    ExpectRefused(Verify(forged), ApprovalFailure::kWrongKey, "another key");
    // Mallory names alice's key but cannot make alice's signature.
    auto object = federation::ParseObject(forged).value();
    object["key"] = federation::ParseObject(certificate).value()["public_key"];
    ExpectRefused(
        Verify(federation::CanonicalText(object)), ApprovalFailure::kBadSignature, "signature"
    );
    // SignApproval itself refuses a certificate of another key.
    auto refused = SignApproval(Request(), certificate, mallory_, T0());
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(ApprovalTest, ATamperedRequestIsRefused) {
    // The approval was for a normal request; the message is an emergency.
    const std::string normal =
        SignApproval(
            Request("normal"), Certificate(aa_.signing, alice_.PublicKey(), {}), alice_, T0()
        )
            .value();
    ExpectRefused(Verify(normal), ApprovalFailure::kRequestMismatch, "approves");
    // The body changed after approval.
    ApprovalRequest other_body = Request();
    other_body.body_sha256 = BodySha256(R"({"ask":"disclose"})").value();
    ExpectRefused(
        Verify(Good(), "aa.central", other_body), ApprovalFailure::kRequestMismatch, "approves"
    );
    // The request inside the approval edited to match: the approver's signature breaks.
    auto object = federation::ParseObject(normal).value();
    object["request"].as_object()["priority"] = "emergency";
    ExpectRefused(
        Verify(federation::CanonicalText(object)), ApprovalFailure::kBadSignature, "signature"
    );
}

TEST_F(ApprovalTest, AnApprovalDatedAfterTheMessageIsRefused) {
    ExpectRefused(
        Verify(Good({}, T0() + kHourMs), "aa.central", Request(), T0()),
        ApprovalFailure::kTimeOutOfRange,
        "after the message"
    );
    // Within the clock skew it passes.
    EXPECT_TRUE(Verify(Good({}, T0() + 4 * kMinuteMs), "aa.central", Request(), T0()));
}

TEST_F(ApprovalTest, WhatIsNotAnApprovalIsMalformed) {
    const std::string good = Good();
    auto object = federation::ParseObject(good).value();
    auto with = [&](std::string_view member, boost::json::value value) {
        auto o = object;
        o[member] = std::move(value);
        return federation::CanonicalText(o);
    };
    auto without = [&](std::string_view member) {
        auto o = object;
        o.erase(member);
        return federation::CanonicalText(o);
    };
    std::vector<std::pair<std::string, std::string>> cases = {
        {"", "JSON"},
        {"[]", "object"},
        {"{\"v\":1,\"v\":1}", "duplicate"},
        {std::string(kMaxApprovalBytes + 1, ' '), "larger"},
        {with("extra", true), "extra"},
        {with("kind", "approval_request"), "kind"},
        {with("time", "yesterday"), "time"},
        {with("request", "AA-2026-0001"), "request"},
        {without("certificate"), "certificate"},
        {without("sig"), "sig"},
    };
    auto bad_request = object;
    bad_request["request"].as_object()["priority"] = "urgent";
    cases.emplace_back(federation::CanonicalText(bad_request), "priority");
    auto bad_certificate = object;
    bad_certificate["certificate"].as_object().erase("roles");
    cases.emplace_back(federation::CanonicalText(bad_certificate), "roles");
    for (const auto& [text, words] : cases) {
        ExpectRefused(Verify(text), ApprovalFailure::kMalformed, words);
        EXPECT_EQ(Verify(text).error().ToError().code, ErrorCode::kInvalidArgument);
    }
}

TEST(CanonicalRequest, IsTheJcsOfTheRequestAndChecksItsMembers) {
    auto text = CanonicalRequest(Request());
    ASSERT_TRUE(text) << text.error().ToString();
    EXPECT_EQ(
        *text,
        "{\"body_sha256\":\"" + Request().body_sha256 +
            "\",\"case\":\"AA-2026-0001\",\"from\":\"aa.central\",\"kind\":\"approval_request\","
            "\"priority\":\"emergency\",\"request_type\":\"preservation\",\"to\":\"bb.central\","
            "\"v\":1}"
    );
    // The body hash is over the canonical form: spacing and member order do not matter.
    EXPECT_EQ(
        BodySha256("{ \"b\": 1, \"a\": [1.0] }").value(), BodySha256(R"({"a":[1],"b":1})").value()
    );
    EXPECT_FALSE(BodySha256("{"));
    std::vector<std::pair<std::string, ApprovalRequest>> bad;
    auto with = [&](std::string what, auto change) {
        ApprovalRequest r = Request();
        change(r);
        bad.emplace_back(std::move(what), std::move(r));
    };
    with("case", [](ApprovalRequest& r) { r.case_id = ""; });
    with("case", [](ApprovalRequest& r) { r.case_id = std::string(129, 'c'); });
    with("request_type", [](ApprovalRequest& r) { r.request_type = "Preservation"; });
    with("from", [](ApprovalRequest& r) { r.from = ""; });
    with("to", [](ApprovalRequest& r) { r.to = "B B"; });
    with("priority", [](ApprovalRequest& r) { r.priority = "urgent"; });
    with("body_sha256", [](ApprovalRequest& r) { r.body_sha256 = std::string(64, 'A'); });
    for (const auto& [what, r] : bad) {
        auto refused = CanonicalRequest(r);
        ASSERT_FALSE(refused) << what;
        EXPECT_NE(refused.error().message.find(what), std::string::npos) << refused.error().message;
    }
}

class ApproveTest : public StoreTest {};

TEST_P(ApproveTest, TheApproversOwnKeyAndCertificateSignAndTheReceiverVerifies) {
    TestNode aa = MakeNode("aa.central", "AA");
    TestNode bb = MakeNode("bb.central", "BB");
    const federation::Directory directory = MakeDirectory({&aa.entry, &bb.entry});
    UserKeys keys(aa.signing);
    CertifierOptions options;
    options.node_id = "aa.central";
    options.party = "AA";
    auto certifier = UserCertifier::Create(aa.signing, options).value();
    CertifiedUser alice{"alice", "Alice Martin", {Role::kApprover}, "Cybercrime unit"};
    CertifiedUser olivier{"olivier", "Olivier", {Role::kOfficer}, "Cybercrime unit"};

    auto tx = Begin();
    auto refused = Approve(*tx, keys, certifier, olivier, Request(), T0());
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kPermissionDenied);
    auto count = tx->Query(
        "SELECT (SELECT COUNT(*) FROM app_user_keys) + (SELECT COUNT(*) FROM app_user_certificates)"
    );
    ASSERT_TRUE(count);
    EXPECT_EQ(count->front().Int(0), 0) << "a refused approval wrote a key or a certificate";

    auto approval = Approve(*tx, keys, certifier, alice, Request(), T0());
    ASSERT_TRUE(approval) << approval.error().ToString();
    ASSERT_TRUE(tx->Commit());
    const std::string canonical = CanonicalRequest(Request()).value();
    auto verified = VerifyApproval(directory, "aa.central", *approval, canonical, T0() + 1000);
    ASSERT_TRUE(verified) << verified.error().message;
    EXPECT_EQ(verified->name, "Alice Martin");
    EXPECT_EQ(verified->authority, "Central authority of AA");
    const std::int64_t first_serial = verified->certificate_serial;

    // The approval is signed with alice's stored key.
    tx = Begin();
    auto parsed = ParseApproval(*approval).value();
    EXPECT_EQ(parsed.key, keys.PublicKeyFor(*tx, "alice").value());

    // Alice is disabled and enabled again: the revoked certificate is not reused.
    ASSERT_TRUE(certifier.RevokeUser(*tx, "alice", T0() + kMinuteMs));
    auto again = Approve(*tx, keys, certifier, alice, Request(), T0() + 2 * kMinuteMs);
    ASSERT_TRUE(again);
    auto reverified =
        VerifyApproval(directory, "aa.central", *again, canonical, T0() + 2 * kMinuteMs);
    ASSERT_TRUE(reverified) << reverified.error().message;
    EXPECT_GT(reverified->certificate_serial, first_serial);
}

INSTANTIATE_TEST_SUITE_P(
    Backends,
    ApproveTest,
    ::testing::Values("sqlite", "postgres"),
    [](const auto& param_info) { return std::string(param_info.param); }
);

}  // namespace
}  // namespace concord::app
