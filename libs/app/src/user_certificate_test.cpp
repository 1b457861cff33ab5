#include "concord/app/user_certificate.hpp"

#include <gtest/gtest.h>

#include "concord/federation/signed_json.hpp"

#include "approval_test_util.hpp"

namespace concord::app {
namespace {

using testing::kHourMs;
using testing::StoreTest;
using testing::T0;

UserCertificate Sample(const crypto::PublicKey& key) {
    UserCertificate c;
    c.node = "aa.central";
    c.serial = 3;
    c.user = "alice";
    c.name = "Alice Martin";
    c.roles = {Role::kApprover, Role::kOfficer};
    c.party = "AA";
    c.unit = "Cybercrime unit";
    c.public_key = key;
    c.not_before_ms = T0();
    c.not_after_ms = T0() + 24 * kHourMs;
    return c;
}

TEST(UserCertificate, SignsParsesAndVerifies) {
    ASSERT_TRUE(crypto::Initialize());
    auto node = crypto::SigningKey::Generate();
    auto user = crypto::SigningKey::Generate();
    auto text = SignUserCertificate(Sample(user.PublicKey()), node);
    ASSERT_TRUE(text) << text.error().ToString();
    auto parsed = ParseUserCertificate(*text);
    ASSERT_TRUE(parsed) << parsed.error().ToString();
    const UserCertificate& c = parsed->certificate;
    EXPECT_EQ(c.node, "aa.central");
    EXPECT_EQ(c.serial, 3);
    EXPECT_EQ(c.name, "Alice Martin");
    // Roles are listed in the order of kAllRoles, whatever order they were given in.
    ASSERT_EQ(c.roles.size(), 2u);
    EXPECT_EQ(c.roles[0], Role::kOfficer);
    EXPECT_EQ(c.unit, "Cybercrime unit");
    EXPECT_EQ(c.public_key, user.PublicKey());
    EXPECT_EQ(parsed->issuer_key, node.PublicKey());
    EXPECT_TRUE(c.ValidAt(T0()));
    EXPECT_FALSE(c.ValidAt(T0() + 24 * kHourMs));
    EXPECT_FALSE(c.ValidAt(T0() - 1));
    EXPECT_TRUE(VerifyUserCertificateSignature(*parsed, node.PublicKey()));
    auto other = VerifyUserCertificateSignature(*parsed, user.PublicKey());
    ASSERT_FALSE(other);
    EXPECT_EQ(other.error().code, ErrorCode::kUnauthenticated);
    // The signature covers the content under its own domain.
    EXPECT_TRUE(federation::VerifyObject(parsed->object, kUserCertificateDomain));
    EXPECT_FALSE(federation::VerifyObject(parsed->object, "concord-envelope-v1"));
}

TEST(UserCertificate, SigningRefusesContentThatBreaksTheRules) {
    ASSERT_TRUE(crypto::Initialize());
    auto node = crypto::SigningKey::Generate();
    const auto key = crypto::SigningKey::Generate().PublicKey();
    std::vector<std::pair<std::string, UserCertificate>> bad;
    auto with = [&](std::string what, auto change) {
        UserCertificate c = Sample(key);
        change(c);
        bad.emplace_back(std::move(what), std::move(c));
    };
    with("node", [](UserCertificate& c) { c.node = "AA Central"; });
    with("serial", [](UserCertificate& c) { c.serial = 0; });
    with("user", [](UserCertificate& c) { c.user = "a b"; });
    with("name", [](UserCertificate& c) { c.name = ""; });
    with("name", [](UserCertificate& c) { c.name = std::string(201, 'x'); });
    with("name", [](UserCertificate& c) { c.name = "tab\there"; });
    with("roles", [](UserCertificate& c) { c.roles.clear(); });
    with("party", [](UserCertificate& c) { c.party = ""; });
    with("unit", [](UserCertificate& c) { c.unit = std::string(201, 'u'); });
    with("not_after", [](UserCertificate& c) { c.not_after_ms = c.not_before_ms; });
    for (const auto& [what, c] : bad) {
        auto text = SignUserCertificate(c, node);
        ASSERT_FALSE(text) << what;
        EXPECT_EQ(text.error().code, ErrorCode::kInvalidArgument);
        EXPECT_NE(text.error().message.find(what), std::string::npos) << text.error().message;
    }
}

TEST(UserCertificate, ParsingRefusesWhatIsNotACertificate) {
    ASSERT_TRUE(crypto::Initialize());
    auto node = crypto::SigningKey::Generate();
    const std::string good =
        SignUserCertificate(Sample(crypto::SigningKey::Generate().PublicKey()), node).value();
    auto object = federation::ParseObject(good).value();
    auto refused = [&](boost::json::object o, std::string_view what) {
        auto parsed = ParseUserCertificate(o);
        ASSERT_FALSE(parsed) << what;
        EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
        EXPECT_NE(parsed.error().message.find(what), std::string::npos) << parsed.error().message;
    };
    auto changed = [&](std::string_view member, boost::json::value value) {
        auto o = object;
        o[member] = std::move(value);
        return o;
    };
    auto without = [&](std::string_view member) {
        auto o = object;
        o.erase(member);
        return o;
    };
    refused(changed("extra", 1), "extra");
    refused(changed("v", 2), "'v'");
    refused(changed("kind", "approval"), "'kind'");
    refused(changed("roles", boost::json::array{"approver", "approver"}), "twice");
    refused(changed("roles", boost::json::array{"judge"}), "unknown role");
    refused(changed("roles", boost::json::array{1}), "roles");
    refused(changed("not_before", "2026-11-29T10:00:00Z"), "not_before");
    refused(changed("not_after", "2026-11-29T11:00:00.000+01:00"), "not_after");
    refused(changed("serial", 1e300), "serial");
    refused(changed("public_key", "AAAA"), "public_key");
    refused(changed("authority", boost::json::object{{"party", "AA"}}), "unit");
    refused(
        changed("authority", boost::json::object{{"party", "AA"}, {"unit", ""}, {"x", 1}}), "'x'"
    );
    for (const char* member : {"node", "user", "name", "public_key", "key", "sig", "not_after"}) {
        refused(without(member), member);
    }
    auto large = ParseUserCertificate(std::string(kMaxCertificateBytes + 1, ' '));
    ASSERT_FALSE(large);
    EXPECT_NE(large.error().message.find("larger"), std::string::npos);
}

CertifierOptions Options(std::string node_id, std::string party) {
    CertifierOptions options;
    options.node_id = std::move(node_id);
    options.party = std::move(party);
    return options;
}

class UserCertifierTest : public StoreTest {
protected:
    void SetUp() override {
        StoreTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        auto certifier = UserCertifier::Create(node_key_, Options("aa.central", "AA"));
        ASSERT_TRUE(certifier) << certifier.error().ToString();
        certifier_.emplace(std::move(*certifier));
    }

    crypto::SigningKey node_key_ = crypto::SigningKey::Generate();
    crypto::PublicKey user_key_ = crypto::SigningKey::Generate().PublicKey();
    CertifiedUser alice_{"alice", "Alice Martin", {Role::kApprover}, "Cybercrime unit"};
    std::optional<UserCertifier> certifier_;
};

TEST_P(UserCertifierTest, IssuesSignedCertificatesWithIncreasingSerials) {
    auto tx = Begin();
    auto first = certifier_->Issue(*tx, alice_, user_key_, T0());
    ASSERT_TRUE(first) << first.error().ToString();
    auto second = certifier_->Issue(*tx, alice_, user_key_, T0() + 1);
    ASSERT_TRUE(second);
    EXPECT_GT(second->certificate.serial, first->certificate.serial);
    auto parsed = ParseUserCertificate(first->text);
    ASSERT_TRUE(parsed);
    EXPECT_TRUE(VerifyUserCertificateSignature(*parsed, node_key_.PublicKey()));
    EXPECT_EQ(parsed->certificate.serial, first->certificate.serial);
    EXPECT_EQ(parsed->certificate.node, "aa.central");
    EXPECT_EQ(parsed->certificate.party, "AA");
    EXPECT_EQ(parsed->certificate.not_after_ms - parsed->certificate.not_before_ms, 24 * kHourMs);
    EXPECT_FALSE(certifier_->IsRevoked(*tx, first->certificate.serial).value());
    auto none = certifier_->IsRevoked(*tx, 999);
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().code, ErrorCode::kNotFound);
}

TEST_P(UserCertifierTest, CertificateForReusesRenewsAndReissuesOnChange) {
    auto tx = Begin();
    auto issued = certifier_->CertificateFor(*tx, alice_, user_key_, T0()).value();
    // Within the first half of its validity: the same certificate.
    auto reused = certifier_->CertificateFor(*tx, alice_, user_key_, T0() + 11 * kHourMs).value();
    EXPECT_EQ(reused.certificate.serial, issued.certificate.serial);
    EXPECT_EQ(reused.text, issued.text);
    // Less than renew_before (12 h) left: a new one; the old one is not revoked (it says the
    // truth and expires by itself).
    auto renewed = certifier_->CertificateFor(*tx, alice_, user_key_, T0() + 13 * kHourMs).value();
    EXPECT_GT(renewed.certificate.serial, issued.certificate.serial);
    EXPECT_FALSE(certifier_->IsRevoked(*tx, issued.certificate.serial).value());

    // Alice loses the approver role: the certificates naming it are revoked, a new one issued.
    CertifiedUser officer = alice_;
    officer.roles = {Role::kOfficer};
    auto changed = certifier_->CertificateFor(*tx, officer, user_key_, T0() + 14 * kHourMs).value();
    EXPECT_FALSE(changed.certificate.Has(Role::kApprover));
    EXPECT_TRUE(certifier_->IsRevoked(*tx, issued.certificate.serial).value());
    EXPECT_TRUE(certifier_->IsRevoked(*tx, renewed.certificate.serial).value());
    EXPECT_FALSE(certifier_->IsRevoked(*tx, changed.certificate.serial).value());

    // A new key also makes a new certificate.
    auto new_key = crypto::SigningKey::Generate().PublicKey();
    auto rekeyed = certifier_->CertificateFor(*tx, officer, new_key, T0() + 14 * kHourMs).value();
    EXPECT_EQ(rekeyed.certificate.public_key, new_key);
    EXPECT_TRUE(certifier_->IsRevoked(*tx, changed.certificate.serial).value());
}

TEST_P(UserCertifierTest, RevokingAUserRevokesAllTheirCertificatesAndListsThem) {
    auto tx = Begin();
    auto a = certifier_->Issue(*tx, alice_, user_key_, T0()).value();
    CertifiedUser bob{"bob", "Bob", {Role::kApprover}, ""};
    auto b = certifier_->Issue(*tx, bob, user_key_, T0()).value();
    auto revoked = certifier_->RevokeUser(*tx, "alice", T0() + kHourMs);
    ASSERT_TRUE(revoked);
    EXPECT_EQ(*revoked, 1);
    EXPECT_TRUE(certifier_->IsRevoked(*tx, a.certificate.serial).value());
    EXPECT_FALSE(certifier_->IsRevoked(*tx, b.certificate.serial).value());
    ASSERT_TRUE(tx->Commit());

    tx = Begin();
    auto list = certifier_->RevocationList(*tx, T0() + 2 * kHourMs).value();
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(list[0].serial, a.certificate.serial);
    EXPECT_EQ(list[0].user, "alice");
    EXPECT_EQ(list[0].revoked_ms, T0() + kHourMs);
    // An expired certificate leaves the list.
    EXPECT_TRUE(certifier_->RevocationList(*tx, T0() + 25 * kHourMs).value().empty());
    // A revoked user's next certificate is a new one.
    auto next = certifier_->CertificateFor(*tx, alice_, user_key_, T0() + 2 * kHourMs).value();
    EXPECT_GT(next.certificate.serial, b.certificate.serial);
}

TEST_P(UserCertifierTest, RefusesBadOptionsAndUsers) {
    EXPECT_FALSE(UserCertifier::Create(node_key_, Options("Not An Id", "AA")));
    EXPECT_FALSE(UserCertifier::Create(node_key_, Options("aa.central", "")));
    CertifierOptions long_lived = Options("aa.central", "AA");
    long_lived.validity = std::chrono::hours(24 * 8);
    EXPECT_FALSE(UserCertifier::Create(node_key_, long_lived));
    CertifierOptions renew_all = Options("aa.central", "AA");
    renew_all.renew_before = renew_all.validity;
    EXPECT_FALSE(UserCertifier::Create(node_key_, renew_all));

    auto tx = Begin();
    CertifiedUser nameless = alice_;
    nameless.name = "";
    auto refused = certifier_->CertificateFor(*tx, nameless, user_key_, T0());
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
    auto rows = tx->Query("SELECT COUNT(*) FROM app_user_certificates");
    ASSERT_TRUE(rows);
    EXPECT_EQ(rows->front().Int(0), 0) << "a refused certificate took a row";
}

INSTANTIATE_TEST_SUITE_P(
    Backends,
    UserCertifierTest,
    ::testing::Values("sqlite", "postgres"),
    [](const auto& param_info) { return std::string(param_info.param); }
);

}  // namespace
}  // namespace concord::app
