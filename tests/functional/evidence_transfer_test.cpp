// Evidence packages between two real concordd processes. Transfer (docs/formats/evidence.md
// "Transfer"): the recipient is killed (SIGKILL) at a random point of the transfer and started
// again; the sender resumes from the last whole chunk the recipient kept instead of starting
// over, and the file arrives whole, with the recipient's receipt at the sender. Retention
// (docs/operations.md "Retention and legal holds"): what is past its retention is shredded when a
// node starts, except under a legal hold, whose release shreds it at once.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <tuple>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "concord/crypto/sha256.hpp"
#include "concord/net/client.hpp"
#include "concord/server/config.hpp"
#include "concord/server/testing/api_client.hpp"
#include "concord/server/testing/pattern_body.hpp"
#include "concord/server/testing/people.hpp"
#include "concord/server/testing/two_nodes.hpp"
#include "concord/store/store.hpp"

#include "federation_harness.hpp"

namespace concord::functional {
namespace {

constexpr std::uint64_t kFileBytes = std::uint64_t{96} << 20;
constexpr std::uint64_t kSealedChunk = (std::uint64_t{1} << 20) + 17;  // the default chunk

// A person's client of a node's local API.
std::unique_ptr<server::testing::ApiClient> As(TestNode& node, const std::string& token) {
    return std::make_unique<server::testing::ApiClient>(
        node.ApiUrl(), token, node.Entry().tls_sha256
    );
}

std::string Enrol(TestNode& node, const char* login, const char* role) {
    auto token = server::testing::EnrolAndSignIn(
        node.Api(), server::testing::NewPerson{login, login, {role}, "cyber"}
    );
    EXPECT_TRUE(token) << Why(token);
    return token ? *token : "";
}

// The offsets the sender's log says it resumed from ("evidence transfer resumes").
std::vector<std::uint64_t> ResumedOffsets(const std::filesystem::path& log) {
    std::vector<std::uint64_t> out;
    std::ifstream in(log);
    for (std::string line; std::getline(in, line);) {
        if (line.find("\"evidence transfer resumes\"") == std::string::npos) {
            continue;
        }
        out.push_back(static_cast<std::uint64_t>(boost::json::parse(line).at("offset").as_int64()));
    }
    return out;
}

// A case at both nodes: drafted and approved at fr.central, received by hu.poc. Returns the case
// ids at fr.central and at hu.poc (empty after a failure, which is reported).
std::pair<std::string, std::string> CaseAtBoth(TestNode& fr, TestNode& hu) {
    auto drafter = As(fr, Enrol(fr, "pierre", "officer"));
    auto approver = As(fr, Enrol(fr, "anne", "approver"));
    boost::json::object draft{
        {"request", server::test_util::ExamplePreservationRequest()}, {"peer_node", "hu.poc"}};
    auto drafted = drafter->Call("POST", "/api/v1/cases", boost::json::serialize(draft));
    EXPECT_TRUE(drafted && drafted->status == 201) << (drafted ? drafted->body : Why(drafted));
    if (!drafted || drafted->status != 201) {
        return {};
    }
    const std::string fr_case(drafted->json.at("id").as_string());
    auto approved = approver->Call("POST", "/api/v1/cases/" + fr_case + "/approve", "{}");
    EXPECT_TRUE(approved && approved->status == 200) << (approved ? approved->body : Why(approved));
    std::string hu_case;
    EXPECT_TRUE(WaitFor([&] {
        auto in = hu.Api().Call("GET", "/api/v1/cases?direction=in");
        if (!in || in->status != 200 || in->json.at("cases").as_array().empty()) {
            return false;
        }
        hu_case = std::string(in->json.at("cases").as_array()[0].at("id").as_string());
        return true;
    }));
    return {fr_case, hu_case};
}

// fr.central and hu.poc as processes, a case at both, and hu.poc's officer olga with a new draft
// evidence package of it (Open).
struct Scene {
    Federation f;
    std::string fr_case;
    std::string hu_case;
    std::string olga_token;
    std::unique_ptr<server::testing::ApiClient> olga;
    std::string package;

    TestNode& Fr() { return f.Node(0); }
    TestNode& Hu() { return f.Node(1); }

    // PUTs `size` bytes of `body` as the file `name` of the package, as olga.
    Result<net::Response> Upload(
        const std::string& name,
        server::testing::PatternBody& body,
        std::uint64_t size,
        std::string_view media_type,
        std::chrono::seconds timeout
    ) {
        net::ClientOptions options = olga->Options();
        options.timeout = timeout;
        net::HttpClient uploader(options);
        return uploader.Upload(
            "PUT",
            Hu().ApiUrl() + "/api/v1/evidence/" + package + "/files/" + name,
            {{"Authorization", "Bearer " + olga_token}, {"Content-Type", std::string(media_type)}},
            body,
            size
        );
    }
};

void Open(Scene& s) {
    s.f.AddNode("fr.central", "FR", "central_authority");
    s.f.AddNode("hu.poc", "HU", "point_of_contact_24_7");
    ASSERT_TRUE(s.f.Create());
    ASSERT_TRUE(s.f.StartAll());
    std::tie(s.fr_case, s.hu_case) = CaseAtBoth(s.Fr(), s.Hu());
    ASSERT_FALSE(s.hu_case.empty());
    s.olga_token = Enrol(s.Hu(), "olga", "officer");
    s.olga = As(s.Hu(), s.olga_token);
    auto created = s.olga->Call("POST", "/api/v1/cases/" + s.hu_case + "/evidence", "{}");
    ASSERT_TRUE(created && created->status == 201) << (created ? created->body : Why(created));
    s.package = std::string(created->json.at("package").as_string());
}

TEST(EvidenceTransfer, ARecipientKilledMidTransferResumesFromTheLastChunkItKept) {
    Scene scene;
    ASSERT_NO_FATAL_FAILURE(Open(scene));
    TestNode& fr = scene.Fr();
    TestNode& hu = scene.Hu();
    const auto& olga = scene.olga;
    const std::string& package = scene.package;

    // hu.poc's officer answers with a 96 MiB file.
    server::testing::PatternBody body(kFileBytes);
    auto uploaded = scene.Upload(
        "capture.bin", body, kFileBytes, "application/octet-stream", std::chrono::seconds(60)
    );
    ASSERT_TRUE(uploaded && uploaded->status == 201) << (uploaded ? uploaded->body : Why(uploaded));
    const std::string sha256 = HexEncode(body.Sha256());

    // Sealed, the package starts towards fr.central; fr.central is killed once a random share
    // (20-80 %) of the encrypted file is on its disk, and started again.
    std::mt19937_64 rng(std::random_device{}());
    const std::uint64_t kill_at = kFileBytes / 5 + rng() % (kFileBytes * 3 / 5);
    const auto partial = fr.Dir() / "blobs" / "partial" / (package + "-0");
    auto sealed = olga->Call("POST", "/api/v1/evidence/" + package + "/seal", "{}");
    ASSERT_TRUE(sealed && sealed->status == 200) << (sealed ? sealed->body : Why(sealed));
    std::uint64_t kept_at_kill = 0;
    ASSERT_TRUE(WaitFor([&] {
        std::error_code ec;
        kept_at_kill = std::filesystem::file_size(partial, ec);
        return !ec && kept_at_kill >= kill_at;
    })) << "the transfer never reached the kill point ("
        << kill_at << " bytes)\n"
        << hu.LogTail();
    fr.Kill();
    ASSERT_TRUE(std::filesystem::exists(partial)) << "the file completed before the kill";
    std::cout << "recipient killed with " << kept_at_kill << " of " << kFileBytes + 96 * 17 + 24
              << " encrypted bytes on disk" << std::endl;
    ASSERT_TRUE(fr.Start());

    ASSERT_TRUE(WaitFor([&] {
        auto sent = olga->Call("GET", "/api/v1/evidence/" + package);
        return sent && sent->status == 200 && sent->json.at("state").as_string() == "delivered";
    })) << hu.LogTail();

    // The sender resumed from where the recipient's checked bytes ended: at most the chunk that
    // was torn by the kill was sent twice, never the file from its start.
    const auto resumed = ResumedOffsets(hu.Dir() / "concordd.log");
    ASSERT_FALSE(resumed.empty()) << hu.LogTail();
    const std::uint64_t resumed_at = resumed.back();
    std::cout << "resumed at byte " << resumed_at << "; resent "
              << (kept_at_kill > resumed_at ? kept_at_kill - resumed_at : 0)
              << " bytes that had reached the recipient's disk (one chunk is " << kSealedChunk
              << ")" << std::endl;
    EXPECT_GT(resumed_at, 0U);
    EXPECT_GE(resumed_at + kSealedChunk, kept_at_kill);

    // fr.central holds it against its own case, with the receipt hu.poc recorded, and the
    // bytes it serves are the bytes uploaded.
    auto in = fr.Api().Call("GET", "/api/v1/evidence/" + package);
    ASSERT_TRUE(in && in->status == 200) << (in ? in->body : Why(in));
    EXPECT_EQ(in->json.at("state").as_string(), "received");
    EXPECT_EQ(in->json.at("case").as_string(), scene.fr_case);
    EXPECT_EQ(in->json.at("files").as_array()[0].at("sha256").as_string(), sha256);
    auto sent = olga->Call("GET", "/api/v1/evidence/" + package);
    ASSERT_TRUE(sent);
    EXPECT_EQ(sent->json.at("receipt"), in->json.at("receipt"));
    crypto::Sha256Hasher hasher;
    std::uint64_t bytes = 0;
    net::HttpClient downloader(fr.Api().Options());
    auto downloaded = downloader.Download(
        fr.ApiUrl() + "/api/v1/evidence/" + package + "/files/capture.bin",
        {{"Authorization", "Bearer " + fr.Init().api_token}},
        [&](std::span<const std::uint8_t> piece) -> Result<void> {
            hasher.Update(ByteSpan(piece.data(), piece.size()));
            bytes += piece.size();
            return {};
        }
    );
    ASSERT_TRUE(downloaded && downloaded->status == 200) << Why(downloaded);
    EXPECT_EQ(bytes, kFileBytes);
    EXPECT_EQ(HexEncode(hasher.Finish()), sha256);
    EXPECT_FALSE(std::filesystem::exists(partial));
    scene.f.ExpectCleanShutdown();
}

// Moves the creation of `package` two days back in the store of the stopped `node`.
void MoveCreationTwoDaysBack(TestNode& node, const std::string& package) {
    auto config = server::LoadConfig(node.Init().config_file);
    ASSERT_TRUE(config) << Why(config);
    auto store = store::Store::Open(config->store_url);
    ASSERT_TRUE(store) << Why(store);
    auto tx = (*store)->Begin();
    ASSERT_TRUE(tx) << Why(tx);
    auto moved = (*tx)->Execute(
        "UPDATE app_evidence_packages SET created_ms = created_ms - $1 WHERE package = $2",
        {std::int64_t{2} * 24 * 3600 * 1000, package}
    );
    ASSERT_TRUE(moved && *moved == 1) << node.Id() << ": " << (moved ? "no such row" : Why(moved));
    ASSERT_TRUE((*tx)->Commit());
}

// The clock is not turned: while both nodes are down, the package's creation is moved two days
// back in each store, and they come back with a retention of one day.
TEST(EvidenceRetention, AStartShredsWhatIsPastRetentionButAHeldCaseKeepsItUntilReleased) {
    Scene scene;
    ASSERT_NO_FATAL_FAILURE(Open(scene));
    TestNode& fr = scene.Fr();
    TestNode& hu = scene.Hu();
    const auto& olga = scene.olga;
    const std::string& package = scene.package;
    const std::string& hu_case = scene.hu_case;
    server::testing::PatternBody body(5000);
    auto uploaded = scene.Upload("logins.csv", body, 5000, "text/csv", std::chrono::seconds(30));
    ASSERT_TRUE(uploaded && uploaded->status == 201) << (uploaded ? uploaded->body : Why(uploaded));
    auto sealed = olga->Call("POST", "/api/v1/evidence/" + package + "/seal", "{}");
    ASSERT_TRUE(sealed && sealed->status == 200) << (sealed ? sealed->body : Why(sealed));
    ASSERT_TRUE(WaitFor([&] {
        auto sent = olga->Call("GET", "/api/v1/evidence/" + package);
        return sent && sent->status == 200 && sent->json.at("state").as_string() == "delivered";
    })) << hu.LogTail();

    // hu.poc holds its case; fr.central does not hold its own.
    auto held = olga->Call(
        "PUT", "/api/v1/cases/" + hu_case + "/hold", R"({"reason":"trial 12/2027 pending"})"
    );
    ASSERT_TRUE(held && held->status == 201) << (held ? held->body : Why(held));

    for (TestNode* node : {&fr, &hu}) {
        const int status = node->Terminate();
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << node->LogTail();
        MoveCreationTwoDaysBack(*node, package);
        ASSERT_TRUE(node->SetConfig("evidence", "retention", "\"1d\""));
        ASSERT_TRUE(node->Start()) << node->LogTail();
    }

    // fr.central shredded its copy before it served anyone: the key and the name are gone, the
    // hash is kept, the file answers 410.
    auto at_fr = fr.Api().Call("GET", "/api/v1/evidence/" + package);
    ASSERT_TRUE(at_fr && at_fr->status == 200) << (at_fr ? at_fr->body : Why(at_fr));
    EXPECT_EQ(at_fr->json.at("state").as_string(), "shredded") << fr.LogTail();
    const auto& file = at_fr->json.at("files").as_array().at(0);
    EXPECT_EQ(file.at("name").as_string(), "file-0");
    EXPECT_EQ(file.at("sha256").as_string(), HexEncode(body.Sha256()));
    auto gone = fr.Api().Call("GET", "/api/v1/evidence/" + package + "/files/file-0");
    ASSERT_TRUE(gone) << Why(gone);
    EXPECT_EQ(gone->status, 410U) << gone->body;
    // hu.poc kept its own under the hold; released, it shreds it at once.
    auto at_hu = olga->Call("GET", "/api/v1/evidence/" + package);
    ASSERT_TRUE(at_hu && at_hu->status == 200) << (at_hu ? at_hu->body : Why(at_hu));
    EXPECT_EQ(at_hu->json.at("state").as_string(), "delivered") << hu.LogTail();
    auto released = olga->Call("DELETE", "/api/v1/cases/" + hu_case + "/hold");
    ASSERT_TRUE(released && released->status == 200) << (released ? released->body : Why(released));
    EXPECT_FALSE(released->json.at("in_force").as_bool());
    // Lifting it again is refused with a reason a client can act on.
    auto again = olga->Call("DELETE", "/api/v1/cases/" + hu_case + "/hold");
    ASSERT_TRUE(again && again->status == 404) << (again ? again->body : Why(again));
    EXPECT_EQ(again->json.at("error").at("reason").as_string(), "no_hold_in_force") << again->body;
    ASSERT_TRUE(WaitFor([&] {
        auto now = olga->Call("GET", "/api/v1/evidence/" + package);
        return now && now->status == 200 && now->json.at("state").as_string() == "shredded";
    })) << hu.LogTail();
    std::size_t blobs = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(hu.Dir() / "blobs")) {
        blobs += entry.is_regular_file() ? 1U : 0U;
    }
    EXPECT_EQ(blobs, 0U) << "hu.poc keeps encrypted files of a shredded package";
    scene.f.ExpectCleanShutdown();
}

}  // namespace
}  // namespace concord::functional
