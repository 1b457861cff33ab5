#include "concord/server/config.hpp"

#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "concord/app/evidence_stream.hpp"

namespace concord::server {
namespace {

constexpr std::string_view kGood = R"(
[node]
id = "aa.central"
key_file = "node.key"
store = "sqlite:node.db"
[http]
listen = "127.0.0.1:7101"
tls_cert = "tls.crt"
tls_key = "tls.key"
[api]
listen = "127.0.0.1:7201"
token_sha256 = "0000000000000000000000000000000000000000000000000000000000000000"
[directory]
file = "../directory.json"
trusted_keys = ["11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="]
[delivery]
horizon = "10d"
)";

std::string With(std::string_view text, std::string_view from, std::string_view to) {
    std::string s(text);
    const auto pos = s.find(from);
    EXPECT_NE(pos, std::string::npos) << from;
    s.replace(pos, from.size(), to);
    return s;
}

TEST(ConfigTest, ReadsAGoodConfigAndResolvesPathsAgainstItsFolder) {
    auto c = ParseConfig(kGood, "/etc/concord/a/config.toml");
    ASSERT_TRUE(c) << c.error().ToString();
    EXPECT_EQ(c->node_id, "aa.central");
    EXPECT_EQ(c->key_file, "/etc/concord/a/node.key");
    EXPECT_EQ(c->store_url, "sqlite:/etc/concord/a/node.db");
    EXPECT_EQ(c->listen_port, 7101);
    EXPECT_EQ(c->api_listen_address, "127.0.0.1");
    EXPECT_EQ(c->api_listen_port, 7201);
    EXPECT_FALSE(c->metrics);
    EXPECT_EQ(c->delivery_horizon, std::chrono::hours(240));
    EXPECT_EQ(c->directory_file, "/etc/concord/a/../directory.json");
}

TEST(ConfigTest, EveryProblemNamesItsKeyAndReason) {
    const std::pair<std::string, std::string> cases[] = {
        {With(kGood, "id = \"aa.central\"\n", ""), "key 'node.id': is required"},
        {With(kGood, "127.0.0.1:7101", "127.0.0.1"), "key 'http.listen': expected ADDRESS:PORT"},
        {With(kGood, "127.0.0.1:7101", "127.0.0.1:99999"), "key 'http.listen': port must be"},
        {With(kGood, "horizon = \"10d\"", "horizon = \"10 days\""), "key 'delivery.horizon'"},
        {With(kGood, "horizon = \"10d\"", "horizon = \"20d\""), "key 'inbox.max_age'"},
        {With(kGood, "horizon = \"10d\"", "horizn = \"10d\""),
         "key 'delivery.horizn': unknown key"},
        {With(
             kGood,
             "trusted_keys = [\"11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\"]",
             "trusted_keys = []"
         ),
         "key 'directory.trusted_keys'"},
        {With(kGood, "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=", "AAAA"),
         "key 'directory.trusted_keys': 'AAAA' is not a base64 Ed25519 public key"},
        {With(kGood, "tls_cert = \"tls.crt\"\n", ""), "key 'http.tls_cert': is required"},
        {With(kGood, "[http]\n", "[http]\nallow_plain_http = true\nmax_connections = 0\n"),
         "key 'http.max_connections': must be between"},
        {With(kGood, "127.0.0.1:7101\"", "0.0.0.0:7101\"\nallow_plain_http = true"),
         "key 'http.allow_plain_http': plain HTTP is allowed on loopback only"},
        {With(kGood, "0000000000000000000000000000000000000000000000000000000000000000", "xyz"),
         "key 'api.token_sha256'"},
        {std::string(kGood) + "[extra]\nthing = 1\n", "key 'extra.thing': unknown key"},
    };
    for (const auto& [text, expected] : cases) {
        auto c = ParseConfig(text, "/n/config.toml");
        ASSERT_FALSE(c) << expected;
        EXPECT_EQ(c.error().code, ErrorCode::kInvalidArgument);
        EXPECT_NE(c.error().message.find("/n/config.toml: " + expected), std::string::npos)
            << c.error().message;
    }
}

TEST(ConfigTest, TheLocalApiHasItsOwnListener) {
    const std::pair<std::string, std::string> cases[] = {
        {With(kGood, "listen = \"127.0.0.1:7201\"\n", ""), "key 'api.listen': is required"},
        {With(kGood, "127.0.0.1:7201", "127.0.0.1:7101"), "key 'api.listen': must differ"},
        {With(kGood, "127.0.0.1:7201", "127.0.0.1:7x01"), "key 'api.listen': port must be"},
    };
    for (const auto& [text, expected] : cases) {
        auto c = ParseConfig(text, "/n/config.toml");
        ASSERT_FALSE(c) << expected;
        EXPECT_NE(c.error().message.find("/n/config.toml: " + expected), std::string::npos)
            << c.error().message;
    }
    auto plain = ParseConfig(
        With(
            With(kGood, "[http]\n", "[http]\nallow_plain_http = true\n"),
            "127.0.0.1:7201",
            "0.0.0.0:7201"
        ),
        "/n/config.toml"
    );
    ASSERT_FALSE(plain);
    EXPECT_NE(plain.error().message.find("key 'api.listen': plain HTTP"), std::string::npos)
        << plain.error().message;
    auto metrics = ParseConfig(With(kGood, "[directory]", "metrics = true\n[directory]"), "/n/c");
    ASSERT_TRUE(metrics) << metrics.error().ToString();
    EXPECT_TRUE(metrics->metrics);
    EXPECT_FALSE(metrics->assistance_secretariat);
    auto secretariat =
        ParseConfig(std::string(kGood) + "[assistance]\nsecretariat = true\n", "/n/c");
    ASSERT_TRUE(secretariat) << secretariat.error().ToString();
    EXPECT_TRUE(secretariat->assistance_secretariat);
    auto wrong = ParseConfig(std::string(kGood) + "[assistance]\nsecretariat = \"yes\"\n", "/n/c");
    ASSERT_FALSE(wrong);
    EXPECT_NE(wrong.error().message.find("assistance.secretariat"), std::string::npos);
    auto attached =
        ParseConfig(std::string(kGood) + "[assistance]\nsecretariat_node = \"un.sec\"\n", "/n/c");
    ASSERT_TRUE(attached) << attached.error().ToString();
    EXPECT_EQ(attached->assistance_secretariat_node, "un.sec");
    for (const auto& [text, expected] : std::vector<std::pair<std::string, std::string>>{
             {"secretariat = true\nsecretariat_node = \"un.sec\"\n", "sends to no secretariat"},
             {"secretariat_node = \"aa.central\"\n", "names this node itself"},
             {"secretariat_node = \"UN Secretariat\"\n", "assistance.secretariat_node"}}) {
        auto refused = ParseConfig(std::string(kGood) + "[assistance]\n" + text, "/n/c");
        ASSERT_FALSE(refused) << text;
        EXPECT_NE(refused.error().message.find(expected), std::string::npos)
            << refused.error().message;
    }
}

// Every duration and number is range-checked: nothing wraps (a backoff above 2^32 ms once made
// a down peer be retried thousands of times a second) and nothing meaningless passes.
TEST(ConfigTest, DurationsAndNumbersAreRangeChecked) {
    const std::pair<std::string, std::string> cases[] = {
        {"[delivery]\nmax_backoff = \"4294968s\"",
         "key 'delivery.max_backoff': must be from 1ms to 1d"},
        {"[delivery]\ninitial_backoff = \"0ms\"", "key 'delivery.initial_backoff': must be from"},
        {"[delivery]\ninitial_backoff = \"2h\"", "key 'delivery.initial_backoff': must be from"},
        {"[delivery]\nhorizon = \"0s\"", "key 'delivery.horizon': must be from 1s to 365d"},
        {"[delivery]\nhorizon = \"-1s\"", "key 'delivery.horizon': duration '-1s'"},
        {"[delivery]\nhorizon = \"99999999999999999d\"", "key 'delivery.horizon': duration"},
        {"[delivery]\nworkers = 0", "key 'delivery.workers': must be between 1 and 256"},
        {"[delivery]\nworkers = -3", "key 'delivery.workers': must be between"},
        {"[inbox]\nmax_age = \"500d\"", "key 'inbox.max_age': must be from"},
        {"[inbox]\nmax_future_skew = \"0ms\"", "key 'inbox.max_future_skew': must be from"},
        {"[witness]\ninterval = \"0s\"", "key 'witness.interval': must be from"},
        {"[directory]\nreload_interval = \"1ms\"", "key 'directory.reload_interval': must be from"},
        {"[http]\nheader_timeout = \"1d\"", "key 'http.header_timeout': must be from"},
        {"[http]\nidle_timeout = \"0s\"", "key 'http.idle_timeout': must be from"},
        {"[http]\nshutdown_drain = \"1h\"", "key 'http.shutdown_drain': must be from 0ms to 5m"},
        {"[http]\nrate_per_second = -1.0", "key 'http.rate_per_second': must be a number from"},
        {"[http]\nrate_per_second = nan", "key 'http.rate_per_second': must be a number from"},
        {"[http]\nrate_burst = inf", "key 'http.rate_burst': must be a number from 1 to"},
        {"[http]\nmax_body_bytes = 99999999999", "key 'http.max_body_bytes': must be between"},
        {"[api]\nhandler_threads = 0", "key 'api.handler_threads': must be between 1 and 256"},
    };
    for (const auto& [line, expected] : cases) {
        // The setting goes into its section (TOML allows a section and a key only once).
        const auto section = line.substr(0, line.find('\n') + 1);
        const auto setting = line.substr(section.size());
        const auto name = "\n" + setting.substr(0, setting.find(" = ") + 3);
        std::string text = std::string(kGood);
        if (auto at = text.find(name); at != std::string::npos) {
            text.replace(at + 1, text.find('\n', at + 1) - at - 1, setting);
        } else if (auto sat = text.find(section); sat != std::string::npos) {
            text.insert(sat + section.size(), setting + "\n");
        } else {
            text += line + "\n";
        }
        auto c = ParseConfig(text, "/n/config.toml");
        ASSERT_FALSE(c) << expected;
        EXPECT_NE(c.error().message.find("/n/config.toml: " + expected), std::string::npos)
            << c.error().message;
    }
    auto zero_drain =
        ParseConfig(With(kGood, "[http]\n", "[http]\nshutdown_drain = \"0s\"\n"), "/n/config.toml");
    ASSERT_TRUE(zero_drain) << zero_drain.error().ToString();
    EXPECT_EQ(zero_drain->shutdown_drain.count(), 0);
}

TEST(ConfigTest, PeopleSettingsHaveDefaultsAndRanges) {
    auto defaults = ParseConfig(kGood, "/n/config.toml");
    ASSERT_TRUE(defaults) << defaults.error().ToString();
    EXPECT_EQ(defaults->max_failed_logins, 5);
    EXPECT_EQ(defaults->max_concurrent_password_checks, 2);
    EXPECT_EQ(defaults->lockout, std::chrono::minutes(15));
    EXPECT_EQ(defaults->session_idle, std::chrono::minutes(15));
    EXPECT_EQ(defaults->session_absolute, std::chrono::hours(12));
    auto set = ParseConfig(
        std::string(kGood) +
            "[people]\nmax_failed_logins = 3\nlockout = \"1h\"\nsession_idle = \"5m\"\n"
            "session_absolute = \"8h\"\nargon2_memory_kib = 65536\nargon2_passes = 2\n"
            "token_max_lifetime = \"30d\"\nmax_concurrent_password_checks = 8\n",
        "/n/config.toml"
    );
    ASSERT_TRUE(set) << set.error().ToString();
    EXPECT_EQ(set->max_failed_logins, 3);
    EXPECT_EQ(set->lockout, std::chrono::hours(1));
    EXPECT_EQ(set->session_idle, std::chrono::minutes(5));
    EXPECT_EQ(set->session_absolute, std::chrono::hours(8));
    EXPECT_EQ(set->argon2_memory_kib, 65536u);
    EXPECT_EQ(set->argon2_passes, 2u);
    EXPECT_EQ(set->token_max_lifetime, std::chrono::hours(24 * 30));
    EXPECT_EQ(set->max_concurrent_password_checks, 8);
    for (const char* bad :
         {"max_failed_logins = 0",
          "lockout = \"0s\"",
          "session_idle = \"2d\"",
          "argon2_memory_kib = 1",
          "argon2_passes = 0",
          "max_concurrent_password_checks = 0",
          "max_concurrent_password_checks = 65"}) {
        auto c = ParseConfig(std::string(kGood) + "[people]\n" + bad + "\n", "/n/config.toml");
        ASSERT_FALSE(c) << bad;
        EXPECT_NE(c.error().message.find("key 'people."), std::string::npos) << c.error().message;
    }
}

TEST(ConfigTest, TomlSyntaxErrorsGiveLineAndColumn) {
    auto c = ParseConfig("[node]\nid = \"a\"\nkey_file = \n", "/n/config.toml");
    ASSERT_FALSE(c);
    EXPECT_NE(c.error().message.find("/n/config.toml:3:"), std::string::npos) << c.error().message;
}

TEST(ConfigTest, MissingFileIsNotFound) {
    auto c = LoadConfig("/nonexistent/concord/config.toml");
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().code, ErrorCode::kNotFound);
}

TEST(ConfigTest, DutyDeskKeysHaveDefaultsAndAreChecked) {
    auto c = ParseConfig(kGood, "/etc/concord/a/config.toml");
    ASSERT_TRUE(c) << c.error().ToString();
    EXPECT_EQ(c->duty_escalation, std::chrono::minutes(15));
    EXPECT_TRUE(c->duty_webhook_url.empty());

    std::string with_duty =
        std::string(kGood) +
        "[duty]\nescalation = \"5m\"\nwebhook_url = \"http://127.0.0.1:9/hook\"\n";
    c = ParseConfig(with_duty, "/etc/concord/a/config.toml");
    ASSERT_TRUE(c) << c.error().ToString();
    EXPECT_EQ(c->duty_escalation, std::chrono::minutes(5));
    EXPECT_EQ(c->duty_webhook_url, "http://127.0.0.1:9/hook");

    const std::pair<std::string, std::string> cases[] = {
        {With(with_duty, "escalation = \"5m\"", "escalation = \"10s\""), "key 'duty.escalation'"},
        {With(with_duty, "http://127.0.0.1:9/hook", "http://example.org/hook"),
         "key 'duty.webhook_url': plain http is allowed on loopback only"},
        {With(with_duty, "http://127.0.0.1:9/hook", "https://example.org/hook"),
         "key 'duty.webhook_tls_sha256': required"},
        {With(with_duty, "http://127.0.0.1:9/hook", "ftp://x"), "key 'duty.webhook_url'"},
    };
    for (const auto& [text, expected] : cases) {
        auto bad = ParseConfig(text, "/etc/concord/a/config.toml");
        ASSERT_FALSE(bad) << expected;
        EXPECT_NE(bad.error().message.find(expected), std::string::npos) << bad.error().message;
    }
}

TEST(ConfigTest, ThePreservationHookIsAnArgvOrALoopbackUrl) {
    auto c = ParseConfig(
        std::string(kGood) +
            "[preservation]\nhook = [\"hooks/freeze\", \"--vault\", \"a b\"]\n"
            "hook_timeout = \"5s\"\n",
        "/etc/concord/a/config.toml"
    );
    ASSERT_TRUE(c) << c.error().ToString();
    EXPECT_EQ(
        c->preservation_hook,
        (std::vector<std::string>{"/etc/concord/a/hooks/freeze", "--vault", "a b"})
    );
    EXPECT_EQ(c->preservation_hook_timeout, std::chrono::seconds(5));
    auto url = ParseConfig(
        std::string(kGood) + "[preservation]\nhook_url = \"http://[::1]:8080/freeze\"\n",
        "/n/config.toml"
    );
    ASSERT_TRUE(url) << url.error().ToString();
    EXPECT_EQ(url->preservation_hook_url, "http://[::1]:8080/freeze");
    const std::pair<std::string, std::string> bad[] = {
        {"hook = \"/bin/freeze\"", "key 'preservation.hook': must be an array of strings"},
        {"hook = [\"\"]", "key 'preservation.hook': the first element"},
        {"hook = [\"/bin/x\"]\nhook_timeout = \"2h\"", "key 'preservation.hook_timeout'"},
        {"hook_url = \"http://10.0.0.1:80/\"", "key 'preservation.hook_url': must be http"},
        {"hook_url = \"https://127.0.0.1:80/\"", "key 'preservation.hook_url': must be http"},
        {"hook = [\"/bin/x\"]\nhook_url = \"http://127.0.0.1:80/\"",
         "key 'preservation.hook_url': set preservation.hook or"},
        {"hooks = []", "key 'preservation.hooks': unknown key"},
    };
    for (const auto& [section, expected] : bad) {
        auto r =
            ParseConfig(std::string(kGood) + "[preservation]\n" + section + "\n", "/n/config.toml");
        ASSERT_FALSE(r) << expected;
        EXPECT_NE(r.error().message.find("/n/config.toml: " + expected), std::string::npos)
            << r.error().message;
    }
}

TEST(ConfigTest, EvidenceStorageHasDefaultsAndIsChecked) {
    auto c = ParseConfig(kGood, "/etc/concord/a/config.toml");
    ASSERT_TRUE(c) << c.error().ToString();
    EXPECT_EQ(c->evidence_blob_dir, "/etc/concord/a/blobs");
    EXPECT_EQ(c->evidence_max_file_bytes, std::uint64_t{64} << 30);
    EXPECT_EQ(c->evidence_transfers, 2);
    EXPECT_EQ(c->evidence_upload_expiry, std::chrono::days(7));
    auto set = ParseConfig(
        std::string(kGood) +
            "[evidence]\nblob_dir = \"/srv/blobs\"\nmax_file_bytes = 1000\ntransfers = 4\n"
            "upload_expiry = \"2h\"\n",
        "/etc/concord/a/config.toml"
    );
    ASSERT_TRUE(set) << set.error().ToString();
    EXPECT_EQ(set->evidence_blob_dir, "/srv/blobs");
    EXPECT_EQ(set->evidence_max_file_bytes, 1000U);
    EXPECT_EQ(set->evidence_transfers, 4);
    EXPECT_EQ(set->evidence_upload_expiry, std::chrono::hours(2));
    // The largest size accepted is the largest a manifest can state.
    auto largest = ParseConfig(
        std::string(kGood) +
            "[evidence]\nmax_file_bytes = " + std::to_string(app::kMaxEvidenceFileBytes) + "\n",
        "/n/config.toml"
    );
    ASSERT_TRUE(largest) << largest.error().ToString();
    EXPECT_EQ(largest->evidence_max_file_bytes, app::kMaxEvidenceFileBytes);
    for (const std::string& bad : std::vector<std::string>{
             "max_file_bytes = 0",
             "max_file_bytes = " + std::to_string(app::kMaxEvidenceFileBytes + 1),
             "transfers = 0",
             "upload_expiry = \"30s\"",
             "upload_expiry = \"366d\"",
             "blob_dir = 3",
             "chunk = 5"}) {
        auto r = ParseConfig(std::string(kGood) + "[evidence]\n" + bad + "\n", "/n/config.toml");
        ASSERT_FALSE(r) << bad;
        EXPECT_NE(r.error().message.find("key 'evidence."), std::string::npos) << r.error().message;
    }
}

TEST(ConfigTest, RetentionRulesAreReadAndEachBadOneNamed) {
    auto none = ParseConfig(kGood, "/n/config.toml");
    ASSERT_TRUE(none) << none.error().ToString();
    EXPECT_TRUE(none->evidence_retention_rules.empty());
    auto c = ParseConfig(
        std::string(kGood) +
            "[evidence]\nretention = \"3650d\"\n"
            "[[evidence.retention_rules]]\ninstrument = \"budapest\"\nperiod = \"365d\"\n"
            "[[evidence.retention_rules]]\nparty = \"US\"\ncategory = \"content\"\n"
            "period = \"90d\"\n",
        "/n/config.toml"
    );
    ASSERT_TRUE(c) << c.error().ToString();
    ASSERT_EQ(c->evidence_retention_rules.size(), 2U);
    EXPECT_EQ(c->evidence_retention_rules[0].Describe(), "instrument=budapest");
    EXPECT_EQ(c->evidence_retention_rules[0].period_ms, std::int64_t{365} * 24 * 3600 * 1000);
    EXPECT_EQ(c->evidence_retention_rules[1].Describe(), "party=US,category=content");
    EXPECT_EQ(c->evidence_retention_rules[1].period_ms, std::int64_t{90} * 24 * 3600 * 1000);
    const std::vector<std::pair<std::string, std::string>> bad = {
        {"retention_rules = \"365d\"", "must be an array of tables"},
        {"retention_rules = [3]", "rule 1 is not a table"},
        {"retention_rules = [{ instrument = \"budapest\" }]", "rule 1: period is required"},
        {"retention_rules = [{ party = \"US\", period = \"2h\" }]",
         "rule 1: a retention period is from 1 to 36525 days"},
        {"retention_rules = [{ party = 3, period = \"10d\" }]",
         "rule 1: party must be a non-empty string"},
        {"retention_rules = [{ party = \"US\", period = \"10d\", who = \"x\" }]",
         "unknown key 'who'"},
        {"retention_rules = [{ category = \"photos\", period = \"10d\" }]",
         "rule 1: category is one of"},
        {"retention_rules = [{ period = \"10d\" }]", "rule 1 sets none"},
        {"retention_rules = [{ party = \"US\", period = \"10d\" }, "
         "{ party = \"US\", period = \"20d\" }]",
         "rule 2 repeats rule 1"},
    };
    for (const auto& [text, says] : bad) {
        auto r = ParseConfig(std::string(kGood) + "[evidence]\n" + text + "\n", "/n/config.toml");
        ASSERT_FALSE(r) << text;
        EXPECT_NE(r.error().message.find("key 'evidence.retention_rules'"), std::string::npos)
            << r.error().message;
        EXPECT_NE(r.error().message.find(says), std::string::npos) << r.error().message;
    }
}

}  // namespace
}  // namespace concord::server
