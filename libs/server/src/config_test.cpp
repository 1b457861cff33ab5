#include "concord/server/config.hpp"

#include <gtest/gtest.h>

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
token_sha256 = "0000000000000000000000000000000000000000000000000000000000000000"
[directory]
file = "../directory.json"
trusted_keys = ["AAAA"]
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
        {With(kGood, "trusted_keys = [\"AAAA\"]", "trusted_keys = []"),
         "key 'directory.trusted_keys'"},
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

}  // namespace
}  // namespace concord::server
