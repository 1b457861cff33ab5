#include "concord/cli/cli.hpp"

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <gtest/gtest.h>

#include "cli_test_util.hpp"

namespace concord::cli {
namespace {

namespace fs = std::filesystem;

using testing::Output;
using testing::RunCli;

class CliTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::random_device rd;
        dir_ = fs::temp_directory_path() /
               ("concord-cli-" + std::to_string(rd()) + std::to_string(rd()));
        fs::create_directories(dir_);
        std::ofstream(dir_ / "pass") << "correct horse battery staple\n";
    }
    void TearDown() override { fs::remove_all(dir_); }
    std::string Path(const std::string& name) const { return (dir_ / name).string(); }
    std::string Store() const { return "sqlite:" + Path("ledger.db"); }

    fs::path dir_;
};

TEST_F(CliTest, JsonCanonicalizeFromStdinAndFile) {
    Output ok = RunCli({"json", "canonicalize"}, R"({"b": 1.50, "a": [true, null, 1e30]})");
    EXPECT_EQ(ok.status, 0) << ok.err;
    EXPECT_EQ(ok.out, R"({"a":[true,null,1e+30],"b":1.5})");
    std::ofstream(Path("in.json")) << R"({"z": "\u0041", "y": -0})";
    Output file = RunCli({"json", "canonicalize", Path("in.json")});
    EXPECT_EQ(file.status, 0) << file.err;
    EXPECT_EQ(file.out, R"({"y":0,"z":"A"})");
}

TEST_F(CliTest, JsonCanonicalizeRefusesBadInputWithOffset) {
    Output dup = RunCli({"json", "canonicalize"}, R"({"a": 1, "a": 2})");
    EXPECT_NE(dup.status, 0);
    EXPECT_TRUE(dup.out.empty());
    EXPECT_NE(dup.err.find("duplicate"), std::string::npos) << dup.err;
    EXPECT_NE(dup.err.find("9"), std::string::npos) << dup.err;
    Output trailing = RunCli({"json", "canonicalize"}, "[1] x");
    EXPECT_NE(trailing.status, 0);
    Output missing = RunCli({"json", "canonicalize", Path("nope.json")});
    EXPECT_NE(missing.status, 0);
}

TEST_F(CliTest, LedgerAppendCheckpointProveAndVerifyOffline) {
    std::string pass = "--passphrase-file=" + Path("pass");
    Output key = RunCli({"keygen", "--name", "cli.example/log", "--out", Path("log.key"), pass});
    ASSERT_EQ(key.status, 0) << key.err;
    EXPECT_EQ(key.out.rfind("cli.example/log+", 0), 0u);
    EXPECT_EQ(
        fs::status(Path("log.key")).permissions() & fs::perms::all,
        fs::perms::owner_read | fs::perms::owner_write
    );

    Output append = RunCli(
        {"ledger",
         "append",
         "--store",
         Store(),
         "--data",
         "first",
         "--data",
         "second",
         "--data",
         "third"}
    );
    ASSERT_EQ(append.status, 0) << append.err;
    EXPECT_NE(append.out.find("appended entry 2"), std::string::npos);

    Output no_cp = RunCli({"ledger", "prove", "--store", Store(), "--index", "1"});
    EXPECT_NE(no_cp.status, 0);

    Output cp =
        RunCli({"ledger", "checkpoint", "--store", Store(), "--key-file", Path("log.key"), pass});
    ASSERT_EQ(cp.status, 0) << cp.err;
    EXPECT_EQ(cp.out.rfind("cli.example/log\n3\n", 0), 0u) << cp.out;
    std::ofstream(Path("cp.note")) << cp.out;

    ASSERT_EQ(
        RunCli({"ledger", "prove", "--store", Store(), "--index", "1", "--out", Path("p")}).status,
        0
    );
    ASSERT_EQ(
        RunCli({"ledger", "leaf", "--store", Store(), "--index", "1", "--out", Path("leaf")})
            .status,
        0
    );
    std::string vkey = Path("log.key") + ".pub";
    Output verified =
        RunCli({"ledger", "verify-proof", Path("p"), "--leaf", Path("leaf"), "--key", vkey});
    EXPECT_EQ(verified.status, 0) << verified.err;
    EXPECT_NE(verified.out.find("OK"), std::string::npos);

    std::ofstream(Path("forged")) << "sec0nd";
    Output forged =
        RunCli({"ledger", "verify-proof", Path("p"), "--leaf", Path("forged"), "--key", vkey});
    EXPECT_EQ(forged.status, 1) << forged.out;
    Output wrong_origin = RunCli(
        {"ledger",
         "verify-proof",
         Path("p"),
         "--leaf",
         Path("leaf"),
         "--key",
         vkey,
         "--origin",
         "other.example/log"}
    );
    EXPECT_EQ(wrong_origin.status, 1);

    Output note = RunCli({"note", "verify", Path("cp.note"), "--key", vkey});
    EXPECT_EQ(note.status, 0) << note.err;
    EXPECT_NE(note.out.find("verified: cli.example/log"), std::string::npos);

    Output whole = RunCli({"ledger", "verify", "--store", Store(), "--key", vkey});
    EXPECT_EQ(whole.status, 0) << whole.err;
    EXPECT_NE(whole.out.find("3 entries"), std::string::npos) << whole.out;
    // Issue 13, item 8: a log key named other than the checkpoint origin (the origin of Go's
    // checksum database tree note, from tests/vectors) counts when given as --log-key.
    std::ifstream golden(
        fs::path(CONCORD_SOURCE_DIR) / "tests/vectors/c2sp/go-sumdb-note/tlog-tree-note-golden.txt"
    );
    std::string go_origin;
    ASSERT_TRUE(static_cast<bool>(std::getline(golden, go_origin)));
    ASSERT_EQ(RunCli({"ledger", "append", "--store", Store(), "--data", "fourth"}).status, 0);
    Output go_cp = RunCli(
        {"ledger",
         "checkpoint",
         "--store",
         Store(),
         "--key-file",
         Path("log.key"),
         pass,
         "--origin",
         go_origin}
    );
    ASSERT_EQ(go_cp.status, 0) << go_cp.err;
    ASSERT_EQ(
        RunCli({"ledger", "prove", "--store", Store(), "--index", "1", "--out", Path("go.p")})
            .status,
        0
    );
    std::string go_proof;
    {
        std::ifstream in(Path("go.p"));
        std::stringstream ss;
        ss << in.rdbuf();
        go_proof = ss.str();
    }
    ASSERT_NE(go_proof.find(go_origin + "\n"), std::string::npos) << go_proof;
    Output by_name =
        RunCli({"ledger", "verify-proof", Path("go.p"), "--leaf", Path("leaf"), "--key", vkey});
    EXPECT_EQ(by_name.status, 1) << by_name.out;
    Output explicit_key = RunCli(
        {"ledger",
         "verify-proof",
         Path("go.p"),
         "--leaf",
         Path("leaf"),
         "--log-key",
         vkey,
         "--origin",
         go_origin}
    );
    EXPECT_EQ(explicit_key.status, 0) << explicit_key.err;
    EXPECT_NE(explicit_key.out.find("OK: entry 1 is in " + go_origin), std::string::npos)
        << explicit_key.out;
    Output forged_leaf =
        RunCli({"ledger", "verify-proof", Path("go.p"), "--leaf", Path("forged"), "--log-key", vkey}
        );
    EXPECT_EQ(forged_leaf.status, 1);
}

TEST_F(CliTest, WrongPassphraseIsReported) {
    std::string pass = "--passphrase-file=" + Path("pass");
    ASSERT_EQ(RunCli({"keygen", "--name", "k.example", "--out", Path("k.key"), pass}).status, 0);
    std::ofstream(Path("wrong")) << "not the passphrase\n";
    ASSERT_EQ(RunCli({"ledger", "append", "--store", Store(), "--data", "x"}).status, 0);
    Output out = RunCli(
        {"ledger",
         "checkpoint",
         "--store",
         Store(),
         "--key-file",
         Path("k.key"),
         "--passphrase-file",
         Path("wrong")}
    );
    EXPECT_NE(out.status, 0);
    EXPECT_NE(out.err.find("wrong passphrase"), std::string::npos) << out.err;
}

TEST_F(CliTest, VerifyProofReadsTransparencyDevJson) {
    fs::path base =
        fs::path(CONCORD_SOURCE_DIR) / "tests/vectors/merkle/transparency-dev-merkle/testdata";
    Output good =
        RunCli({"ledger", "verify-proof", (base / "inclusion/1/happy-path.json").string()});
    EXPECT_EQ(good.status, 0) << good.err;
    Output bad =
        RunCli({"ledger", "verify-proof", (base / "inclusion/1/leafIdx-plus-@1.json").string()});
    EXPECT_EQ(bad.status, 1) << bad.out;
    Output cons =
        RunCli({"ledger", "verify-proof", (base / "consistency/1/happy-path.json").string()});
    EXPECT_EQ(cons.status, 0) << cons.err;
}

TEST_F(CliTest, UsageErrorsExitWithTwo) {
    EXPECT_EQ(RunCli({}).status, 2);
    EXPECT_EQ(RunCli({"frobnicate"}).status, 2);
    EXPECT_EQ(RunCli({"ledger", "append"}).status, 2);
    EXPECT_EQ(RunCli({"--help"}).status, 0);
}

}  // namespace
}  // namespace concord::cli
