// Users, sign-in, sessions and personal tokens, on both store backends.

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <random>
#include <set>
#include <vector>

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "concord/app/sessions.hpp"
#include "concord/app/tokens.hpp"
#include "concord/app/totp.hpp"
#include "concord/app/users.hpp"
#include "concord/crypto/init.hpp"
#include "concord/crypto/random.hpp"
#include "concord/crypto/sha256.hpp"
#include "concord/store/testing/pg_test.hpp"

namespace concord::app {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

constexpr std::int64_t kStart = 1'800'000'000'000;  // a fixed Unix time in ms

std::int64_t Ms(std::chrono::milliseconds d) {
    return d.count();
}

class PeopleTest : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        ASSERT_TRUE(crypto::Initialize());
        dir_ = std::filesystem::temp_directory_path() /
               ("concord-people-" + std::to_string(std::random_device{}()));
        std::filesystem::create_directories(dir_);
        std::string url = "sqlite:" + (dir_ / "people.db").string();
        if (GetParam() == "postgres") {
            CONCORD_FRESH_PG_DSN_OR_SKIP(dsn);
            url = dsn;
        }
        auto store = store::Store::Open(url);
        ASSERT_TRUE(store) << store.error().ToString();
        store_ = std::move(*store);
        auto migrations = PeopleMigrations();
        migrations.push_back(store::Migration{
            "test_audit",
            1,
            "CREATE TABLE test_audit (n INTEGER PRIMARY KEY, leaf TEXT NOT NULL)",
            "CREATE TABLE test_audit (n BIGSERIAL PRIMARY KEY, leaf TEXT NOT NULL)"});
        ASSERT_TRUE(store_->Migrate(migrations));
        seed_ = crypto::SecretBytes::CopyFrom(crypto::RandomBytes(32));
        users_ = MakeUsers(seed_);
        auto sessions = Sessions::Create(*users_);
        ASSERT_TRUE(sessions);
        sessions_ = std::move(*sessions);
        tokens_ = std::make_unique<ApiTokens>(*users_);
    }
    void TearDown() override {
        tokens_.reset();
        sessions_.reset();
        users_.reset();
        store_.reset();
        std::filesystem::remove_all(dir_);
    }

    std::unique_ptr<Users> MakeUsers(const crypto::SecretBytes& seed) {
        PeopleOptions options;
        options.argon2 = crypto::MinimumArgon2Params();
        options.totp_issuer = "fr.central";
        options.now_ms = [this] { return now_.load(); };
        // The leaf goes into a table of the same store, in the caller's transaction: a leaf is
        // kept exactly when the state change is.
        AuditAppender audit = [](store::Transaction& tx, const boost::json::object& leaf) {
            auto inserted = tx.Execute(
                "INSERT INTO test_audit (leaf) VALUES ($1)", {boost::json::serialize(leaf)}
            );
            return inserted ? Result<void>() : Result<void>(inserted.error());
        };
        auto users = Users::Create(*store_, seed, audit, options);
        EXPECT_TRUE(users);
        return users ? std::move(*users) : nullptr;
    }

    std::vector<std::string> Leaves() {
        auto tx = store_->Begin();
        EXPECT_TRUE(tx);
        auto rows = (*tx)->Query("SELECT leaf FROM test_audit ORDER BY n");
        EXPECT_TRUE(rows);
        std::vector<std::string> out;
        for (const auto& r : *rows) {
            out.push_back(r.Text(0));
        }
        return out;
    }
    std::vector<std::string> LeavesWith(std::string_view event) {
        std::vector<std::string> out;
        for (auto& leaf : Leaves()) {
            if (leaf.find("\"event\":\"" + std::string(event) + "\"") != std::string::npos) {
                out.push_back(leaf);
            }
        }
        return out;
    }

    static Actor Admin() {
        Actor a;
        a.kind = Actor::Kind::kUser;
        a.user_id = "root";
        a.roles = {Role::kAdministrator};
        return a;
    }

    Enrolment AddUser(const std::string& login, std::vector<Role> roles = {Role::kOfficer}) {
        auto added = users_->Add(Actor::Node(), NewUser{login, "Alice Martin", "cyber", roles});
        EXPECT_TRUE(added) << added.error().message;
        return added ? *added : Enrolment{};
    }

    std::string Code(const Enrolment& e, std::int64_t at_ms) {
        auto secret = Base32Decode(e.totp_secret);
        EXPECT_TRUE(secret);
        auto code = TotpCode(*secret, at_ms / 1000);
        EXPECT_TRUE(code);
        return code ? *code : "";
    }
    std::string Code(const Enrolment& e) { return Code(e, now_.load()); }
    // A six-digit code that matches no step of the window around now.
    std::string WrongCode(const Enrolment& e) {
        const std::set<std::string> valid = {
            Code(e, now_ - 30'000), Code(e), Code(e, now_ + 30'000)};
        for (int n = 0;; ++n) {
            std::string code = std::to_string(100000 + n);
            if (!valid.contains(code)) {
                return code;
            }
        }
    }

    std::int64_t Count(const std::string& sql) {
        auto tx = store_->Begin();
        auto rows = (*tx)->Query(sql);
        EXPECT_TRUE(rows) << rows.error().message;
        return rows ? (*rows)[0].Int(0) : -1;
    }

    void Advance(std::chrono::milliseconds by) { now_ += by.count(); }

    std::filesystem::path dir_;
    std::unique_ptr<store::Store> store_;
    crypto::SecretBytes seed_;
    std::atomic<std::int64_t> now_{kStart};
    std::unique_ptr<Users> users_;
    std::unique_ptr<Sessions> sessions_;
    std::unique_ptr<ApiTokens> tokens_;
};

TEST_P(PeopleTest, AddStoresAnArgon2HashAndASealedSecretOnly) {
    const Enrolment e = AddUser("alice");
    EXPECT_EQ(e.password.size(), 24u);
    EXPECT_TRUE(e.otpauth_uri.starts_with("otpauth://totp/fr.central:alice?secret=" + e.totp_secret)
    );
    EXPECT_TRUE(e.qr_svg.starts_with("<svg "));
    EXPECT_FALSE(e.qr_terminal.empty());
    auto tx = store_->Begin();
    auto rows = (*tx)->Query("SELECT password_hash, totp_sealed FROM people_users");
    ASSERT_TRUE(rows);
    ASSERT_EQ(rows->size(), 1u);
    const std::string hash = (*rows)[0].Text(0);
    EXPECT_TRUE(hash.starts_with("$argon2id$"));
    EXPECT_EQ(hash.find(e.password), std::string::npos);
    const Bytes sealed = (*rows)[0].Blob(1);
    const Bytes secret = *Base32Decode(e.totp_secret);
    EXPECT_EQ(
        std::search(sealed.begin(), sealed.end(), secret.begin(), secret.end()), sealed.end()
    );
    tx->reset();
    // Sealed under this node's key and for this login only.
    auto opened = users_->OpenTotpSecret("alice", sealed);
    ASSERT_TRUE(opened);
    EXPECT_EQ(Bytes(opened->Data(), opened->Data() + opened->Size()), secret);
    EXPECT_EQ(users_->OpenTotpSecret("bob", sealed).error().code, ErrorCode::kUnauthenticated);
    auto other = MakeUsers(crypto::SecretBytes::CopyFrom(crypto::RandomBytes(32)));
    EXPECT_EQ(other->OpenTotpSecret("alice", sealed).error().code, ErrorCode::kUnauthenticated);
    const auto added = LeavesWith("user.added");
    ASSERT_EQ(added.size(), 1u);
    EXPECT_NE(added[0].find("\"actor\":\"node\""), std::string::npos);
    EXPECT_NE(added[0].find("\"login\":\"alice\""), std::string::npos);
}

TEST_P(PeopleTest, AddRefusesBadFieldsDuplicatesAndNonAdministratorsChangingNothing) {
    AddUser("alice");
    const auto before = Leaves().size();
    const std::vector<NewUser> bad = {
        {"", "A", "cyber", {Role::kOfficer}},
        {"Alice", "A", "cyber", {Role::kOfficer}},
        {"-alice", "A", "cyber", {Role::kOfficer}},
        {std::string(65, 'a'), "A", "cyber", {Role::kOfficer}},
        {"bob", "", "cyber", {Role::kOfficer}},
        {"bob", "A\nB", "cyber", {Role::kOfficer}},
        {"bob", "A", "Cyber Unit", {Role::kOfficer}},
        {"bob", "A", "cyber", {}},
        {"bob", "A", "cyber", {Role::kOfficer, Role::kOfficer}},
    };
    for (const NewUser& u : bad) {
        auto added = users_->Add(Actor::Node(), u);
        ASSERT_FALSE(added) << u.login;
        EXPECT_EQ(added.error().code, ErrorCode::kInvalidArgument) << u.login;
    }
    EXPECT_EQ(
        users_->Add(Actor::Node(), {"alice", "A", "cyber", {Role::kOfficer}}).error().code,
        ErrorCode::kAlreadyExists
    );
    Actor officer = Admin();
    officer.roles = {Role::kOfficer, Role::kApprover};
    EXPECT_EQ(
        users_->Add(officer, {"bob", "B", "cyber", {Role::kOfficer}}).error().code,
        ErrorCode::kPermissionDenied
    );
    EXPECT_EQ(users_->List(officer).error().code, ErrorCode::kPermissionDenied);
    EXPECT_EQ(users_->Disable(officer, "alice").error().code, ErrorCode::kPermissionDenied);
    EXPECT_EQ(users_->ResetPassword(officer, "alice").error().code, ErrorCode::kPermissionDenied);
    EXPECT_EQ(users_->ResetTotp(officer, "alice").error().code, ErrorCode::kPermissionDenied);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM people_users"), 1);
    EXPECT_EQ(Leaves().size(), before);
    // An administrator may.
    EXPECT_TRUE(users_->Add(Admin(), {"bob", "Bob", "legal", {Role::kApprover, Role::kOfficer}}));
    auto list = users_->List(Admin());
    ASSERT_TRUE(list);
    ASSERT_EQ(list->size(), 2u);
    EXPECT_EQ((*list)[1].login, "bob");
    EXPECT_EQ((*list)[1].roles, (std::vector<Role>{Role::kApprover, Role::kOfficer}));
    EXPECT_NE(LeavesWith("user.added")[1].find("\"actor\":\"user:root\""), std::string::npos);
    EXPECT_EQ(users_->Get(Admin(), "carol").error().code, ErrorCode::kNotFound);
    EXPECT_EQ(users_->Disable(Admin(), "carol").error().code, ErrorCode::kNotFound);
}

TEST_P(PeopleTest, LoginWithPasswordAndCodeOpensASessionStoredAsItsHash) {
    const Enrolment e = AddUser("alice", {Role::kOfficer, Role::kApprover});
    auto session = sessions_->Login("alice", e.password, Code(e));
    ASSERT_TRUE(session) << session.error().message;
    EXPECT_EQ(session->token.size(), 64u);
    EXPECT_EQ(session->actor.Label(), "user:alice");
    EXPECT_EQ(session->actor.unit, "cyber");
    EXPECT_EQ(session->expires_ms, kStart + Ms(hours(12)));
    EXPECT_EQ(session->idle_expires_ms, kStart + Ms(minutes(15)));
    EXPECT_TRUE(Sessions::CheckCsrf(session->token, session->csrf_token));
    EXPECT_FALSE(Sessions::CheckCsrf(session->token, ""));
    EXPECT_FALSE(Sessions::CheckCsrf(session->token, std::string(64, '0')));
    // Only the SHA-256 of the token is stored.
    const crypto::Hash256 digest = crypto::Sha256(AsBytes(session->token));
    EXPECT_EQ(
        Count(
            "SELECT COUNT(*) FROM people_sessions WHERE token_sha256 = " +
            std::string(GetParam() == "postgres" ? "'\\x" : "x'") + HexEncode(digest) + "'"
        ),
        1
    );
    auto info = sessions_->Authenticate(session->token);
    ASSERT_TRUE(info) << info.error().message;
    EXPECT_EQ(info->actor.Label(), "user:alice");
    EXPECT_EQ(info->actor.roles, (std::vector<Role>{Role::kOfficer, Role::kApprover}));
    EXPECT_EQ(info->csrf_token, session->csrf_token);
    EXPECT_EQ(
        sessions_->Authenticate(std::string(64, 'a')).error().code, ErrorCode::kUnauthenticated
    );
    EXPECT_EQ(sessions_->Authenticate("short").error().code, ErrorCode::kUnauthenticated);
    const auto logins = LeavesWith("session.login");
    ASSERT_EQ(logins.size(), 1u);
    EXPECT_NE(logins[0].find("\"actor\":\"user:alice\""), std::string::npos);
}

TEST_P(PeopleTest, EveryFailureGivesTheSameAnswer) {
    const Enrolment e = AddUser("alice");
    const Enrolment d = AddUser("dora");
    ASSERT_TRUE(users_->Disable(Actor::Node(), "dora"));
    std::vector<Error> errors;
    auto fail = [&](std::string_view login, std::string_view password, std::string_view code) {
        auto r = sessions_->Login(login, password, code);
        EXPECT_FALSE(r) << login;
        if (!r) {
            errors.push_back(r.error());
        }
    };
    fail("nobody", e.password, Code(e));      // unknown user
    fail("alice", "wrong", Code(e));          // wrong password
    fail("alice", e.password, WrongCode(e));  // wrong code
    fail("dora", d.password, Code(d));        // disabled
    for (const Error& error : errors) {
        EXPECT_EQ(error.code, ErrorCode::kUnauthenticated);
        EXPECT_EQ(error.message, "invalid credentials");
    }
    const auto failed = LeavesWith("session.login_failed");
    ASSERT_EQ(failed.size(), 4u);
    EXPECT_EQ(failed[0].find("nobody"), std::string::npos);  // an unknown login is not kept
    EXPECT_NE(failed[0].find("unknown_user"), std::string::npos);
    EXPECT_NE(failed[1].find("\"reason\":\"password\""), std::string::npos);
    EXPECT_NE(failed[2].find("\"reason\":\"code\""), std::string::npos);
    EXPECT_NE(failed[3].find("\"reason\":\"disabled\""), std::string::npos);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM people_sessions"), 0);
}

TEST_P(PeopleTest, ACodeIsAcceptedOnceOnly) {
    const Enrolment e = AddUser("alice");
    const std::string code = Code(e);
    ASSERT_TRUE(sessions_->Login("alice", e.password, code));
    EXPECT_FALSE(sessions_->Login("alice", e.password, code));
    // Nor the code of the previous step, still inside the window.
    EXPECT_FALSE(sessions_->Login("alice", e.password, Code(e, now_ - 30'000)));
    Advance(std::chrono::seconds(30));
    EXPECT_TRUE(sessions_->Login("alice", e.password, Code(e)));
}

TEST_P(PeopleTest, SignInsBeyondTheConcurrentCheckLimitAreRefusedChangingNothing) {
    const Enrolment e = AddUser("alice");
    auto& limit = sessions_->PasswordChecks();
    ASSERT_EQ(limit.Slots(), 2);  // PeopleOptions' default
    std::vector<ConcurrencyLimit::Slot> held;
    while (auto slot = limit.TryEnter()) {
        held.push_back(std::move(*slot));
    }
    const std::size_t leaves = Leaves().size();
    for (int i = 0; i < 10; ++i) {  // more than max_failed_logins: none counts as a failure
        auto busy = sessions_->Login("alice", "wrong", Code(e));
        ASSERT_FALSE(busy);
        EXPECT_EQ(busy.error().code, ErrorCode::kUnavailable);
    }
    EXPECT_EQ(Leaves().size(), leaves);
    EXPECT_EQ(users_->Get(Actor::Node(), "alice")->failed_attempts, 0);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM people_sessions"), 0);
    held.pop_back();
    EXPECT_TRUE(sessions_->Login("alice", e.password, Code(e)));
    EXPECT_EQ(limit.InUse(), 1);  // the sign-in gave its slot back
}

TEST_P(PeopleTest, AUserChangesTheirPasswordProvingItAgainAndEverySessionEnds) {
    const Enrolment e = AddUser("alice");
    auto first = sessions_->Login("alice", e.password, Code(e));
    ASSERT_TRUE(first);
    Advance(std::chrono::seconds(30));
    auto second = sessions_->Login("alice", e.password, Code(e));
    ASSERT_TRUE(second);
    Advance(std::chrono::seconds(30));
    const std::string next = "correct horse battery staple";
    ASSERT_TRUE(sessions_->ChangePassword(first->token, e.password, Code(e), next));
    EXPECT_FALSE(sessions_->Authenticate(first->token));
    EXPECT_FALSE(sessions_->Authenticate(second->token));
    const auto changed = LeavesWith("user.password_changed");
    ASSERT_EQ(changed.size(), 1u);
    EXPECT_EQ(changed[0].find(next), std::string::npos);
    EXPECT_EQ(changed[0].find(e.password), std::string::npos);
    Advance(std::chrono::seconds(30));
    EXPECT_FALSE(sessions_->Login("alice", e.password, Code(e)));
    Advance(std::chrono::seconds(30));
    EXPECT_TRUE(sessions_->Login("alice", next, Code(e)));
}

TEST_P(PeopleTest, ABadNewPasswordOrWrongCredentialsChangeNothing) {
    const Enrolment e = AddUser("alice");
    auto session = sessions_->Login("alice", e.password, Code(e));
    ASSERT_TRUE(session);
    const std::string hash = [&] {
        auto tx = store_->Begin();
        return (*(*tx)->Query("SELECT password_hash FROM people_users WHERE login = 'alice'"))[0]
            .Text(0);
    }();
    const std::size_t leaves = Leaves().size();
    for (const std::string& bad :
         {std::string("short"),
          std::string("alicealicealice").substr(0, 5),
          std::string("twelve chars\x01 with a control"),
          std::string("\xff\xfe not utf-8 at all"),
          std::string(1025, 'x'),
          e.password}) {
        Advance(std::chrono::seconds(30));
        auto r = sessions_->ChangePassword(session->token, e.password, Code(e), bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << bad;
    }
    EXPECT_EQ(Leaves().size(), leaves);
    // Wrong current password: refused like a failed sign-in, and counted.
    Advance(std::chrono::seconds(30));
    auto wrong = sessions_->ChangePassword(
        session->token, "not the password", Code(e), "a perfectly good new one"
    );
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().code, ErrorCode::kUnauthenticated);
    EXPECT_EQ(LeavesWith("user.password_change_failed").size(), 1u);
    EXPECT_EQ(users_->Get(Actor::Node(), "alice")->failed_attempts, 1);
    // No session: refused before anything else.
    auto none = sessions_->ChangePassword(
        std::string(64, 'a'), e.password, Code(e), "a perfectly good new one"
    );
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().code, ErrorCode::kUnauthenticated);
    {
        auto tx = store_->Begin();
        EXPECT_EQ(
            (*(*tx)->Query("SELECT password_hash FROM people_users WHERE login = 'alice'"))[0].Text(
                0
            ),
            hash
        );
    }
    EXPECT_TRUE(sessions_->Authenticate(session->token));
}

TEST_P(PeopleTest, FiveFailuresLockTheAccountForFifteenMinutes) {
    const Enrolment e = AddUser("alice");
    for (int i = 0; i < 4; ++i) {
        EXPECT_FALSE(sessions_->Login("alice", "wrong", Code(e)));
    }
    EXPECT_EQ(users_->Get(Actor::Node(), "alice")->failed_attempts, 4);
    EXPECT_TRUE(LeavesWith("user.locked").empty());
    EXPECT_FALSE(sessions_->Login("alice", e.password, WrongCode(e)));
    const auto locked = LeavesWith("user.locked");
    ASSERT_EQ(locked.size(), 1u);
    EXPECT_EQ(users_->Get(Actor::Node(), "alice")->locked_until_ms, kStart + Ms(minutes(15)));
    // Locked: the right password and code are refused, with the same answer.
    auto refused = sessions_->Login("alice", e.password, Code(e));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().message, "invalid credentials");
    Advance(minutes(14));
    EXPECT_FALSE(sessions_->Login("alice", e.password, Code(e)));
    Advance(minutes(1));
    EXPECT_TRUE(sessions_->Login("alice", e.password, Code(e)));
    EXPECT_EQ(users_->Get(Actor::Node(), "alice")->failed_attempts, 0);
}

TEST_P(PeopleTest, ASessionEndsAfterFifteenIdleMinutesOrTwelveHours) {
    const Enrolment e = AddUser("alice");
    auto idle = sessions_->Login("alice", e.password, Code(e));
    ASSERT_TRUE(idle);
    Advance(minutes(14));
    ASSERT_TRUE(sessions_->Authenticate(idle->token));  // used: the idle limit restarts
    Advance(minutes(14));
    ASSERT_TRUE(sessions_->Authenticate(idle->token));
    Advance(minutes(15));
    EXPECT_EQ(sessions_->Authenticate(idle->token).error().code, ErrorCode::kUnauthenticated);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM people_sessions"), 0);  // deleted

    Advance(std::chrono::seconds(30));
    auto busy = sessions_->Login("alice", e.password, Code(e));
    ASSERT_TRUE(busy);
    const std::int64_t opened = now_;
    while (now_ + Ms(minutes(10)) < opened + Ms(hours(12))) {
        Advance(minutes(10));
        ASSERT_TRUE(sessions_->Authenticate(busy->token));
    }
    Advance(minutes(10));
    EXPECT_FALSE(sessions_->Authenticate(busy->token));
}

TEST_P(PeopleTest, LogoutEndsTheSession) {
    const Enrolment e = AddUser("alice");
    auto session = sessions_->Login("alice", e.password, Code(e));
    ASSERT_TRUE(session);
    ASSERT_TRUE(sessions_->Logout(session->token));
    EXPECT_FALSE(sessions_->Authenticate(session->token));
    EXPECT_EQ(sessions_->Logout(session->token).error().code, ErrorCode::kUnauthenticated);
    const auto out = LeavesWith("session.logout");
    ASSERT_EQ(out.size(), 1u);
    EXPECT_NE(out[0].find("\"actor\":\"user:alice\""), std::string::npos);
}

TEST_P(PeopleTest, ResetsReplaceTheCredentialAndEndSessions) {
    const Enrolment e = AddUser("alice");
    for (int i = 0; i < 5; ++i) {
        EXPECT_FALSE(sessions_->Login("alice", "wrong", Code(e)));
    }
    auto reset = users_->ResetPassword(Admin(), "alice");
    ASSERT_TRUE(reset);
    EXPECT_NE(reset->password, e.password);
    EXPECT_TRUE(reset->totp_secret.empty());
    EXPECT_FALSE(sessions_->Login("alice", e.password, Code(e)));
    auto session = sessions_->Login("alice", reset->password, Code(e));  // lock cleared
    ASSERT_TRUE(session);

    auto totp = users_->ResetTotp(Admin(), "alice");
    ASSERT_TRUE(totp);
    EXPECT_NE(totp->totp_secret, e.totp_secret);
    EXPECT_TRUE(totp->password.empty());
    EXPECT_FALSE(sessions_->Authenticate(session->token));  // sessions ended
    Advance(std::chrono::seconds(30));
    EXPECT_FALSE(sessions_->Login("alice", reset->password, Code(e)));
    EXPECT_TRUE(sessions_->Login("alice", reset->password, Code(*totp)));
    EXPECT_EQ(LeavesWith("user.password_reset").size(), 1u);
    EXPECT_EQ(LeavesWith("user.totp_reset").size(), 1u);
}

TEST_P(PeopleTest, PersonalTokensAreScopedExpiringRevocableAndRecordTheirUse) {
    const Enrolment e = AddUser("alice", {Role::kOfficer, Role::kApprover});
    auto session = sessions_->Login("alice", e.password, Code(e));
    ASSERT_TRUE(session);
    const Actor alice = session->actor;
    auto created = tokens_->Create(alice, {"case system", {Role::kOfficer}, hours(24)});
    ASSERT_TRUE(created) << created.error().message;
    EXPECT_TRUE(ApiTokens::LooksLikeToken(created->token));
    EXPECT_EQ(created->info.expires_ms, kStart + Ms(hours(24)));
    EXPECT_EQ(Count("SELECT COUNT(*) FROM people_tokens WHERE last_used_ms IS NULL"), 1);

    auto actor = tokens_->Authenticate(created->token, "GET /api/v1/messages");
    ASSERT_TRUE(actor) << actor.error().message;
    EXPECT_EQ(actor->Label(), "user:alice");
    EXPECT_EQ(actor->roles, std::vector<Role>{Role::kOfficer});  // the token's scope only
    const auto used = LeavesWith("token.used");
    ASSERT_EQ(used.size(), 1u);
    EXPECT_NE(used[0].find(created->info.id), std::string::npos);
    auto listed = tokens_->List(alice);
    ASSERT_TRUE(listed);
    ASSERT_EQ(listed->size(), 1u);
    EXPECT_EQ((*listed)[0].last_used_ms, kStart);

    // A scope wider than the creator's roles, bad names and lifetimes are refused.
    EXPECT_EQ(
        tokens_->Create(alice, {"x", {Role::kAdministrator}, hours(1)}).error().code,
        ErrorCode::kPermissionDenied
    );
    EXPECT_EQ(
        tokens_->Create(*actor, {"x", {Role::kApprover}, hours(1)}).error().code,
        ErrorCode::kPermissionDenied
    );
    EXPECT_EQ(
        tokens_->Create(alice, {"", {Role::kOfficer}, hours(1)}).error().code,
        ErrorCode::kInvalidArgument
    );
    EXPECT_EQ(
        tokens_->Create(alice, {"x", {}, hours(1)}).error().code, ErrorCode::kInvalidArgument
    );
    EXPECT_EQ(
        tokens_->Create(alice, {"x", {Role::kOfficer}, hours(24 * 400)}).error().code,
        ErrorCode::kInvalidArgument
    );
    EXPECT_EQ(
        tokens_->Create(Actor::Node(), {"x", {Role::kOfficer}, hours(1)}).error().code,
        ErrorCode::kPermissionDenied
    );

    // Another user can neither see nor revoke it; its owner can.
    const Enrolment b = AddUser("bob");
    auto bob = sessions_->Login("bob", b.password, Code(b));
    ASSERT_TRUE(bob);
    EXPECT_TRUE(tokens_->List(bob->actor)->empty());
    EXPECT_EQ(tokens_->Revoke(bob->actor, created->info.id).error().code, ErrorCode::kNotFound);
    ASSERT_TRUE(tokens_->Revoke(alice, created->info.id));
    EXPECT_EQ(tokens_->Revoke(alice, created->info.id).error().code, ErrorCode::kNotFound);
    EXPECT_EQ(
        tokens_->Authenticate(created->token, "GET /x").error().code, ErrorCode::kUnauthenticated
    );
    EXPECT_EQ(LeavesWith("token.created").size(), 1u);
    EXPECT_EQ(LeavesWith("token.revoked").size(), 1u);

    // Expiry.
    auto short_lived = tokens_->Create(alice, {"short", {Role::kOfficer}, minutes(1)});
    ASSERT_TRUE(short_lived);
    EXPECT_TRUE(tokens_->Authenticate(short_lived->token, "GET /x"));
    Advance(minutes(1));
    EXPECT_FALSE(tokens_->Authenticate(short_lived->token, "GET /x"));
    EXPECT_FALSE(tokens_->Authenticate("cpt_" + std::string(64, '0'), "GET /x"));
    EXPECT_FALSE(tokens_->Authenticate("not a token", "GET /x"));
}

TEST_P(PeopleTest, DisablingAUserEndsSessionsAndTokensAndAnAdministratorMayRevokeAny) {
    const Enrolment e = AddUser("alice");
    auto session = sessions_->Login("alice", e.password, Code(e));
    ASSERT_TRUE(session);
    auto token = tokens_->Create(session->actor, {"cms", {Role::kOfficer}, hours(1)});
    auto other = tokens_->Create(session->actor, {"cms2", {Role::kOfficer}, hours(1)});
    ASSERT_TRUE(token && other);
    ASSERT_TRUE(tokens_->Revoke(Admin(), other->info.id));
    ASSERT_TRUE(users_->Disable(Admin(), "alice"));
    EXPECT_FALSE(sessions_->Authenticate(session->token));
    EXPECT_FALSE(tokens_->Authenticate(token->token, "GET /x"));
    EXPECT_TRUE(users_->Get(Admin(), "alice")->disabled);
    const auto disabled = LeavesWith("user.disabled");
    ASSERT_EQ(disabled.size(), 1u);
    // One token was active; the other had been revoked already.
    EXPECT_NE(disabled[0].find("\"tokens_revoked\":1"), std::string::npos) << disabled[0];
    // The administrator's view of every token shows both revoked, newest first.
    auto all = tokens_->ListAll(Admin(), 10);
    ASSERT_TRUE(all) << all.error().message;
    ASSERT_EQ(all->size(), 2u);
    EXPECT_EQ((*all)[0].id, other->info.id);
    EXPECT_EQ((*all)[0].login, "alice");
    EXPECT_TRUE((*all)[0].revoked_ms.has_value());
    EXPECT_TRUE((*all)[1].revoked_ms.has_value());
}

TEST_P(PeopleTest, EnablingAUserLetsThemSignInAgainButBringsNoTokenBack) {
    const Enrolment e = AddUser("alice");
    auto session = sessions_->Login("alice", e.password, Code(e));
    ASSERT_TRUE(session);
    auto token = tokens_->Create(session->actor, {"cms", {Role::kOfficer}, hours(1)});
    ASSERT_TRUE(token);
    // Enabling a user who is not disabled is refused and changes nothing.
    const std::size_t before = Leaves().size();
    EXPECT_EQ(users_->Enable(Admin(), "alice").error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(users_->Enable(Admin(), "carol").error().code, ErrorCode::kNotFound);
    Actor officer = session->actor;
    EXPECT_EQ(users_->Enable(officer, "alice").error().code, ErrorCode::kPermissionDenied);
    EXPECT_EQ(Leaves().size(), before);

    ASSERT_TRUE(users_->Disable(Admin(), "alice"));
    EXPECT_FALSE(sessions_->Login("alice", e.password, Code(e)));
    ASSERT_TRUE(users_->Enable(Admin(), "alice"));
    EXPECT_FALSE(users_->Get(Admin(), "alice")->disabled);
    const auto enabled = LeavesWith("user.enabled");
    ASSERT_EQ(enabled.size(), 1u);
    EXPECT_NE(enabled[0].find("\"actor\":\"user:root\""), std::string::npos) << enabled[0];
    // The token revoked by Disable stays revoked; the old session stays ended.
    EXPECT_FALSE(tokens_->Authenticate(token->token, "GET /x"));
    EXPECT_FALSE(sessions_->Authenticate(session->token));
    Advance(minutes(1));  // a fresh TOTP step, so the code is not a replay
    auto again = sessions_->Login("alice", e.password, Code(e));
    EXPECT_TRUE(again) << again.error().message;
}

TEST_P(PeopleTest, OnlyAnAdministratorListsEveryUsersTokensAndTheLimitHolds) {
    const Enrolment a = AddUser("alice");
    const Enrolment b = AddUser("bob");
    auto alice = sessions_->Login("alice", a.password, Code(a));
    auto bob = sessions_->Login("bob", b.password, Code(b));
    ASSERT_TRUE(alice && bob);
    ASSERT_TRUE(tokens_->Create(alice->actor, {"one", {Role::kOfficer}, hours(1)}));
    ASSERT_TRUE(tokens_->Create(bob->actor, {"two", {Role::kOfficer}, hours(1)}));
    auto newest = tokens_->Create(bob->actor, {"three", {Role::kOfficer}, hours(1)});
    ASSERT_TRUE(newest);
    EXPECT_EQ(tokens_->ListAll(alice->actor, 10).error().code, ErrorCode::kPermissionDenied);
    auto all = tokens_->ListAll(Admin(), 10);
    ASSERT_TRUE(all);
    ASSERT_EQ(all->size(), 3u);
    std::set<std::string> owners;
    for (const TokenInfo& t : *all) {
        owners.insert(t.login);
    }
    EXPECT_EQ(owners, (std::set<std::string>{"alice", "bob"}));
    auto two = tokens_->ListAll(Admin(), 2);
    ASSERT_TRUE(two);
    ASSERT_EQ(two->size(), 2u);
    EXPECT_EQ((*two)[0].id, newest->info.id);
}

TEST_P(PeopleTest, NoLeafCarriesASecret) {
    const Enrolment e = AddUser("alice");
    EXPECT_FALSE(sessions_->Login("alice", "wrong-password", "123456"));
    auto session = sessions_->Login("alice", e.password, Code(e));
    ASSERT_TRUE(session);
    auto token = tokens_->Create(session->actor, {"cms", {Role::kOfficer}, hours(1)});
    ASSERT_TRUE(token);
    ASSERT_TRUE(tokens_->Authenticate(token->token, "GET /x"));
    ASSERT_TRUE(sessions_->Logout(session->token));
    const auto leaves = Leaves();
    EXPECT_GE(leaves.size(), 6u);
    for (const std::string& leaf : leaves) {
        for (const std::string& secret :
             {e.password,
              e.totp_secret,
              session->token,
              session->csrf_token,
              token->token,
              std::string("wrong-password")}) {
            EXPECT_EQ(leaf.find(secret), std::string::npos) << leaf;
        }
    }
}

INSTANTIATE_TEST_SUITE_P(
    Backends,
    PeopleTest,
    ::testing::Values("sqlite", "postgres"),
    [](const auto& param_info) { return std::string(param_info.param); }
);

}  // namespace
}  // namespace concord::app
