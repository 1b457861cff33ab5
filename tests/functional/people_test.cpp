// People on a real concordd (issue 9 §2): an administrator adds users with `concord user add` on
// the node host while the node runs; a user signs in with password and a TOTP code computed from
// the enrolment secret; the session cookie works for reads, and for writes only with the CSRF
// token; a personal token acts with its scope only; five failures lock an account with the same
// answer as an unknown user.
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "concord/app/totp.hpp"
#include "concord/core/time.hpp"
#include "concord/server/testing/local_node.hpp"

#include "federation_harness.hpp"
#include <signal.h>
#include <sys/wait.h>

namespace concord::functional {
namespace {

struct CliRun {
    int status{-1};
    std::string out;
};

// Runs `concord ARGS...` to completion and returns its exit status and output.
CliRun RunConcord(const std::filesystem::path& dir, const std::vector<std::string>& args) {
    static int n = 0;
    const auto out = dir / ("cli-" + std::to_string(++n) + ".out");
    std::vector<std::string> argv = {ConcordPath().string()};
    argv.insert(argv.end(), args.begin(), args.end());
    CliRun run;
    auto pid = server::testing::SpawnProcess(argv, out, {});
    EXPECT_TRUE(pid) << pid.error().ToString();
    if (!pid) {
        return run;
    }
    int status = 0;
    ::waitpid(*pid, &status, 0);
    run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream in(out, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    run.out = text.str();
    return run;
}

// The value after "LABEL:" on its line of the CLI output.
std::string Field(const std::string& out, const std::string& label) {
    const auto at = out.find(label + ":");
    if (at == std::string::npos) {
        return "";
    }
    auto start = out.find_first_not_of(' ', at + label.size() + 1);
    return out.substr(start, out.find('\n', start) - start);
}

struct Enrolled {
    std::string password;
    Bytes secret;
};

class PeopleFunctionalTest : public ::testing::Test {
protected:
    void SetUp() override {
        fed_.AddNode("fr.central", "FR", "central_authority");
        ASSERT_TRUE(fed_.Create());
        // The cheapest Argon2id (sanitizer builds are slow); the limits stay at their defaults.
        ASSERT_TRUE(Node().SetConfig("people", "argon2_memory_kib", "8"));
        ASSERT_TRUE(Node().SetConfig("people", "argon2_passes", "1"));
        ASSERT_TRUE(fed_.StartAll());
        client_ = Node().NewClient();
    }

    TestNode& Node() { return fed_.Node(0); }
    std::string Config() { return (Node().Dir() / "config.toml").string(); }

    Enrolled AddUser(const std::string& login, const std::vector<std::string>& roles) {
        std::vector<std::string> args = {
            "user",
            "add",
            "--config",
            Config(),
            "--login",
            login,
            "--name",
            "Test " + login,
            "--unit",
            "cyber"};
        for (const auto& role : roles) {
            args.push_back("--role");
            args.push_back(role);
        }
        const CliRun run = RunConcord(fed_.Dir(), args);
        EXPECT_EQ(run.status, 0) << run.out;
        EXPECT_NE(
            run.out.find("otpauth://totp/fr.central:" + login + "?secret="), std::string::npos
        ) << run.out;
        EXPECT_NE(run.out.find("\u2588"), std::string::npos) << "no QR code in: " << run.out;
        Enrolled e;
        e.password = Field(run.out, "one-time password");
        auto secret = app::Base32Decode(Field(run.out, "TOTP secret"));
        EXPECT_TRUE(secret) << run.out;
        e.secret = secret ? *secret : Bytes{};
        return e;
    }

    std::string Code(const Enrolled& e, std::int64_t offset_steps = 0) {
        auto code = app::TotpCode(e.secret, NowMillis() / 1000 + 30 * offset_steps);
        EXPECT_TRUE(code);
        return code ? *code : "";
    }

    Result<net::Response> Call(
        std::string_view method,
        const std::string& path,
        std::string_view body = "",
        const net::HeaderList& headers = {}
    ) {
        return client_->Send(method, Node().ApiUrl() + path, body, headers);
    }

    net::Response Login(
        const std::string& login, const std::string& password, const std::string& code
    ) {
        boost::json::object o;
        o["login"] = login;
        o["password"] = password;
        o["code"] = code;
        auto r = Call("POST", "/api/v1/session", boost::json::serialize(o));
        EXPECT_TRUE(r) << r.error().ToString();
        return r ? *r : net::Response{};
    }

    Federation fed_;
    std::unique_ptr<net::HttpClient> client_;
};

boost::json::object Body(const net::Response& r) {
    boost::system::error_code ec;
    auto v = boost::json::parse(r.body, ec);
    return !ec && v.is_object() ? v.as_object() : boost::json::object{};
}

TEST_F(PeopleFunctionalTest, SignInSessionCsrfTokensAndLockout) {
    const Enrolled alice = AddUser("alice", {"officer", "administrator"});
    ASSERT_FALSE(alice.password.empty());

    // Sign in: the cookie is HttpOnly, Secure, SameSite=Strict, Path=/.
    net::Response login = Login("alice", alice.password, Code(alice));
    ASSERT_EQ(login.status, 201u) << login.body << Node().LogTail();
    const std::string set_cookie = login.Header("Set-Cookie").value_or("");
    ASSERT_TRUE(set_cookie.starts_with("concord_session=")) << set_cookie;
    for (const char* attribute : {"; HttpOnly", "; Secure", "; SameSite=Strict", "; Path=/"}) {
        EXPECT_NE(set_cookie.find(attribute), std::string::npos) << set_cookie;
    }
    const std::string cookie = set_cookie.substr(0, set_cookie.find(';'));
    const std::string csrf = std::string(Body(login).at("csrf_token").as_string());
    ASSERT_EQ(csrf.size(), 64u);

    // Who am I, with the cookie.
    auto me = Call("GET", "/api/v1/session", "", {{"Cookie", cookie}});
    ASSERT_TRUE(me);
    ASSERT_EQ(me->status, 200u) << me->body;
    EXPECT_EQ(Body(*me).at("actor").as_string(), "user:alice");
    EXPECT_EQ(Body(*me).at("csrf_token").as_string(), csrf);
    // A read with the cookie needs no CSRF token; the administrator lists users.
    auto users = Call("GET", "/api/v1/users", "", {{"Cookie", cookie}});
    ASSERT_TRUE(users);
    EXPECT_EQ(users->status, 200u) << users->body;
    EXPECT_NE(users->body.find("\"alice\""), std::string::npos);

    // A write with the cookie: refused without the CSRF token or with a wrong one.
    const std::string token_request =
        R"({"name":"case system","roles":["officer"],"lifetime":"1d"})";
    for (const net::HeaderList& headers :
         {net::HeaderList{{"Cookie", cookie}},
          net::HeaderList{{"Cookie", cookie}, {"X-CSRF-Token", std::string(64, '0')}}}) {
        auto refused = Call("POST", "/api/v1/tokens", token_request, headers);
        ASSERT_TRUE(refused);
        EXPECT_EQ(refused->status, 403u) << refused->body;
        EXPECT_NE(refused->body.find("csrf_required"), std::string::npos) << refused->body;
    }
    auto tokens = Call("GET", "/api/v1/tokens", "", {{"Cookie", cookie}});
    ASSERT_TRUE(tokens);
    EXPECT_EQ(tokens->body, "[]");  // nothing was created
    auto created =
        Call("POST", "/api/v1/tokens", token_request, {{"Cookie", cookie}, {"X-CSRF-Token", csrf}});
    ASSERT_TRUE(created);
    ASSERT_EQ(created->status, 201u) << created->body;
    const std::string token = std::string(Body(*created).at("token").as_string());
    const std::string token_id = std::string(Body(*created).at("id").as_string());
    ASSERT_TRUE(token.starts_with("cpt_"));

    // The personal token acts as alice with its scope only: no user management.
    const net::HeaderList bearer = {{"Authorization", "Bearer " + token}};
    auto as_token = Call("GET", "/api/v1/session", "", bearer);
    ASSERT_TRUE(as_token);
    ASSERT_EQ(as_token->status, 200u) << as_token->body;
    EXPECT_EQ(Body(*as_token).at("actor").as_string(), "user:alice");
    EXPECT_EQ(boost::json::serialize(Body(*as_token).at("roles")), R"(["officer"])");
    auto no_admin = Call("GET", "/api/v1/users", "", bearer);
    ASSERT_TRUE(no_admin);
    EXPECT_EQ(no_admin->status, 403u) << no_admin->body;
    // The node-wide token still works and acts as the node.
    auto as_node = Node().Api("GET", "/api/v1/session");
    ASSERT_TRUE(as_node);
    EXPECT_EQ(as_node->json.at("actor").as_string(), "node");
    // Revoked, the token stops working.
    auto revoked = Call(
        "DELETE", "/api/v1/tokens/" + token_id, "", {{"Cookie", cookie}, {"X-CSRF-Token", csrf}}
    );
    ASSERT_TRUE(revoked);
    EXPECT_EQ(revoked->status, 204u) << revoked->body;
    auto after = Call("GET", "/api/v1/session", "", bearer);
    ASSERT_TRUE(after);
    EXPECT_EQ(after->status, 401u);

    // Logout needs the CSRF token too; then the cookie is worthless.
    auto logout_refused = Call("DELETE", "/api/v1/session", "", {{"Cookie", cookie}});
    ASSERT_TRUE(logout_refused);
    EXPECT_EQ(logout_refused->status, 403u);
    auto logout =
        Call("DELETE", "/api/v1/session", "", {{"Cookie", cookie}, {"X-CSRF-Token", csrf}});
    ASSERT_TRUE(logout);
    EXPECT_EQ(logout->status, 204u) << logout->body;
    auto gone = Call("GET", "/api/v1/session", "", {{"Cookie", cookie}});
    ASSERT_TRUE(gone);
    EXPECT_EQ(gone->status, 401u);

    // Lockout: five wrong passwords lock bob; then even the right ones get the answer an unknown
    // user gets.
    const Enrolled bob = AddUser("bob", {"officer"});
    const net::Response unknown = Login("nobody", "x", "123456");
    EXPECT_EQ(unknown.status, 401u);
    for (int i = 0; i < 5; ++i) {
        const net::Response wrong = Login("bob", "wrong password", Code(bob));
        EXPECT_EQ(wrong.status, 401u);
        EXPECT_EQ(wrong.body, unknown.body);
    }
    const net::Response locked = Login("bob", bob.password, Code(bob));
    EXPECT_EQ(locked.status, 401u);
    EXPECT_EQ(locked.body, unknown.body);
    const CliRun list = RunConcord(fed_.Dir(), {"user", "list", "--config", Config()});
    EXPECT_EQ(list.status, 0);
    EXPECT_NE(list.out.find("locked"), std::string::npos) << list.out;
    // The administrator's reset clears the lockout.
    const CliRun reset =
        RunConcord(fed_.Dir(), {"user", "reset-password", "--config", Config(), "bob"});
    ASSERT_EQ(reset.status, 0) << reset.out;
    const std::string new_password = Field(reset.out, "one-time password");
    EXPECT_EQ(Login("bob", new_password, Code(bob)).status, 201u);

    fed_.ExpectCleanShutdown();
    auto verified = Node().VerifyLedger();
    EXPECT_TRUE(verified) << verified.error().ToString();
}

// The cookie and CSRF headers of the session a sign-in answer opened.
net::HeaderList SessionHeaders(const net::Response& login) {
    const std::string set_cookie = login.Header("Set-Cookie").value_or("");
    return {
        {"Cookie", set_cookie.substr(0, set_cookie.find(';'))},
        {"X-CSRF-Token", std::string(Body(login).at("csrf_token").as_string())}};
}

TEST_F(PeopleFunctionalTest, DisableRevokesTokensEnableLetsTheUserBackWithoutThem) {
    const Enrolled admin = AddUser("root", {"administrator"});
    const Enrolled bob = AddUser("bob", {"officer"});
    net::Response admin_login = Login("root", admin.password, Code(admin));
    ASSERT_EQ(admin_login.status, 201u) << admin_login.body;
    const net::HeaderList as_admin = SessionHeaders(admin_login);
    net::Response bob_login = Login("bob", bob.password, Code(bob));
    ASSERT_EQ(bob_login.status, 201u) << bob_login.body;
    const net::HeaderList as_bob = SessionHeaders(bob_login);
    auto created = Call(
        "POST", "/api/v1/tokens", R"({"name":"cms","roles":["officer"],"lifetime":"1d"})", as_bob
    );
    ASSERT_TRUE(created);
    ASSERT_EQ(created->status, 201u) << created->body;
    const std::string token = std::string(Body(*created).at("token").as_string());
    const net::HeaderList bearer = {{"Authorization", "Bearer " + token}};

    // Only an administrator lists every user's tokens; an unknown owner value is a typed 400.
    auto bobs_view = Call("GET", "/api/v1/tokens?owner=all", "", as_bob);
    ASSERT_TRUE(bobs_view);
    EXPECT_EQ(bobs_view->status, 403u) << bobs_view->body;
    auto bogus = Call("GET", "/api/v1/tokens?owner=everyone", "", as_admin);
    ASSERT_TRUE(bogus);
    EXPECT_EQ(bogus->status, 400u) << bogus->body;
    auto all = Call("GET", "/api/v1/tokens?owner=all", "", as_admin);
    ASSERT_TRUE(all);
    ASSERT_EQ(all->status, 200u) << all->body;
    EXPECT_NE(all->body.find(R"("owner":"bob")"), std::string::npos) << all->body;
    EXPECT_EQ(all->body.find(token), std::string::npos);  // never the token itself
    auto own = Call("GET", "/api/v1/tokens", "", as_admin);
    ASSERT_TRUE(own);
    EXPECT_EQ(own->body, "[]");

    // Enabling a user who is not disabled is refused.
    auto not_disabled = Call("POST", "/api/v1/users/bob/enable", "{}", as_admin);
    ASSERT_TRUE(not_disabled);
    EXPECT_EQ(not_disabled->status, 400u) << not_disabled->body;

    // Disabled: the session and the token stop; enabled again: the token stays revoked, a
    // new sign-in works.
    auto disabled = Call("POST", "/api/v1/users/bob/disable", "{}", as_admin);
    ASSERT_TRUE(disabled);
    ASSERT_EQ(disabled->status, 200u) << disabled->body;
    auto refused = Call("GET", "/api/v1/session", "", bearer);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 401u);
    const CliRun enable = RunConcord(fed_.Dir(), {"user", "enable", "--config", Config(), "bob"});
    ASSERT_EQ(enable.status, 0) << enable.out;
    EXPECT_NE(enable.out.find("enabled bob"), std::string::npos) << enable.out;
    auto still = Call("GET", "/api/v1/session", "", bearer);
    ASSERT_TRUE(still);
    EXPECT_EQ(still->status, 401u);
    auto revoked = Call("GET", "/api/v1/tokens?owner=all", "", as_admin);
    ASSERT_TRUE(revoked);
    EXPECT_NE(revoked->body.find(R"("revoked")"), std::string::npos) << revoked->body;
    // The next TOTP step (one step of drift is allowed): the code used above is spent.
    EXPECT_EQ(Login("bob", bob.password, Code(bob, 1)).status, 201u);
    // Enabling twice through the API is refused; the CLI's answer for it is an error too.
    auto twice = Call("POST", "/api/v1/users/bob/enable", "{}", as_admin);
    ASSERT_TRUE(twice);
    EXPECT_EQ(twice->status, 400u) << twice->body;
    EXPECT_NE(RunConcord(fed_.Dir(), {"user", "enable", "--config", Config(), "bob"}).status, 0);

    fed_.ExpectCleanShutdown();
    auto verified = Node().VerifyLedger();
    EXPECT_TRUE(verified) << verified.error().ToString();
}

}  // namespace
}  // namespace concord::functional
