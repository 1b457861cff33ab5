// concord init and concord directory through the command line, as an operator runs them.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <gtest/gtest.h>

#include "concord/cli/cli.hpp"

#include "cli_test_util.hpp"
#include <sys/stat.h>

namespace concord::cli {
namespace {

namespace fs = std::filesystem;

using testing::Output;
using testing::RunCli;

std::string Read(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

class NodeCommandsTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("concord-node-cli-" + std::to_string(std::random_device{}()));
        fs::create_directories(dir_);
        std::ofstream(dir_ / "pass") << "operator passphrase\n";
    }
    void TearDown() override { fs::remove_all(dir_); }
    std::string P(const std::string& name) const { return (dir_ / name).string(); }
    // Signs body.json into directory.json with the directory key.
    Output Sign() const {
        return RunCli(
            {"directory",
             "sign",
             "--file",
             P("body.json"),
             "--key",
             P("dir.key"),
             "--passphrase-file",
             P("pass"),
             "--out",
             P("directory.json")}
        );
    }

    fs::path dir_;
};

TEST_F(NodeCommandsTest, InitCreatesANodeAndTheDirectoryListsAndRevokesIt) {
    Output key =
        RunCli({"directory", "keygen", "--out", P("dir.key"), "--passphrase-file", P("pass")});
    ASSERT_EQ(key.status, 0) << key.err;
    std::string directory_key = key.out;
    directory_key.pop_back();  // newline
    ASSERT_EQ(directory_key.size(), 44u) << directory_key;

    Output init = RunCli(
        {"init",
         "--dir",
         P("fr.central"),
         "--name",
         "fr.central",
         "--party",
         "FR",
         "--role",
         "central_authority",
         "--listen",
         "127.0.0.1:7401",
         "--directory-key",
         directory_key,
         "--passphrase-file",
         P("pass")}
    );
    ASSERT_EQ(init.status, 0) << init.err;
    for (const char* file :
         {"node.key",
          "tls.crt",
          "tls.key",
          "config.toml",
          "api-token",
          "node-info.json",
          "node.db"}) {
        EXPECT_TRUE(fs::exists(dir_ / "fr.central" / file)) << file;
    }
    EXPECT_EQ(
        fs::status(dir_ / "fr.central" / "node.key").permissions() & fs::perms::group_all,
        fs::perms::none
    );
    EXPECT_EQ(
        fs::status(dir_ / "fr.central" / "tls.key").permissions() & fs::perms::others_all,
        fs::perms::none
    );
    EXPECT_EQ(fs::status(dir_ / "fr.central").permissions(), fs::perms(0700));
    EXPECT_EQ(fs::status(dir_ / "fr.central" / "node.db").permissions(), fs::perms(0600));
    // The local API listens on loopback, by default on the federation port + 100.
    EXPECT_NE(
        Read(dir_ / "fr.central" / "config.toml").find("[api]\nlisten = \"127.0.0.1:7501\"\n"),
        std::string::npos
    ) << Read(dir_ / "fr.central" / "config.toml");
    const std::string token = Read(dir_ / "fr.central" / "api-token");
    EXPECT_NE(init.out.find(token.substr(0, 64)), std::string::npos);
    EXPECT_EQ(
        Read(dir_ / "fr.central" / "config.toml").find(token.substr(0, 64)), std::string::npos
    ) << "the config must keep only the token's hash";
    // A second init into the same folder is refused.
    Output again = RunCli(
        {"init",
         "--dir",
         P("fr.central"),
         "--name",
         "fr.central",
         "--party",
         "FR",
         "--role",
         "central_authority",
         "--directory-key",
         directory_key,
         "--passphrase-file",
         P("pass")}
    );
    EXPECT_NE(again.status, 0);

    ASSERT_EQ(RunCli({"directory", "new", "--out", P("body.json")}).status, 0);
    Output party = RunCli(
        {"directory",
         "add-party",
         "--file",
         P("body.json"),
         "--code",
         "FR",
         "--name",
         "France",
         "--language",
         "fr",
         "--instrument",
         "budapest:ratified:2006-01-10"}
    );
    ASSERT_EQ(party.status, 0) << party.err;
    Output node = RunCli(
        {"directory",
         "add-node",
         "--file",
         P("body.json"),
         "--node-info",
         P("fr.central/node-info.json")}
    );
    ASSERT_EQ(node.status, 0) << node.err;
    ASSERT_EQ(Sign().status, 0);
    Output verify =
        RunCli({"directory", "verify", P("directory.json"), "--trusted-key", directory_key});
    ASSERT_EQ(verify.status, 0) << verify.err;
    EXPECT_NE(verify.out.find("serial 3"), std::string::npos) << verify.out;  // two edits
    EXPECT_NE(verify.out.find("fr.central (FR) https://127.0.0.1:7401"), std::string::npos)
        << verify.out;

    Output revoke =
        RunCli({"directory", "revoke", "--file", P("body.json"), "--node", "fr.central"});
    ASSERT_EQ(revoke.status, 0) << revoke.err;
    ASSERT_EQ(Sign().status, 0);
    verify = RunCli({"directory", "verify", P("directory.json"), "--trusted-key", directory_key});
    EXPECT_NE(verify.out.find("REVOKED"), std::string::npos) << verify.out;
    EXPECT_NE(
        RunCli({"directory", "revoke", "--file", P("body.json"), "--node", "xx.none"}).status, 0
    );

    // A key the verifier does not trust, and a tampered file, are refused.
    Output other = RunCli(
        {"directory",
         "verify",
         P("directory.json"),
         "--trusted-key",
         "O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik="}
    );
    EXPECT_EQ(other.status, 1);
    EXPECT_NE(other.err.find("not signed by any trusted"), std::string::npos) << other.err;
    std::string text = Read(dir_ / "directory.json");
    text.replace(text.find("France"), 6, "Frankr");
    std::ofstream(dir_ / "tampered.json") << text;
    EXPECT_EQ(
        RunCli({"directory", "verify", P("tampered.json"), "--trusted-key", directory_key}).status,
        1
    );
}

// Before: node.db and the folder were readable by others (0644/0755; 0666/0777 under umask 0).
TEST_F(NodeCommandsTest, InitMakesPrivateFilesUnderAnOpenUmask) {
    Output key =
        RunCli({"directory", "keygen", "--out", P("dir.key"), "--passphrase-file", P("pass")});
    ASSERT_EQ(key.status, 0) << key.err;
    const mode_t old = ::umask(0);
    Output init = RunCli(
        {"init",
         "--dir",
         P("open"),
         "--name",
         "fr.open",
         "--party",
         "FR",
         "--role",
         "central_authority",
         "--listen",
         "127.0.0.1:7601",
         "--api-listen",
         "127.0.0.1:7602",
         "--directory-key",
         key.out.substr(0, 44),
         "--passphrase-file",
         P("pass"),
         "--write-passphrase-file"}
    );
    ::umask(old);
    ASSERT_EQ(init.status, 0) << init.err;
    EXPECT_EQ(fs::status(dir_ / "open").permissions(), fs::perms(0700));
    for (const char* file : {"node.db", "node.key", "tls.key", "api-token", "passphrase"}) {
        EXPECT_EQ(fs::status(dir_ / "open" / file).permissions(), fs::perms(0600)) << file;
    }
    EXPECT_NE(
        Read(dir_ / "open" / "config.toml").find("listen = \"127.0.0.1:7602\""), std::string::npos
    );
}

TEST_F(NodeCommandsTest, BadInitArgumentsAreRefusedAndCreateNothing) {
    Output role = RunCli(
        {"init",
         "--dir",
         P("n"),
         "--name",
         "n.one",
         "--party",
         "FR",
         "--role",
         "judge",
         "--directory-key",
         "AAAA",
         "--passphrase-file",
         P("pass")}
    );
    EXPECT_EQ(role.status, 2);  // bad input
    EXPECT_NE(role.err.find("unknown role 'judge'"), std::string::npos) << role.err;
    Output name = RunCli(
        {"init",
         "--dir",
         P("m"),
         "--name",
         "Bad Name",
         "--party",
         "FR",
         "--role",
         "central_authority",
         "--directory-key",
         "AAAA",
         "--passphrase-file",
         P("pass")}
    );
    EXPECT_EQ(name.status, 2);
    EXPECT_NE(name.err.find("node id"), std::string::npos) << name.err;
    EXPECT_FALSE(fs::exists(dir_ / "n" / "config.toml"));
    EXPECT_FALSE(fs::exists(dir_ / "m"));
}

}  // namespace
}  // namespace concord::cli
