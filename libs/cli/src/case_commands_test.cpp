// concord case|duty|deadlines|evidence against two real nodes started in-process (fr.central
// sends, hu.poc receives), over their local APIs on loopback HTTPS.

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <random>
#include <thread>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "concord/core/bytes.hpp"
#include "concord/core/time.hpp"
#include "concord/crypto/base64.hpp"
#include "concord/crypto/ed25519.hpp"
#include "concord/crypto/init.hpp"
#include "concord/crypto/sha256.hpp"
#include "concord/net/client.hpp"
#include "concord/server/config.hpp"
#include "concord/server/init.hpp"
#include "concord/server/service.hpp"
#include "concord/server/testing/people.hpp"
#include "concord/server/testing/two_nodes.hpp"
#include "concord/store/store.hpp"

#include "cli_test_util.hpp"

namespace concord::cli {
namespace {

using testing::Output;
using testing::RunCli;

using server::test_util::ReadText;
using server::test_util::WaitFor;

class CaseCommandsTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(crypto::Initialize());
        dir_ = std::filesystem::temp_directory_path() /
               ("concord-cli-case-" + std::to_string(std::random_device{}()));
        auto inits = server::test_util::InitTwoNodes(dir_, directory_key_);
        ASSERT_TRUE(inits) << inits.error().ToString();
        inits_ = std::move(*inits);
        auto written = server::test_util::WriteDirectory(dir_, inits_, directory_key_, 1);
        ASSERT_TRUE(written) << written.error().ToString();
        for (auto& r : inits_) {
            auto config = server::LoadConfig(r.config_file);
            ASSERT_TRUE(config) << config.error().ToString();
            auto service = server::NodeService::Start(*config);
            ASSERT_TRUE(service) << service.error().ToString();
            services_.push_back(std::move(*service));
        }
    }

    void TearDown() override {
        services_.clear();
        std::filesystem::remove_all(dir_);
    }

    std::string Api(std::size_t i) const {
        return "https://127.0.0.1:" + std::to_string(services_[i]->ApiPort());
    }

    // `concord ARGS... --api A --token T --tls-pin P` against node `i`.
    Output On(std::size_t i, std::vector<std::string> args) const {
        args.insert(
            args.end(),
            {"--api",
             Api(i),
             "--token",
             inits_[i].api_token,
             "--tls-pin",
             inits_[i].entry.tls_sha256}
        );
        return RunCli(args);
    }

    // fr.central sends the expedited preservation example, dated today, to hu.poc; returns the
    // id of the case hu.poc records.
    std::string SendRequestToHu() {
        net::ClientOptions options;
        options.pinned_cert_sha256 = inits_[0].entry.tls_sha256;
        net::HttpClient client(options);
        auto sent = client.Send(
            "POST",
            Api(0) + "/api/v1/messages",
            server::test_util::EmergencySubmissionToHu(
                server::test_util::ExamplePreservationRequest()
            ),
            {{"Authorization", "Bearer " + inits_[0].api_token},
             {"Content-Type", "application/json"}}
        );
        EXPECT_TRUE(sent);
        if (!sent) {
            return "";
        }
        EXPECT_EQ(sent->status, 201u) << sent->body;
        return WaitForIncomingCase();
    }

    // The id of the first incoming case at hu.poc, once there is one ("" if none came).
    std::string WaitForIncomingCase() const {
        std::string case_id;
        EXPECT_TRUE(WaitFor([&] {
            Output listed = On(1, {"case", "list", "--direction", "in", "--json"});
            if (listed.status != 0) {
                return false;
            }
            const boost::json::value answer = boost::json::parse(listed.out);
            const auto& cases = answer.at("cases").as_array();
            if (cases.empty()) {
                return false;
            }
            case_id = std::string(cases[0].at("id").as_string());
            return true;
        }));
        return case_id;
    }

    // fr.central's officer drafts `request` (by default the expedited preservation example) for
    // hu.poc and its approver approves and sends it (a case at both nodes); returns the id of the
    // case hu.poc records. With `return_first`, the approver first returns the draft and the
    // officer revises it (`case return`, `case revise`).
    std::string SendCaseToHu(
        const boost::json::value& request = server::test_util::ExamplePreservationRequest(),
        bool return_first = false
    ) {
        server::testing::ApiClient admin(Api(0), inits_[0].api_token, inits_[0].entry.tls_sha256);
        auto drafter = server::testing::EnrolAndSignIn(
            admin, server::testing::NewPerson{"pierre", "Pierre Roux", {"officer"}, "cyber"}
        );
        auto approver = server::testing::EnrolAndSignIn(
            admin, server::testing::NewPerson{"anne", "Anne Leroy", {"approver"}, "cyber"}
        );
        EXPECT_TRUE(drafter && approver);
        if (!drafter || !approver) {
            return "";
        }
        const auto request_file = dir_ / "request.json";
        std::ofstream(request_file) << boost::json::serialize(request);
        const auto as = [&](const std::string& token, std::vector<std::string> args) {
            args.insert(
                args.end(),
                {"--api", Api(0), "--token", token, "--tls-pin", inits_[0].entry.tls_sha256}
            );
            return RunCli(args);
        };
        Output drafted =
            as(*drafter,
               {"case", "draft", "--request", request_file.string(), "--peer", "hu.poc", "--json"});
        EXPECT_EQ(drafted.status, 0) << drafted.err;
        if (drafted.status != 0) {
            return "";
        }
        const std::string fr_id(boost::json::parse(drafted.out).at("id").as_string());
        if (return_first) {
            Output bare = as(*approver, {"case", "return", fr_id});
            EXPECT_EQ(bare.status, 2) << "--reasons is required";
            Output returned =
                as(*approver, {"case", "return", fr_id, "--reasons", "Name the account."});
            EXPECT_EQ(returned.status, 0) << returned.err;
            EXPECT_NE(returned.out.find("returned"), std::string::npos) << returned.out;
            Output early = as(*approver, {"case", "approve", fr_id});
            EXPECT_EQ(early.status, 1) << "a returned draft is not approved";
            EXPECT_NE(early.err.find("wrong_state"), std::string::npos) << early.err;
            Output revised =
                as(*drafter, {"case", "revise", fr_id, "--request", request_file.string()});
            EXPECT_EQ(revised.status, 0) << revised.err;
            EXPECT_NE(revised.out.find("draft"), std::string::npos) << revised.out;
        }
        Output approved = as(*approver, {"case", "approve", fr_id});
        EXPECT_EQ(approved.status, 0) << approved.err;
        return WaitForIncomingCase();
    }

    // Stops node `i`, lets `change` edit its configuration, and starts it again.
    void Restart(std::size_t i, const std::function<void(server::Config&)>& change) {
        services_[i].reset();
        auto config = server::LoadConfig(inits_[i].config_file);
        ASSERT_TRUE(config) << config.error().ToString();
        change(*config);
        auto restarted = server::NodeService::Start(*config);
        ASSERT_TRUE(restarted) << restarted.error().ToString();
        services_[i] = std::move(*restarted);
    }

    // The directory key the tests trust, in base64.
    [[nodiscard]] std::string TrustedKey() const {
        const auto& pk = directory_key_.PublicKey().Bytes();
        return crypto::Base64Encode(ByteSpan(pk.data(), pk.size()));
    }

    // `concord stats verify PATH` against the directory written in dir_.
    Output VerifyStats(const std::filesystem::path& path) const {
        return RunCli(
            {"stats",
             "verify",
             path.string(),
             "--directory",
             (dir_ / "directory.json").string(),
             "--trusted-key",
             TrustedKey()}
        );
    }

    // Enrols hu.poc's officer olga and returns `concord ARGS...` run as her against hu.poc
    // (a function that fails the test, and runs nothing, when the enrolment failed).
    std::function<Output(std::vector<std::string>)> OlgaAtHu() {
        server::testing::ApiClient admin(Api(1), inits_[1].api_token, inits_[1].entry.tls_sha256);
        auto token = server::testing::EnrolAndSignIn(
            admin, server::testing::NewPerson{"olga", "Olga Varga", {"officer"}, "cyber"}
        );
        EXPECT_TRUE(token) << token.error().ToString();
        return [this, token = token ? *token : std::string()](std::vector<std::string> args) {
            args.insert(
                args.end(),
                {"--api", Api(1), "--token", token, "--tls-pin", inits_[1].entry.tls_sha256}
            );
            return RunCli(args);
        };
    }

    std::filesystem::path dir_;
    crypto::SigningKey directory_key_ = crypto::SigningKey::Generate();
    std::vector<server::InitResult> inits_;
    std::vector<std::unique_ptr<server::NodeService>> services_;
};

TEST_F(CaseCommandsTest, ListOnAnEmptyNodePrintsNoCases) {
    Output listed = On(1, {"case", "list"});
    EXPECT_EQ(listed.status, 0) << listed.err;
    EXPECT_EQ(listed.out, "no cases\n");
    Output json = On(1, {"case", "list", "--json"});
    EXPECT_EQ(json.status, 0) << json.err;
    EXPECT_TRUE(boost::json::parse(json.out).at("cases").as_array().empty());
}

TEST_F(CaseCommandsTest, TokenAndPinDefaultFromTheEnvironmentAndAreNeverPrinted) {
    ::setenv("CONCORD_TOKEN", inits_[1].api_token.c_str(), 1);
    ::setenv("CONCORD_TLS_PIN", inits_[1].entry.tls_sha256.c_str(), 1);
    Output listed = RunCli({"case", "list", "--api", Api(1)});
    ::unsetenv("CONCORD_TOKEN");
    ::unsetenv("CONCORD_TLS_PIN");
    EXPECT_EQ(listed.status, 0) << listed.err;
    EXPECT_EQ(listed.out, "no cases\n");
    Output no_token = RunCli({"case", "list", "--api", Api(1)});
    EXPECT_NE(no_token.status, 0);
    EXPECT_NE(no_token.err.find("CONCORD_TOKEN"), std::string::npos) << no_token.err;
}

TEST_F(CaseCommandsTest, AnIncomingRequestIsListedAndShownWithItsApprovalStatus) {
    const std::string id = SendRequestToHu();
    ASSERT_FALSE(id.empty());

    Output listed = On(1, {"case", "list", "--direction", "in"});
    ASSERT_EQ(listed.status, 0) << listed.err;
    EXPECT_EQ(listed.out.rfind("ID", 0), 0u) << listed.out;
    EXPECT_NE(listed.out.find(id), std::string::npos) << listed.out;
    EXPECT_NE(listed.out.find("fr.central"), std::string::npos) << listed.out;
    EXPECT_NE(listed.out.find("emergency"), std::string::npos) << listed.out;
    Output outgoing = On(1, {"case", "list", "--direction", "out"});
    EXPECT_EQ(outgoing.out, "no cases\n");

    Output shown = On(1, {"case", "show", id});
    ASSERT_EQ(shown.status, 0) << shown.err;
    EXPECT_NE(shown.out.find("case:"), std::string::npos) << shown.out;
    EXPECT_NE(
        shown.out.find("approval: missing: the request carries no signed approval [ALERT"),
        std::string::npos
    ) << shown.out;
    EXPECT_NE(shown.out.find("timeline:"), std::string::npos) << shown.out;
    EXPECT_NE(shown.out.find("notes:\n  (none)"), std::string::npos) << shown.out;

    Output json = On(1, {"case", "show", id, "--json"});
    ASSERT_EQ(json.status, 0) << json.err;
    const auto view = boost::json::parse(json.out);
    EXPECT_EQ(view.at("approval").at("status").as_string(), "missing");

    Output noted = On(1, {"case", "note", id, "--text", "called the provider"});
    EXPECT_EQ(noted.status, 0) << noted.err;
    Output again = On(1, {"case", "show", id});
    EXPECT_NE(again.out.find("node: called the provider"), std::string::npos) << again.out;

    Output deadlines = On(1, {"deadlines", "--case", id, "--json"});
    EXPECT_EQ(deadlines.status, 0) << deadlines.err;
    EXPECT_TRUE(boost::json::parse(deadlines.out).at("deadlines").is_array());
    Output alerts = On(1, {"duty", "alerts", "--json"});
    EXPECT_EQ(alerts.status, 0) << alerts.err;
    EXPECT_TRUE(boost::json::parse(alerts.out).at("alerts").is_array());
}

TEST_F(CaseCommandsTest, AnObligationToProsecuteIsShownAndListedWhereItIsOwedAndFollowed) {
    boost::json::object request =
        boost::json::parse(
            ReadText(std::string(CONCORD_SOURCE_DIR) + "/instruments/examples/extradition.json")
        )
            .as_object();
    request["requesting_party"] = "FR";
    request["requested_party"] = "HU";
    const std::string id = SendCaseToHu(request);
    ASSERT_FALSE(id.empty());
    EXPECT_EQ(On(1, {"case", "obligations"}).out, "no obligations\n");
    ASSERT_EQ(On(1, {"case", "step", id, "--transition", "acknowledge"}).status, 0);
    Output refused =
        On(1,
           {"case",
            "step",
            id,
            "--transition",
            "refuse",
            "--ground",
            "nationality",
            "--reasons",
            "A national of HU."});
    ASSERT_EQ(refused.status, 0) << refused.err;

    Output shown = On(1, {"case", "show", id});
    ASSERT_EQ(shown.status, 0) << shown.err;
    EXPECT_NE(
        shown.out.find("obligation: opened (budapest:24(6), ground nationality; owed here); next "
                       "step due "),
        std::string::npos
    ) << shown.out;
    Output listed = On(1, {"case", "obligations"});
    ASSERT_EQ(listed.status, 0) << listed.err;
    EXPECT_NE(listed.out.find(id), std::string::npos) << listed.out;
    EXPECT_NE(listed.out.find("FR->HU"), std::string::npos) << listed.out;
    EXPECT_EQ(On(1, {"case", "obligations", "--state", "reported"}).out, "no obligations\n");
    EXPECT_EQ(On(1, {"case", "obligations", "--overdue"}).out, "no obligations\n");
    // fr.central follows it, as owed by its peer.
    EXPECT_TRUE(WaitFor([&] {
        Output followed = On(0, {"case", "obligations"});
        return followed.status == 0 && followed.out.find("by peer") != std::string::npos;
    }));
    // A step out of its order exits 1 and names the rule.
    Output early = On(1, {"case", "step", id, "--transition", "report_outcome", "--reasons", "x"});
    EXPECT_EQ(early.status, 1);
    EXPECT_NE(early.err.find("obligation_wrong_state"), std::string::npos) << early.err;
    Output bad = On(1, {"case", "obligations", "--state", "lost"});
    EXPECT_EQ(bad.status, 2) << bad.err;
}

TEST_F(CaseCommandsTest, ACasesAssetsArePrintedWithTheirExactTotals) {
    const std::string id = SendRequestToHu();
    ASSERT_FALSE(id.empty());
    EXPECT_EQ(On(1, {"case", "assets", id}).out, "no assets\n");
    server::testing::ApiClient hu(Api(1), inits_[1].api_token, inits_[1].entry.tls_sha256);
    for (const char* body :
         {R"({"kind":"bank_account","identifier":"DE89370400440532013000","amount":"0.1","currency":"EUR"})",
          R"({"kind":"bank_account","identifier":"GB82WEST12345698765432","amount":"0.2","currency":"EUR"})"}) {
        auto added = hu.Call("POST", "/api/v1/cases/" + id + "/assets", body);
        ASSERT_TRUE(added && added->status == 201) << (added ? added->body : "");
    }
    Output shown = On(1, {"case", "assets", id});
    ASSERT_EQ(shown.status, 0) << shown.err;
    EXPECT_NE(shown.out.find("DE89370400440532013000"), std::string::npos) << shown.out;
    EXPECT_NE(shown.out.find("identified"), std::string::npos) << shown.out;
    // 0.1 + 0.2, exactly.
    EXPECT_NE(shown.out.find("EUR       0.3"), std::string::npos) << shown.out;
    Output json = On(1, {"case", "assets", id, "--json"});
    ASSERT_EQ(json.status, 0) << json.err;
    const auto record = boost::json::parse(json.out);
    EXPECT_EQ(record.at("totals").at("amounts").at("identified").at("EUR").as_string(), "0.3");
}

TEST_F(CaseCommandsTest, AHearingIsAgreedAcrossTheNodesAndItsRecordCheckedAgainstTheFiles) {
    boost::json::object request =
        boost::json::parse(
            ReadText(std::string(CONCORD_SOURCE_DIR) + "/instruments/examples/video-hearing.json")
        )
            .as_object();
    request["instrument"] = "uncac";
    request["requesting_party"] = "FR";
    request["requested_party"] = "HU";
    request["offences"] = boost::json::parse(
        R"([{"article": "uncac:15", "domestic_law": "Code pénal, art. 433-1", "max_penalty_years": 10}])"
    );
    const std::string id = SendCaseToHu(request);
    ASSERT_FALSE(id.empty());
    ASSERT_EQ(On(1, {"case", "step", id, "--transition", "acknowledge"}).status, 0);
    ASSERT_EQ(On(1, {"case", "step", id, "--transition", "accept"}).status, 0);
    Output none = On(1, {"case", "hearing", "show", id});
    EXPECT_EQ(none.out, "no hearing time has been proposed on this case\n") << none.err;

    const auto write = [this](const std::string& name, const std::string& text) {
        const auto path = dir_ / name;
        std::ofstream(path, std::ios::binary) << text;
        return path.string();
    };
    // hu.poc proposes a time in Budapest's zone (summer time in April).
    const std::string proposal = write(
        "proposal.json",
        R"({"slots": [{"start": "2030-04-10T14:00:00+02:00", "time_zone": "Europe/Budapest", "minutes": 90}]})"
    );
    Output proposed =
        On(1, {"case", "step", id, "--transition", "propose_hearing", "--details", proposal});
    ASSERT_EQ(proposed.status, 0) << proposed.err;
    // fr.central sees it on its own case and accepts it.
    Output out_cases = On(0, {"case", "list", "--direction", "out", "--json"});
    ASSERT_EQ(out_cases.status, 0) << out_cases.err;
    const std::string fr_id(
        boost::json::parse(out_cases.out).at("cases").as_array().at(0).at("id").as_string()
    );
    ASSERT_TRUE(WaitFor([&] {
        return On(0, {"case", "hearing", "show", fr_id}).out.find("2030-04-10T14:00:00+02:00") !=
               std::string::npos;
    }));
    const std::string acceptance = write(
        "accept.json",
        R"({"proposal": 1, "slot": 0, "meeting_address": "https://video.justice.example.fr/r/77"})"
    );
    Output accepted =
        On(0, {"case", "step", fr_id, "--transition", "accept_hearing", "--details", acceptance});
    ASSERT_EQ(accepted.status, 0) << accepted.err;
    ASSERT_TRUE(WaitFor([&] {
        return On(1, {"case", "show", id}).out.find("hearing: scheduled for 2030-04-10T14:00:00") !=
               std::string::npos;
    }));

    // hu.poc records the hearing with the hash of its minutes.
    const std::string minutes = write("minutes.txt", "Minutes of the hearing of B. Witness.\n");
    const std::string minutes_hash = HexEncode(crypto::Sha256(AsBytes(ReadText(minutes))));
    boost::json::object record = boost::json::parse(
                                     R"({"participants": [
        {"name": "Judge R. Marchand", "role": "judge", "party": "requesting"},
        {"name": "B. Witness", "role": "witness", "party": "requested"}]})"
    )
                                     .as_object();
    record["held_at"] = FormatTimestamp(NowMillis() - 60'000);
    record["minutes_sha256"] = minutes_hash;
    const std::string record_file = write("record.json", boost::json::serialize(record));
    Output recorded =
        On(1, {"case", "step", id, "--transition", "record_hearing", "--details", record_file});
    ASSERT_EQ(recorded.status, 0) << recorded.err;

    Output checked = On(1, {"case", "hearing", "check", id, "--minutes", minutes});
    EXPECT_EQ(checked.status, 0) << checked.err;
    EXPECT_NE(checked.out.find("minutes: matches the record"), std::string::npos) << checked.out;
    EXPECT_NE(checked.out.find("/api/v1/ledger/proof?index="), std::string::npos);
    const std::string altered = write("altered.txt", "Minutes of the hearing of B. Witnes.\n");
    Output differs = On(1, {"case", "hearing", "check", id, "--minutes", altered});
    EXPECT_EQ(differs.status, 1);
    EXPECT_NE(differs.out.find("minutes: DIFFERS from the record"), std::string::npos)
        << differs.out;
    // fr.central keeps the same record.
    EXPECT_TRUE(WaitFor([&] {
        return On(0, {"case", "hearing", "show", fr_id}).out.find(minutes_hash) !=
               std::string::npos;
    }));
    // A details file that is not a JSON object is bad input (exit status 2) and sends nothing.
    const std::string broken = write("broken.json", "[1, 2]");
    Output bad =
        On(1, {"case", "step", id, "--transition", "propose_hearing", "--details", broken});
    EXPECT_EQ(bad.status, 2);
    EXPECT_NE(bad.err.find("not a JSON object"), std::string::npos) << bad.err;
}

TEST_F(CaseCommandsTest, ADraftReturnedByTheApproverIsRevisedAndThenSent) {
    const std::string hu_id = SendCaseToHu(server::test_util::ExamplePreservationRequest(), true);
    EXPECT_FALSE(hu_id.empty()) << "the revised draft was approved and reached hu.poc";
}

TEST_F(CaseCommandsTest, AStepTheLifecycleRefusesExitsOneAndChangesNothing) {
    const std::string id = SendRequestToHu();
    ASSERT_FALSE(id.empty());
    Output before = On(1, {"case", "show", id, "--json"});
    ASSERT_EQ(before.status, 0) << before.err;
    const auto old_case = boost::json::parse(before.out).at("case");

    Output step = On(1, {"case", "step", id, "--transition", "close"});
    EXPECT_EQ(step.status, 1);
    EXPECT_EQ(step.out, "");
    EXPECT_EQ(step.err.rfind("concord: invalid_argument: ", 0), 0u) << step.err;

    Output after = On(1, {"case", "show", id, "--json"});
    ASSERT_EQ(after.status, 0) << after.err;
    const auto new_case = boost::json::parse(after.out).at("case");
    EXPECT_EQ(new_case.at("state"), old_case.at("state"));
    EXPECT_EQ(new_case.at("version"), old_case.at("version"));
}

TEST_F(CaseCommandsTest, AWrongTokenIsUnauthenticated) {
    Output listed = RunCli(
        {"case",
         "list",
         "--api",
         Api(1),
         "--token",
         "cpt_not-a-token",
         "--tls-pin",
         inits_[1].entry.tls_sha256}
    );
    EXPECT_EQ(listed.status, 1);
    EXPECT_EQ(listed.out, "");
    EXPECT_EQ(listed.err.rfind("concord: unauthenticated: ", 0), 0u) << listed.err;
    EXPECT_EQ(listed.err.find("cpt_not-a-token"), std::string::npos) << listed.err;
}

TEST_F(CaseCommandsTest, AnOfficerAnswersWithEvidenceThatIsDownloadedAndCheckedOffline) {
    const std::string case_id = SendCaseToHu();
    ASSERT_FALSE(case_id.empty());
    const auto as_olga = OlgaAtHu();
    server::testing::ApiClient admin(Api(1), inits_[1].api_token, inits_[1].entry.tls_sha256);
    // Three chunks and a bit (1 MiB chunks), of bytes that are not all alike.
    std::string content(3 * (std::size_t{1} << 20) + 17, '\0');
    std::mt19937 rng(7);
    for (char& c : content) {
        c = static_cast<char>(rng());
    }
    const auto file = dir_ / "subscriber records.bin";
    std::ofstream(file, std::ios::binary) << content;

    Output created = as_olga(
        {"evidence",
         "create",
         case_id,
         "--speciality",
         "--onward-consent",
         "--conditions-note",
         "Only for case 2026/114.",
         "--json"}
    );
    ASSERT_EQ(created.status, 0) << created.err;
    const boost::json::value package = boost::json::parse(created.out);
    EXPECT_EQ(
        boost::json::serialize(package.at("conditions")),
        R"({"confidential":false,"speciality":true,"onward_consent":true,"note":"Only for case 2026/114."})"
    );
    EXPECT_EQ(package.at("to").as_string(), "fr.central");  // the case's other node
    EXPECT_EQ(package.at("state").as_string(), "draft");
    const std::string id(package.at("package").as_string());

    // Uploads cut off two and a half chunks in: the node keeps the two whole chunks, and
    // --resume sends only the rest (the file's hash still covers all of it), once it checked
    // that what the node holds is the start of this file.
    const auto cut_upload = [&](const std::string& encoded_name) {
        server::test_util::CutOffBody cut(content, 5 * (std::size_t{1} << 19));
        net::ClientOptions options;
        options.pinned_cert_sha256 = inits_[1].entry.tls_sha256;
        net::HttpClient client(options);
        EXPECT_FALSE(client.Upload(
            "PUT",
            Api(1) + "/api/v1/evidence/" + id + "/files/" + encoded_name +
                "?size=" + std::to_string(content.size()),
            {{"Authorization", "Bearer " + inits_[1].api_token}, {"Content-Type", "text/csv"}},
            cut,
            content.size()
        ));
    };
    cut_upload("subscriber%20records.bin");
    cut_upload("other.bin");
    std::string changed = content;
    changed[7] = static_cast<char>(changed[7] ^ 1);
    const auto other_file = dir_ / "other.bin";
    std::ofstream(other_file, std::ios::binary) << changed;
    Output mixed;
    ASSERT_TRUE(server::test_util::WaitFor([&] {
        mixed =
            as_olga({"evidence", "add", id, other_file.string(), "--type", "text/csv", "--resume"});
        return mixed.err.find("another file named other.bin") != std::string::npos;
    })) << mixed.err;
    EXPECT_EQ(mixed.status, 2);  // bad input: nothing was sent
    Output added;
    ASSERT_TRUE(server::test_util::WaitFor([&] {
        // Until the node has taken in what was on the wire (another part is refused meanwhile).
        added = as_olga({"evidence", "add", id, file.string(), "--type", "text/csv", "--resume"});
        return added.status == 0;
    })) << added.err;
    EXPECT_NE(
        added.out.find("the node holds the first 2097152 bytes of subscriber records.bin"),
        std::string::npos
    ) << added.out;
    EXPECT_NE(added.out.find("added subscriber records.bin: 3145745 bytes"), std::string::npos)
        << added.out;
    EXPECT_NE(added.out.find("(checked)"), std::string::npos);
    Output again = as_olga({"evidence", "add", id, file.string()});
    EXPECT_EQ(again.status, 1);
    EXPECT_NE(again.err.find("invalid_argument"), std::string::npos) << again.err;

    // No manifest before the seal; the download refuses and leaves nothing.
    const auto early = dir_ / "early";
    Output unsealed = as_olga({"evidence", "download", id, "--out", early.string()});
    EXPECT_NE(unsealed.status, 0);
    EXPECT_NE(unsealed.err.find("not_sealed"), std::string::npos) << unsealed.err;
    EXPECT_FALSE(std::filesystem::exists(early));

    Output sealed = as_olga({"evidence", "seal", id});
    ASSERT_EQ(sealed.status, 0) << sealed.err;
    EXPECT_NE(sealed.out.find("(sealed)"), std::string::npos) << sealed.out;
    Output listed = as_olga({"evidence", "list", case_id});
    ASSERT_EQ(listed.status, 0) << listed.err;
    EXPECT_NE(listed.out.find(id), std::string::npos);

    const auto out = dir_ / "received";
    Output downloaded = as_olga({"evidence", "download", id, "--out", out.string()});
    ASSERT_EQ(downloaded.status, 0) << downloaded.err;
    std::ifstream back(out / "files" / "subscriber records.bin", std::ios::binary);
    const std::string got((std::istreambuf_iterator<char>(back)), {});
    EXPECT_TRUE(got == content) << "the downloaded file differs";
    Output again_download = as_olga({"evidence", "download", id, "--out", out.string()});
    EXPECT_NE(again_download.status, 0);  // never over an existing folder

    // `concord evidence verify FOLDER` against the signed directory, offline.
    const auto verify = [this](const std::filesystem::path& folder) {
        const auto& pk = directory_key_.PublicKey().Bytes();
        return RunCli(
            {"evidence",
             "verify",
             folder.string(),
             "--directory",
             (dir_ / "directory.json").string(),
             "--trusted-key",
             crypto::Base64Encode(ByteSpan(pk.data(), pk.size()))}
        );
    };
    Output verified = verify(out);
    ASSERT_EQ(verified.status, 0) << verified.err << verified.out;
    EXPECT_NE(verified.out.find("Olga Varga (olga, cyber)"), std::string::npos) << verified.out;
    EXPECT_NE(verified.out.find("every hash matches"), std::string::npos);
    EXPECT_NE(
        verified.out.find("USE CONDITIONS: only for the investigation or proceedings the request "
                          "states; onward transfer only with the sender's consent; note: Only "
                          "for case 2026/114."),
        std::string::npos
    ) << verified.out;

    // The package travels to the requesting node by itself: fr.central checks every chunk,
    // records it against its own copy of the case and signs a receipt, which hu.poc verifies.
    std::string fr_case;
    ASSERT_TRUE(WaitFor([&] {
        Output mine = On(0, {"case", "list", "--direction", "out", "--json"});
        const boost::json::value answer = boost::json::parse(mine.out);
        const auto& cases = answer.at("cases").as_array();
        if (mine.status != 0 || cases.empty()) {
            return false;
        }
        fr_case = std::string(cases[0].at("id").as_string());
        Output in = On(0, {"evidence", "show", id, "--json"});
        return in.status == 0 && boost::json::parse(in.out).at("state").as_string() == "received";
    }));
    Output at_fr = On(0, {"evidence", "show", id, "--json"});
    const boost::json::value fr_package = boost::json::parse(at_fr.out);
    EXPECT_EQ(fr_package.at("conditions"), package.at("conditions"));  // as the manifest signed
    Output shown_at_fr = On(0, {"evidence", "show", id});
    EXPECT_NE(shown_at_fr.out.find("USE CONDITIONS: only for the investigation"), std::string::npos)
        << shown_at_fr.out;
    EXPECT_EQ(fr_package.at("case").as_string(), fr_case);
    EXPECT_EQ(fr_package.at("from").as_string(), "hu.poc");
    ASSERT_TRUE(WaitFor([&] {
        Output sent = as_olga({"evidence", "show", id, "--json"});
        return sent.status == 0 &&
               boost::json::parse(sent.out).at("state").as_string() == "delivered";
    }));
    Output sent = as_olga({"evidence", "show", id, "--json"});
    EXPECT_EQ(
        boost::json::parse(sent.out).at("receipt").as_string(), fr_package.at("receipt").as_string()
    );
    const auto at_requester = dir_ / "at-fr";
    Output fetched = On(0, {"evidence", "download", id, "--out", at_requester.string()});
    ASSERT_EQ(fetched.status, 0) << fetched.err;
    std::ifstream there(at_requester / "files" / "subscriber records.bin", std::ios::binary);
    EXPECT_TRUE(std::string((std::istreambuf_iterator<char>(there)), {}) == content);
    EXPECT_NE(fetched.out.find("with the receipt and its ledger proof"), std::string::npos)
        << fetched.out;
    Output custody_checked = verify(at_requester);
    ASSERT_EQ(custody_checked.status, 0) << custody_checked.err << custody_checked.out;
    EXPECT_NE(
        custody_checked.out.find("receipt: fr.central received every file"), std::string::npos
    ) << custody_checked.out;
    EXPECT_NE(custody_checked.out.find("ledger: the receipt's entry"), std::string::npos)
        << custody_checked.out;

    // Another unit's officer may neither read nor add.
    auto other = server::testing::EnrolAndSignIn(
        admin, server::testing::NewPerson{"imre", "Imre Kis", {"officer"}, "fraud"}
    );
    ASSERT_TRUE(other) << other.error().ToString();
    Output assigned = as_olga({"case", "assign", case_id, "--unit", "cyber"});
    ASSERT_EQ(assigned.status, 0) << assigned.err;
    Output refused = RunCli(
        {"evidence",
         "show",
         id,
         "--api",
         Api(1),
         "--token",
         *other,
         "--tls-pin",
         inits_[1].entry.tls_sha256}
    );
    EXPECT_EQ(refused.status, 1);
    EXPECT_NE(refused.err.find("permission_denied"), std::string::npos) << refused.err;

    // The auditor sees who read what (the download and its three files' reads), not the data.
    auto dpo = server::testing::EnrolAndSignIn(
        admin, server::testing::NewPerson{"dalma", "Dalma Dpo", {"auditor"}, "dpo"}
    );
    ASSERT_TRUE(dpo) << dpo.error().ToString();
    Output reads = RunCli(
        {"access-records",
         "--case",
         case_id,
         "--actor",
         "user:olga",
         "--api",
         Api(1),
         "--token",
         *dpo,
         "--tls-pin",
         inits_[1].entry.tls_sha256}
    );
    ASSERT_EQ(reads.status, 0) << reads.err;
    EXPECT_NE(
        reads.out.find(
            "evidence.file_read  " + case_id + "  evidence:" + id + "/subscriber records.bin"
        ),
        std::string::npos
    ) << reads.out;
    EXPECT_EQ(reads.out.find("user:imre"), std::string::npos);  // refused: not a read
    Output not_auditor = as_olga({"access-records", "--case", case_id});
    EXPECT_EQ(not_auditor.status, 1);
}

TEST(CaseCommands, MissingApiIsAUsageError) {
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"case", "list", "--token", "t"},
          std::vector<std::string>{"case", "show", "x", "--token", "t"},
          std::vector<std::string>{"duty", "alerts", "--token", "t"},
          std::vector<std::string>{"deadlines", "--case", "x", "--token", "t"}}) {
        Output r = RunCli(args);
        EXPECT_EQ(r.status, 2) << args[0];
        EXPECT_NE(r.err.find("--api"), std::string::npos) << r.err;
    }
}

TEST_F(CaseCommandsTest, AHeldCasesEvidenceOutlivesItsRetentionAndIsShreddedOnceReleased) {
    const std::string case_id = SendRequestToHu();
    ASSERT_FALSE(case_id.empty());
    const auto file = dir_ / "logins.csv";
    std::ofstream(file) << "user,ip\nx,192.0.2.1\n";
    Output created = On(1, {"evidence", "create", case_id, "--json"});
    ASSERT_EQ(created.status, 0) << created.err;
    const std::string id(boost::json::parse(created.out).at("package").as_string());
    // --resume with no upload under way is an upload from the start.
    Output added = On(1, {"evidence", "add", id, file.string(), "--type", "text/csv", "--resume"});
    ASSERT_EQ(added.status, 0) << added.err;
    EXPECT_NE(added.out.find("added logins.csv: 20 bytes"), std::string::npos) << added.out;
    EXPECT_EQ(added.out.find("the node holds"), std::string::npos) << added.out;

    Output held = On(1, {"evidence", "hold", case_id, "--reason", "trial 12/2027 pending"});
    ASSERT_EQ(held.status, 0) << held.err;
    EXPECT_NE(held.out.find("in force"), std::string::npos) << held.out;
    EXPECT_NE(held.out.find("trial 12/2027 pending"), std::string::npos) << held.out;
    Output twice = On(1, {"evidence", "hold", case_id, "--reason", "again"});
    EXPECT_EQ(twice.status, 1);
    EXPECT_NE(twice.err.find("already_exists"), std::string::npos) << twice.err;

    // hu.poc stays down past the package's retention: its creation is moved two days back and
    // the node comes back with a retention of one day. The sweep at start keeps the held package.
    services_[1].reset();
    auto config = server::LoadConfig(inits_[1].config_file);
    ASSERT_TRUE(config) << config.error().ToString();
    {
        auto store = store::Store::Open(config->store_url);
        ASSERT_TRUE(store) << store.error().ToString();
        auto tx = (*store)->Begin().value();
        auto moved = tx->Execute(
            "UPDATE app_evidence_packages SET created_ms = created_ms - $1 WHERE package = $2",
            {std::int64_t{2} * 24 * 3600 * 1000, id}
        );
        ASSERT_TRUE(moved) << moved.error().ToString();
        ASSERT_EQ(*moved, 1);
        ASSERT_TRUE(tx->Commit());
    }
    config->evidence_retention = std::chrono::days(1);
    auto restarted = server::NodeService::Start(*config);
    ASSERT_TRUE(restarted) << restarted.error().ToString();
    services_[1] = std::move(*restarted);
    Output kept = On(1, {"evidence", "show", id, "--json"});
    ASSERT_EQ(kept.status, 0) << kept.err;
    EXPECT_EQ(boost::json::parse(kept.out).at("state").as_string(), "draft");
    // The package names its period and the hold that stops its clock.
    Output kept_text = On(1, {"evidence", "show", id});
    ASSERT_EQ(kept_text.status, 0) << kept_text.err;
    EXPECT_NE(kept_text.out.find("retention of 1 day(s) from creation"), std::string::npos)
        << kept_text.out;
    EXPECT_NE(kept_text.out.find("the node's default"), std::string::npos) << kept_text.out;
    EXPECT_NE(kept_text.out.find("a legal hold in force since"), std::string::npos)
        << kept_text.out;
    EXPECT_EQ(kept_text.out.find("trial 12/2027"), std::string::npos) << kept_text.out;
    // The retention register shows it kept under the hold, and none of the hold's reason.
    Output register_kept = On(1, {"evidence", "retention"});
    ASSERT_EQ(register_kept.status, 0) << register_kept.err;
    const auto row = register_kept.out.find(id);
    ASSERT_NE(row, std::string::npos) << register_kept.out;
    const std::string line = register_kept.out.substr(row, register_kept.out.find('\n', row) - row);
    EXPECT_NE(line.find("in force since"), std::string::npos) << line;
    EXPECT_NE(line.find(case_id), std::string::npos) << line;
    EXPECT_NE(line.find(" default "), std::string::npos) << line;  // no retention rule is set
    EXPECT_EQ(register_kept.out.find("trial 12/2027"), std::string::npos) << register_kept.out;
    Output none_shredded = On(1, {"evidence", "retention", "--shredded"});
    ASSERT_EQ(none_shredded.status, 0) << none_shredded.err;
    EXPECT_EQ(none_shredded.out.find(id), std::string::npos) << none_shredded.out;
    Output bad_limit = On(1, {"evidence", "retention", "--limit", "0"});
    EXPECT_NE(bad_limit.status, 0);

    // Released, it is shredded at once: the file and its name are gone, its hash stays.
    Output released = On(1, {"evidence", "release", case_id});
    ASSERT_EQ(released.status, 0) << released.err;
    EXPECT_NE(released.out.find("lifted"), std::string::npos) << released.out;
    ASSERT_TRUE(WaitFor([&] {
        Output shown = On(1, {"evidence", "show", id, "--json"});
        return shown.status == 0 &&
               boost::json::parse(shown.out).at("state").as_string() == "shredded";
    }));
    Output shown = On(1, {"evidence", "show", id});
    EXPECT_NE(shown.out.find("the files are gone"), std::string::npos) << shown.out;
    EXPECT_EQ(shown.out.find("logins.csv"), std::string::npos) << shown.out;
    Output gone = On(1, {"evidence", "download", id, "--out", (dir_ / "gone").string()});
    EXPECT_NE(gone.status, 0);
    EXPECT_NE(gone.err.find("shredded"), std::string::npos) << gone.err;
    EXPECT_FALSE(std::filesystem::exists(dir_ / "gone"));
    Output holds = On(1, {"evidence", "holds", case_id});
    ASSERT_EQ(holds.status, 0) << holds.err;
    EXPECT_NE(holds.out.find("lifted"), std::string::npos) << holds.out;
    EXPECT_EQ(holds.out.find("in force"), std::string::npos) << holds.out;
    Output register_shredded = On(1, {"evidence", "retention", "--shredded", "--json"});
    ASSERT_EQ(register_shredded.status, 0) << register_shredded.err;
    const boost::json::value shredded_list = boost::json::parse(register_shredded.out);
    bool listed = false;
    for (const auto& p : shredded_list.at("packages").as_array()) {
        if (p.at("package").as_string() == id) {
            listed = true;
            EXPECT_EQ(p.at("state").as_string(), "shredded");
            EXPECT_TRUE(p.as_object().contains("shredded"));
            EXPECT_FALSE(p.as_object().contains("hold_since"));
        }
    }
    EXPECT_TRUE(listed) << register_shredded.out;
    Output register_after = On(1, {"evidence", "retention"});
    ASSERT_EQ(register_after.status, 0) << register_after.err;
    EXPECT_EQ(register_after.out.find(id), std::string::npos) << register_after.out;
}

// `concord stats NAME` over the two days around now on fr.central: as JSON (parsed) and as
// text; and over a period that ends before it starts, which is refused.
struct PeriodReport {
    boost::json::value json;
    std::string text;
};

class StatsPeriodReportTest : public CaseCommandsTest {
protected:
    PeriodReport Run(const std::string& name) {
        const std::int64_t day = std::int64_t{24} * 3600 * 1000;
        const std::vector<std::string> period = {
            "stats",
            name,
            "--from",
            FormatTimestamp(NowMillis() - day),
            "--to",
            FormatTimestamp(NowMillis() + day)};
        std::vector<std::string> json_args = period;
        json_args.emplace_back("--json");
        Output json = On(0, json_args);
        EXPECT_EQ(json.status, 0) << json.err;
        Output text = On(0, period);
        EXPECT_EQ(text.status, 0) << text.err;
        Output bad =
            On(0,
               {"stats", name, "--from", "2030-01-01T00:00:00Z", "--to", "2029-01-01T00:00:00Z"});
        EXPECT_EQ(bad.status, 1);
        EXPECT_NE(bad.err.find("invalid_argument"), std::string::npos) << bad.err;
        return {json.status == 0 ? boost::json::parse(json.out) : boost::json::value{}, text.out};
    }
};

TEST_F(StatsPeriodReportTest, EuArt28CountsOnlyEpocsAndNamesWhatItDoesNotRecord) {
    // A preservation request under Budapest is no EPOC: the EU report has no order row for it.
    ASSERT_FALSE(SendRequestToHu().empty());
    const PeriodReport r = Run("eu-art28");
    ASSERT_TRUE(r.json.is_object());
    EXPECT_EQ(r.json.at("format").as_string(), "concord-eu-art28/1");
    EXPECT_TRUE(r.json.at("orders").as_array().empty()) << r.json;
    EXPECT_EQ(r.json.at("emergency_epocs").as_int64(), 0);
    EXPECT_EQ(r.json.at("not_recorded").as_array().size(), 6u);
    EXPECT_NE(r.text.find("(b) EPOCs issued as emergency cases: 0"), std::string::npos) << r.text;
    EXPECT_NE(r.text.find("28(2)(j) costs claimed"), std::string::npos) << r.text;
}

TEST_F(StatsPeriodReportTest, HearingsCountOnlyHearingRequests) {
    // A preservation request is no hearing: the hearings report has no row for it.
    ASSERT_FALSE(SendRequestToHu().empty());
    const PeriodReport r = Run("hearings");
    ASSERT_TRUE(r.json.is_object());
    EXPECT_EQ(r.json.at("format").as_string(), "concord-statistics-hearings/1");
    EXPECT_TRUE(r.json.at("hearings").as_array().empty()) << r.json;
    EXPECT_NE(r.text.find("Hearings by video conference"), std::string::npos) << r.text;
    EXPECT_NE(r.text.find("proposals (median)"), std::string::npos) << r.text;
}

TEST_F(CaseCommandsTest, StatsReportCountsTheRequestsAndHidesSmallCountsUntilTheThresholdAllows) {
    const std::string case_id = SendRequestToHu();
    ASSERT_FALSE(case_id.empty());
    Output acknowledged = On(1, {"case", "step", case_id, "--transition", "acknowledge"});
    ASSERT_EQ(acknowledged.status, 0) << acknowledged.err;
    const std::int64_t day = std::int64_t{24} * 3600 * 1000;
    const std::vector<std::string> period = {
        "stats",
        "report",
        "--from",
        FormatTimestamp(NowMillis() - day),
        "--to",
        FormatTimestamp(NowMillis() + day)};
    auto with = [&](std::vector<std::string> more) {
        std::vector<std::string> args = period;
        args.insert(args.end(), more.begin(), more.end());
        return On(1, args);
    };

    // One request: below the default threshold of 5, so the row is there and its figures hidden.
    Output hidden = with({"--json"});
    ASSERT_EQ(hidden.status, 0) << hidden.err;
    const boost::json::value first = boost::json::parse(hidden.out);
    EXPECT_EQ(first.at("threshold").as_int64(), 5);
    ASSERT_EQ(first.at("requests").as_array().size(), 1u) << hidden.out;
    const auto& row = first.at("requests").as_array()[0];
    EXPECT_EQ(row.at("direction").as_string(), "in");
    EXPECT_EQ(row.at("priority").as_string(), "emergency");
    EXPECT_TRUE(row.at("requests").is_null());
    EXPECT_TRUE(row.at("acknowledged").is_null());
    Output text = with({});
    ASSERT_EQ(text.status, 0) << text.err;
    EXPECT_NE(text.out.find("Official statistics from "), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("·"), std::string::npos) << text.out;

    // With a threshold of 1 nothing is hidden.
    ASSERT_NO_FATAL_FAILURE(Restart(1, [](server::Config& c) { c.statistics_threshold = 1; }));
    Output shown = with({"--json"});
    ASSERT_EQ(shown.status, 0) << shown.err;
    const boost::json::value second = boost::json::parse(shown.out);
    const auto& counted = second.at("requests").as_array()[0];
    EXPECT_EQ(counted.at("requests").as_int64(), 1);
    EXPECT_EQ(counted.at("acknowledged").as_int64(), 1);
    EXPECT_EQ(counted.at("open").as_int64(), 1);
    EXPECT_GE(counted.at("acknowledge_median_ms").as_int64(), 0);

    Output csv = with({"--csv"});
    ASSERT_EQ(csv.status, 0) << csv.err;
    EXPECT_EQ(csv.out.rfind("direction,requesting_party,requested_party,", 0), 0u) << csv.out;
    EXPECT_NE(csv.out.find("\r\nin,"), std::string::npos) << csv.out;

    const auto page = dir_ / "statistics.html";
    Output html = with({"--html", "--out", page.string()});
    ASSERT_EQ(html.status, 0) << html.err;
    const std::string body = ReadText(page);
    EXPECT_EQ(body.rfind("<!DOCTYPE html>", 0), 0u);
    EXPECT_NE(body.find("<td>emergency</td>"), std::string::npos) << body;
    EXPECT_EQ(body.find("<script"), std::string::npos);

    Output bad = On(1, {"stats", "report", "--from", "yesterday", "--to", "2030-01-01T00:00:00Z"});
    EXPECT_EQ(bad.status, 1);
    EXPECT_NE(bad.err.find("invalid_parameter"), std::string::npos) << bad.err;
}

TEST_F(CaseCommandsTest, APublishedReportIsProvenUnalteredByAnyoneWithTheDirectory) {
    ASSERT_FALSE(SendRequestToHu().empty());
    const std::int64_t day = std::int64_t{24} * 3600 * 1000;
    const auto file = dir_ / "publication.json";
    Output published =
        On(1,
           {"stats",
            "publish",
            "--from",
            FormatTimestamp(NowMillis() - day),
            "--to",
            FormatTimestamp(NowMillis() + day),
            "--out",
            file.string()});
    ASSERT_EQ(published.status, 0) << published.err;
    EXPECT_NE(published.out.find("of hu.poc (HU) written to"), std::string::npos) << published.out;
    const auto verify = [this](const std::filesystem::path& path) { return VerifyStats(path); };
    Output verified = verify(file);
    ASSERT_EQ(verified.status, 0) << verified.err;
    EXPECT_EQ(verified.out.rfind("OK: statistics of HU (node hu.poc) from ", 0), 0u)
        << verified.out;
    EXPECT_NE(verified.out.find("  ledger: "), std::string::npos) << verified.out;

    // The node lists it, and serves it to anyone on its federation listener, proof renewed.
    Output listed = On(1, {"stats", "publications", "--json"});
    ASSERT_EQ(listed.status, 0) << listed.err;
    boost::json::value document = boost::json::parse(ReadText(file));
    const std::string id(document.at("id").as_string());
    const boost::json::value list = boost::json::parse(listed.out);
    ASSERT_EQ(list.at("publications").as_array().size(), 1u);
    EXPECT_EQ(list.at("publications").as_array()[0].at("id").as_string(), id);
    net::ClientOptions options;
    options.pinned_cert_sha256 = inits_[1].entry.tls_sha256;
    net::HttpClient anyone(options);
    auto fetched = anyone.Send(
        "GET",
        "https://127.0.0.1:" + std::to_string(services_[1]->Port()) +
            "/fed/v1/statistics/publications/" + id,
        "",
        {}
    );
    ASSERT_TRUE(fetched) << fetched.error().ToString();
    ASSERT_EQ(fetched->status, 200u) << fetched->body;
    const auto copy = dir_ / "fetched.json";
    std::ofstream(copy) << fetched->body;
    EXPECT_EQ(verify(copy).status, 0) << verify(copy).err;

    // One figure changed, or a party the node does not belong to: refused.
    boost::json::value changed = document;
    changed.at("report").as_object()["threshold"] = 1;
    const auto altered = dir_ / "altered.json";
    std::ofstream(altered) << boost::json::serialize(changed);
    Output refused = verify(altered);
    EXPECT_EQ(refused.status, 1);
    EXPECT_NE(refused.err.find("not the one published"), std::string::npos) << refused.err;
    boost::json::value other = document;
    other.at("party") = "FR";
    const auto claimed = dir_ / "claimed.json";
    std::ofstream(claimed) << boost::json::serialize(other);
    Output unproven = verify(claimed);
    EXPECT_EQ(unproven.status, 1);
    EXPECT_NE(unproven.err.find("not of FR"), std::string::npos) << unproven.err;
    // A member no check covers, or a date the leaf does not name: refused too.
    for (const auto& [member, value] : std::vector<std::pair<std::string, std::string>>{
             {"note", "approved by the minister"}, {"published", "2020-01-01T00:00:00Z"}}) {
        boost::json::value extra = document;
        extra.as_object()[member] = value;
        const auto with_extra = dir_ / ("extra-" + member + ".json");
        std::ofstream(with_extra) << boost::json::serialize(extra);
        Output checked_extra = verify(with_extra);
        EXPECT_NE(checked_extra.status, 0) << member;
        EXPECT_NE(
            checked_extra.err.find(member == "note" ? "unknown member note" : "of 2020"),
            std::string::npos
        ) << checked_extra.err;
    }

    // fr.central publishes the same period; a secretariat sums both, each input kept whole.
    const std::string from(document.at("report").at("from").as_string());
    const std::string to(document.at("report").at("to").as_string());
    const auto fr_file = dir_ / "fr.json";
    Output fr = On(0, {"stats", "publish", "--from", from, "--to", to, "--out", fr_file.string()});
    ASSERT_EQ(fr.status, 0) << fr.err;
    const auto total = dir_ / "aggregate.json";
    const auto aggregate = [&](std::vector<std::string> inputs) {
        std::vector<std::string> args = {"stats", "aggregate"};
        args.insert(args.end(), inputs.begin(), inputs.end());
        args.insert(
            args.end(),
            {"--directory",
             (dir_ / "directory.json").string(),
             "--trusted-key",
             TrustedKey(),
             "--out",
             total.string()}
        );
        return RunCli(args);
    };
    Output summed = aggregate({file.string(), fr_file.string()});
    ASSERT_EQ(summed.status, 0) << summed.err;
    Output checked = verify(total);
    ASSERT_EQ(checked.status, 0) << checked.err;
    EXPECT_EQ(checked.out.rfind("OK: the totals are the sum of 2 reports\n", 0), 0u) << checked.out;
    boost::json::value sum = boost::json::parse(ReadText(total));
    const auto& rows = sum.at("totals").at("requests").as_array();
    ASSERT_EQ(rows.size(), 1u) << sum;
    // hu.poc's one request is hidden in its report: the total says so instead of guessing.
    EXPECT_EQ(rows[0].at("requests").as_int64(), 0);
    EXPECT_EQ(rows[0].at("hidden_in").at("requests").as_int64(), 1);
    EXPECT_EQ(rows[0].as_object().count("acknowledge_median_ms"), 0u);

    sum.at("totals").at("requests").as_array()[0].as_object()["requests"] = 7;
    std::ofstream(total) << boost::json::serialize(sum);
    Output forged = verify(total);
    EXPECT_EQ(forged.status, 1);
    EXPECT_NE(forged.err.find("not the sum of the inputs"), std::string::npos) << forged.err;
    Output twice = aggregate({file.string(), copy.string()});
    EXPECT_EQ(twice.status, 2);  // bad input, not a failed check
    EXPECT_NE(twice.err.find("two reports of node hu.poc"), std::string::npos) << twice.err;

    // Once hu.poc is revoked in the directory, its publications prove nothing.
    ASSERT_TRUE(server::test_util::WriteDirectory(dir_, inits_, directory_key_, 2, "hu.poc"));
    Output revoked = verify(file);
    EXPECT_EQ(revoked.status, 1);
    EXPECT_NE(revoked.err.find("hu.poc is not in the directory, or revoked"), std::string::npos)
        << revoked.err;
}

TEST_F(CaseCommandsTest, ASecretariatCollectsAReportAndItsPublishedTotalIsProvenOffline) {
    // hu.poc collects statistics reports; fr.central sends its reports there.
    Restart(1, [](server::Config& c) { c.statistics_secretariat = true; });
    Restart(0, [](server::Config& c) { c.statistics_secretariat_node = "hu.poc"; });
    ASSERT_FALSE(SendRequestToHu().empty());
    const std::int64_t day = std::int64_t{24} * 3600 * 1000;
    const std::string from = FormatTimestamp(NowMillis() - day);
    const std::string to = FormatTimestamp(NowMillis() + day);
    const auto fr_file = dir_ / "fr.json";
    Output fr = On(0, {"stats", "publish", "--from", from, "--to", to, "--out", fr_file.string()});
    ASSERT_EQ(fr.status, 0) << fr.err;
    const std::string fr_id(boost::json::parse(ReadText(fr_file)).at("id").as_string());
    Output hu = On(1, {"stats", "publish", "--from", from, "--to", to});
    ASSERT_EQ(hu.status, 0) << hu.err;

    Output sent = On(0, {"stats", "submit", fr_id});
    ASSERT_EQ(sent.status, 0) << sent.err;
    EXPECT_NE(sent.out.find("publication " + fr_id + " sent to hu.poc"), std::string::npos)
        << sent.out;
    ASSERT_TRUE(server::test_util::WaitFor([&] {
        Output listed = On(1, {"stats", "collected", "--json"});
        return listed.status == 0 &&
               boost::json::parse(listed.out).at("reports").as_array().size() == 1;
    }));
    Output table = On(1, {"stats", "collected"});
    ASSERT_EQ(table.status, 0) << table.err;
    EXPECT_NE(table.out.find(fr_id), std::string::npos) << table.out;
    EXPECT_NE(table.out.find("fr.central"), std::string::npos) << table.out;
    // hu.poc sends to no secretariat; fr.central is not one.
    Output nowhere = On(1, {"stats", "submit", fr_id});
    EXPECT_EQ(nowhere.status, 1);
    EXPECT_NE(nowhere.err.find("no secretariat"), std::string::npos) << nowhere.err;
    Output not_secretariat = On(0, {"stats", "total", "--from", from, "--to", to});
    EXPECT_EQ(not_secretariat.status, 1);
    EXPECT_NE(not_secretariat.err.find("collects no statistics reports"), std::string::npos)
        << not_secretariat.err;

    const auto total = dir_ / "total.json";
    Output summed = On(1, {"stats", "total", "--from", from, "--to", to, "--out", total.string()});
    ASSERT_EQ(summed.status, 0) << summed.err;
    EXPECT_NE(summed.out.find("of hu.poc (HU) written to"), std::string::npos) << summed.out;
    const auto verify = [this](const std::filesystem::path& path) { return VerifyStats(path); };
    Output verified = verify(total);
    ASSERT_EQ(verified.status, 0) << verified.err;
    EXPECT_EQ(verified.out.rfind("OK: a total published by hu.poc (HU) on ", 0), 0U)
        << verified.out;
    EXPECT_NE(verified.out.find("the totals are the sum of 2 reports"), std::string::npos)
        << verified.out;
    EXPECT_NE(verified.out.find("statistics of FR (node fr.central)"), std::string::npos)
        << verified.out;
    // The aggregate changed after publication is not the one hu.poc's log holds.
    boost::json::value changed = boost::json::parse(ReadText(total));
    changed.at("aggregate").as_object()["generated"] = "2020-01-01T00:00:00.000Z";
    const auto altered = dir_ / "altered-total.json";
    std::ofstream(altered) << boost::json::serialize(changed);
    Output refused = verify(altered);
    EXPECT_EQ(refused.status, 1);
    EXPECT_NE(refused.err.find("not the one published"), std::string::npos) << refused.err;
}

TEST_F(CaseCommandsTest, APackageItsRecipientKeepsRefusingRaisesADutyAlertAtTheSender) {
    const std::string case_id = SendCaseToHu();
    ASSERT_FALSE(case_id.empty());
    // fr.central accepts no file of more than one byte: it refuses hu.poc's package each time.
    ASSERT_NO_FATAL_FAILURE(Restart(0, [](server::Config& c) { c.evidence_max_file_bytes = 1; }));

    const auto as_olga = OlgaAtHu();
    const auto file = dir_ / "logins.csv";
    std::ofstream(file) << "user,ip\nx,192.0.2.1\n";
    Output created = as_olga({"evidence", "create", case_id, "--json"});
    ASSERT_EQ(created.status, 0) << created.err;
    const std::string id(boost::json::parse(created.out).at("package").as_string());
    ASSERT_EQ(as_olga({"evidence", "add", id, file.string()}).status, 0);
    Output sealed = as_olga({"evidence", "seal", id});
    ASSERT_EQ(sealed.status, 0) << sealed.err;

    // After five refusals in a row (one pass every two seconds) the duty desk has an alert.
    std::string text;
    EXPECT_TRUE(WaitFor(
        [&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(250));
            Output alerts = On(1, {"duty", "alerts", "--json"});
            if (alerts.status != 0) {
                return false;
            }
            const boost::json::value listed = boost::json::parse(alerts.out);
            for (const auto& a : listed.at("alerts").as_array()) {
                if (a.at("kind").as_string() == "evidence.undelivered") {
                    EXPECT_EQ(a.at("case").as_string(), case_id);
                    text = std::string(a.at("text").as_string());
                    const auto& facts = a.at("facts").as_object();
                    EXPECT_EQ(facts.at("package").as_string(), id);
                    EXPECT_EQ(facts.at("peer").as_string(), "fr.central");
                    EXPECT_NE(
                        std::string_view(facts.at("reason").as_string())
                            .find("larger than this node accepts"),
                        std::string_view::npos
                    );
                    return true;
                }
            }
            return false;
        },
        std::chrono::seconds(60)
    ));
    EXPECT_NE(
        text.find("evidence package " + id + " to fr.central keeps being refused"),
        std::string::npos
    ) << text;
    EXPECT_NE(text.find("larger than this node accepts"), std::string::npos) << text;
    Output shown = as_olga({"evidence", "show", id, "--json"});
    ASSERT_EQ(shown.status, 0) << shown.err;
    EXPECT_EQ(boost::json::parse(shown.out).at("state").as_string(), "sealed");
}

}  // namespace
}  // namespace concord::cli
