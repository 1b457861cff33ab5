#include "concord/app/evidence_service.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "concord/crypto/sha256.hpp"
#include "concord/ledger/log.hpp"

#include "case_test_support.hpp"

namespace concord::app {
namespace {

constexpr std::uint32_t kChunk = kMinEvidenceChunkBytes;
constexpr std::int64_t kNow = 1'800'000'000'000;

std::string Slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

class EvidenceServiceTest : public testing::TwoNodes {
protected:
    void SetUp() override {
        TwoNodes::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        ASSERT_TRUE(a_.store->Migrate(EvidenceService::Migrations()));
        blobs_ = DirectoryBlobStore::OpenFolder(dir_ / "fr-blobs").value();
        service_ = MakeService(a_.signing);
        case_id_ =
            a_.cases->Draft(alice_, DraftInput{testing::ExampleRequest(), b_.id, "normal", ""})
                .value()
                .id;
    }

    std::unique_ptr<EvidenceService> MakeService(
        const crypto::SigningKey& node_key,
        std::int64_t retention_ms = kDefaultEvidenceRetentionMs,
        std::vector<RetentionRule> rules = {},
        std::int64_t upload_expiry_ms = kDefaultUploadExpiryMs
    ) {
        EvidenceService::Options options;
        options.retention_ms = retention_ms;
        options.upload_expiry_ms = upload_expiry_ms;
        options.retention_rules = std::move(rules);
        options.cases.facts = [this](std::string_view case_id) {
            return a_.cases->RetentionFactsOf(case_id);
        };
        options.node_id = a_.id;
        options.certifier = CertifierOptions{a_.id, a_.party};
        options.chunk_bytes = kChunk;
        auto service = EvidenceService::Create(
            *a_.store,
            *blobs_,
            node_key,
            a_.box,
            options,
            [this](const Actor& actor, Action action, std::string_view id) {
                return a_.cases->Authorize(actor, action, id);
            }
        );
        EXPECT_TRUE(service) << service.error().ToString();
        (*service)->Attach(a_.node.get());
        return std::move(*service);
    }

    /// The audit leaves of A whose "event" starts with "evidence.", in log order.
    std::vector<boost::json::object> EvidenceLeaves() {
        std::vector<boost::json::object> out;
        auto tx = a_.store->Begin();
        EXPECT_TRUE(tx);
        auto rows = (*tx)->Query("SELECT data FROM ledger_entries ORDER BY idx");
        EXPECT_TRUE(rows);
        for (const store::Row& r : *rows) {
            auto leaf = boost::json::parse(ToString(r.Blob(0))).as_object();
            if (const auto* e = leaf.if_contains("event");
                e != nullptr && e->is_string() && e->as_string().starts_with("evidence.")) {
                out.push_back(std::move(leaf));
            }
        }
        (*tx)->Rollback();
        return out;
    }

    std::unique_ptr<DirectoryBlobStore> blobs_;
    std::unique_ptr<EvidenceService> service_;
    std::string case_id_;
    std::string large_ = std::string(3 * kChunk + 10, 'x') + "end";
};

TEST_P(EvidenceServiceTest, AnOfficerBuildsSealsAndDownloadsAPackageAndEachStepIsAudited) {
    auto package = service_->CreatePackage(alice_, case_id_, b_.id, kNow);
    ASSERT_TRUE(package) << package.error().ToString();
    auto small = service_->AddFile(
        alice_, *package, "subscriber.json", "application/json", MemorySource("{\"a\":1}"), kNow + 1
    );
    ASSERT_TRUE(small) << small.error().ToString();
    ASSERT_TRUE(service_->AddFile(
        alice_,
        *package,
        "traffic.pcap",
        "application/vnd.tcpdump.pcap",
        MemorySource(large_),
        kNow + 2
    ));
    auto draft = service_->Get(alice_, *package).value();
    EXPECT_EQ(draft.state, "draft");
    ASSERT_EQ(draft.files.size(), 2U);
    EXPECT_EQ(draft.files[1].sealed.size, large_.size());
    EXPECT_EQ(draft.files[0].added_by, "alice");

    auto manifest = service_->SealPackage(alice_, *package, *directory_, kNow + 3);
    ASSERT_TRUE(manifest) << manifest.error().ToString();
    auto verified = VerifyManifest(*directory_, *manifest);
    ASSERT_TRUE(verified) << verified.error().message;
    EXPECT_EQ(verified->officer_user, "alice");
    EXPECT_EQ(verified->parsed.manifest.case_id, case_id_);
    EXPECT_EQ(service_->Get(alice_, *package)->state, "sealed");
    // The recipient can open the package key; the files are the ones uploaded.
    const EvidenceManifest& m = verified->parsed.manifest;
    auto key = OpenPackageKey(m.sealed_key, m.package, m.from, m.to, a_.box.PublicKey(), b_.box);
    ASSERT_TRUE(key) << key.error().ToString();
    auto received = dir_ / "received";
    ASSERT_TRUE(ExportPackage(*blobs_, verified->parsed, *manifest, *key, received));
    EXPECT_EQ(Slurp(received / "files" / "traffic.pcap"), large_);

    const auto out = dir_ / "download";
    ASSERT_TRUE(service_->Download(alice_, *package, out, kNow + 4));
    EXPECT_EQ(Slurp(out / "files" / "subscriber.json"), "{\"a\":1}");
    ASSERT_TRUE(VerifyExportedPackage(*directory_, out));

    const auto leaves = EvidenceLeaves();
    ASSERT_EQ(leaves.size(), 5U);
    const char* expected[] = {
        "evidence.created",
        "evidence.file_added",
        "evidence.file_added",
        "evidence.sealed",
        "evidence.downloaded"};
    for (std::size_t i = 0; i < leaves.size(); ++i) {
        EXPECT_EQ(leaves[i].at("event").as_string(), expected[i]);
        EXPECT_EQ(leaves[i].at("actor").as_string(), "user:alice");
        EXPECT_EQ(leaves[i].at("package").as_string(), *package);
    }
    EXPECT_EQ(leaves[2].at("sha256").as_string(), draft.files[1].sealed.sha256);
    EXPECT_EQ(leaves[2].at("encrypted_sha256").as_string(), draft.files[1].sealed.encrypted_sha256);
    EXPECT_FALSE(leaves[1].contains("content"));
}

TEST_P(EvidenceServiceTest, RefusalsChangeNothing) {
    const Actor carol = testing::Person("carol", "fraud", {Role::kOfficer});
    EXPECT_EQ(
        service_->CreatePackage(carol, case_id_, b_.id, kNow).error().code,
        ErrorCode::kPermissionDenied
    );
    EXPECT_EQ(
        service_->CreatePackage(alice_, "no-such-case", b_.id, kNow).error().code,
        ErrorCode::kNotFound
    );
    const std::string package = service_->CreatePackage(alice_, case_id_, b_.id, kNow).value();
    const std::size_t leaves = EvidenceLeaves().size();

    EXPECT_EQ(
        service_->AddFile(carol, package, "a.txt", "text/plain", MemorySource("a"), kNow)
            .error()
            .code,
        ErrorCode::kPermissionDenied
    );
    EXPECT_EQ(service_->Get(carol, package).error().code, ErrorCode::kPermissionDenied);
    EXPECT_EQ(
        service_->AddFile(alice_, package, "../a.txt", "text/plain", MemorySource("a"), kNow)
            .error()
            .code,
        ErrorCode::kInvalidArgument
    );
    const PlaintextSource cut = [](std::span<std::uint8_t>) -> Result<std::size_t> {
        return MakeError(ErrorCode::kUnavailable, "upload cut");
    };
    EXPECT_EQ(
        service_->AddFile(alice_, package, "a.txt", "text/plain", cut, kNow).error().code,
        ErrorCode::kUnavailable
    );
    EXPECT_TRUE(service_->Get(alice_, package)->files.empty());
    EXPECT_EQ(
        service_->SealPackage(alice_, package, *directory_, kNow).error().code,
        ErrorCode::kInvalidArgument
    );
    EXPECT_EQ(
        service_->Download(alice_, package, dir_ / "d", kNow).error().code,
        ErrorCode::kInvalidArgument
    );
    EXPECT_EQ(EvidenceLeaves().size(), leaves);

    ASSERT_TRUE(service_->AddFile(alice_, package, "a.txt", "text/plain", MemorySource("a"), kNow));
    EXPECT_EQ(
        service_->AddFile(alice_, package, "a.txt", "text/plain", MemorySource("b"), kNow)
            .error()
            .code,
        ErrorCode::kInvalidArgument
    );
    EXPECT_EQ(
        service_->SealPackage(Actor::Node(), package, *directory_, kNow).error().code,
        ErrorCode::kInvalidArgument
    );
    EXPECT_EQ(
        service_->SealPackage(bob_, package, *directory_, kNow).error().code,
        ErrorCode::kPermissionDenied
    );
    ASSERT_TRUE(service_->SealPackage(alice_, package, *directory_, kNow));
    EXPECT_EQ(
        service_->SealPackage(alice_, package, *directory_, kNow).error().code,
        ErrorCode::kInvalidArgument
    );
    EXPECT_EQ(
        service_->AddFile(alice_, package, "b.txt", "text/plain", MemorySource("b"), kNow)
            .error()
            .code,
        ErrorCode::kInvalidArgument
    );
    EXPECT_EQ(service_->Get(alice_, package)->files.size(), 1U);
    EXPECT_EQ(
        service_->Get(alice_, "01a2b3c4-d5e6-7f00-8000-000000000001").error().code,
        ErrorCode::kNotFound
    );
}

TEST_P(EvidenceServiceTest, PackageKeysDoNotOpenWithoutTheNodesKey) {
    const std::string package = service_->CreatePackage(alice_, case_id_, b_.id, kNow).value();
    ASSERT_TRUE(
        service_->AddFile(alice_, package, "a.txt", "text/plain", MemorySource("secret"), kNow)
    );
    ASSERT_TRUE(service_->SealPackage(alice_, package, *directory_, kNow));
    // The same database and blobs under another node key (a copy without the key file).
    auto stranger = MakeService(crypto::SigningKey::Generate());
    auto download = stranger->Download(alice_, package, dir_ / "stolen", kNow);
    ASSERT_FALSE(download);
    EXPECT_EQ(download.error().code, ErrorCode::kUnauthenticated);
    EXPECT_FALSE(std::filesystem::exists(dir_ / "stolen"));
}

TEST_P(EvidenceServiceTest, AFileIsReadInPiecesAndEachReadIsAudited) {
    const std::string package = service_->CreatePackage(alice_, case_id_, b_.id, kNow).value();
    ASSERT_TRUE(
        service_->AddFile(alice_, package, "log.txt", "text/plain", MemorySource(large_), kNow + 1)
    );
    const std::size_t before = EvidenceLeaves().size();
    auto read = service_->OpenFile(alice_, package, "log.txt", kNow + 2);
    ASSERT_TRUE(read) << read.error().ToString();
    EXPECT_EQ(read->file.sealed.size, large_.size());
    std::string back;
    Bytes buffer(777);
    while (true) {
        auto n = read->reader.Read(buffer);
        ASSERT_TRUE(n) << n.error().ToString();
        if (*n == 0) {
            break;
        }
        back.append(reinterpret_cast<const char*>(buffer.data()), *n);
    }
    EXPECT_EQ(back, large_);
    auto leaves = EvidenceLeaves();
    ASSERT_EQ(leaves.size(), before + 1);
    EXPECT_EQ(leaves.back().at("event").as_string(), "evidence.file_read");
    EXPECT_EQ(leaves.back().at("file").as_string(), "log.txt");
    EXPECT_EQ(leaves.back().at("sha256").as_string(), read->file.sealed.sha256);
    EXPECT_EQ(leaves.back().at("actor").as_string(), "user:alice");

    // Refusals record no read.
    const Actor carol = testing::Person("carol", "fraud", {Role::kOfficer});
    EXPECT_EQ(
        service_->OpenFile(carol, package, "log.txt", kNow).error().code,
        ErrorCode::kPermissionDenied
    );
    EXPECT_EQ(
        service_->OpenFile(alice_, package, "other.txt", kNow).error().code, ErrorCode::kNotFound
    );
    EXPECT_EQ(EvidenceLeaves().size(), before + 1);

    // The case lists its packages; another unit's officer may not list them.
    const std::string second = service_->CreatePackage(alice_, case_id_, b_.id, kNow + 5).value();
    auto listed = service_->ListForCase(alice_, case_id_);
    ASSERT_TRUE(listed) << listed.error().ToString();
    ASSERT_EQ(listed->size(), 2U);
    EXPECT_EQ((*listed)[0].package, package);
    EXPECT_EQ((*listed)[0].files.size(), 1U);
    EXPECT_EQ((*listed)[1].package, second);
    EXPECT_EQ(service_->ListForCase(carol, case_id_).error().code, ErrorCode::kPermissionDenied);
}

constexpr std::int64_t kDay = std::int64_t{24} * 3600 * 1000;

TEST_P(EvidenceServiceTest, APackageIsShreddedWhenItsRetentionEndsAndTheLogStillVerifies) {
    service_ = MakeService(a_.signing, kDay);
    const std::string package = service_->CreatePackage(alice_, case_id_, b_.id, kNow).value();
    ASSERT_TRUE(service_->AddFile(
        alice_, package, "mailbox.mbox", "application/mbox", MemorySource(large_), kNow + 1
    ));
    ASSERT_TRUE(service_->SealPackage(alice_, package, *directory_, kNow + 2));
    const EvidenceFile before = service_->Get(alice_, package)->files.at(0);
    ASSERT_TRUE(blobs_->Contains(before.sealed.encrypted_sha256).value());

    EXPECT_EQ(service_->Expire(kNow + kDay - 1, 10).value(), 0U);
    EXPECT_EQ(service_->Get(alice_, package)->state, "sealed");
    auto expired = service_->Expire(kNow + kDay, 10);
    ASSERT_TRUE(expired) << expired.error().ToString();
    EXPECT_EQ(*expired, 1U);

    const EvidencePackage after = service_->Get(alice_, package).value();
    EXPECT_EQ(after.state, "shredded");
    EXPECT_EQ(after.shredded_ms, kNow + kDay);
    EXPECT_TRUE(after.manifest.empty());
    ASSERT_EQ(after.files.size(), 1U);
    EXPECT_EQ(after.files[0].name, "file-0");  // a file name can be personal data
    EXPECT_EQ(after.files[0].sealed.sha256, before.sealed.sha256);
    EXPECT_FALSE(blobs_->Contains(before.sealed.encrypted_sha256).value());
    auto read = service_->OpenFile(alice_, package, "file-0", kNow + kDay + 1);
    ASSERT_FALSE(read);
    EXPECT_EQ(read.error().code, ErrorCode::kNotFound);
    EXPECT_NE(read.error().message.find("shredded"), std::string::npos) << read.error().message;
    EXPECT_EQ(
        service_->Download(alice_, package, dir_ / "gone", kNow + kDay + 1).error().code,
        ErrorCode::kNotFound
    );
    EXPECT_FALSE(std::filesystem::exists(dir_ / "gone"));
    EXPECT_TRUE(service_->Outgoing(10)->empty());
    EXPECT_EQ(service_->Expire(kNow + 2 * kDay, 10).value(), 0U);

    // The database keeps no key: a copy of it and of the node's key file opens nothing.
    {
        auto tx = a_.store->Begin().value();
        auto rows =
            tx->Query("SELECT sealed_key FROM app_evidence_packages WHERE package = $1", {package});
        ASSERT_TRUE(rows);
        EXPECT_TRUE(rows->at(0).Blob("sealed_key").empty());
        tx->Rollback();
    }
    const boost::json::object leaf = EvidenceLeaves().back();
    EXPECT_EQ(leaf.at("event").as_string(), "evidence.shredded");
    EXPECT_EQ(leaf.at("actor").as_string(), "node");
    EXPECT_EQ(
        leaf.at("files").as_array().at(0).as_object().at("sha256").as_string(), before.sealed.sha256
    );
    EXPECT_EQ(leaf.find("name"), leaf.end());
    // Every leaf of the log, the shredded package's own among them, still hashes to its tree.
    auto log = ledger::Log::Open(*a_.store).value();
    auto tx = a_.store->Begin().value();
    auto verified = log->VerifyAll(*tx, {});
    EXPECT_TRUE(verified) << verified.error().ToString();
}

TEST_P(EvidenceServiceTest, ALegalHoldStopsTheRetentionClockUntilItIsLifted) {
    service_ = MakeService(a_.signing, kDay);
    const std::string package = service_->CreatePackage(alice_, case_id_, b_.id, kNow).value();
    ASSERT_TRUE(service_->AddFile(
        alice_, package, "logins.csv", "text/csv", MemorySource("a,b\n"), kNow + 1
    ));
    auto hold = service_->PlaceHold(alice_, case_id_, "trial 12/2027 pending", kNow + 1000);
    ASSERT_TRUE(hold) << hold.error().ToString();
    EXPECT_EQ(
        service_->PlaceHold(dora_, case_id_, "again", kNow + 1001).error().code,
        ErrorCode::kAlreadyExists
    );
    EXPECT_EQ(service_->Expire(kNow + 10 * kDay, 10).value(), 0U);
    EXPECT_EQ(service_->Get(alice_, package)->state, "draft");

    ASSERT_TRUE(service_->LiftHold(dora_, case_id_, kNow + 6000));
    EXPECT_EQ(service_->Get(alice_, package)->held_ms, 5000);
    EXPECT_EQ(service_->LiftHold(alice_, case_id_, kNow + 6001).error().code, ErrorCode::kNotFound);
    EXPECT_EQ(service_->Expire(kNow + kDay + 4999, 10).value(), 0U);
    EXPECT_EQ(service_->Expire(kNow + kDay + 5000, 10).value(), 1U);
    EXPECT_EQ(service_->Get(alice_, package)->state, "shredded");

    auto holds = service_->HoldsOf(alice_, case_id_).value();
    ASSERT_EQ(holds.size(), 1U);
    EXPECT_EQ(holds[0].hold, *hold);
    EXPECT_EQ(holds[0].reason, "trial 12/2027 pending");
    EXPECT_EQ(holds[0].placed_by, "user:alice");
    EXPECT_EQ(holds[0].lifted_by, "user:dora");
    EXPECT_EQ(holds[0].lifted_ms, kNow + 6000);
    std::vector<std::string> events;
    for (const boost::json::object& leaf : EvidenceLeaves()) {
        events.emplace_back(leaf.at("event").as_string());
        if (events.back() == "evidence.hold_lifted") {
            EXPECT_EQ(leaf.at("held_ms").as_int64(), 5000);
        }
        if (events.back().starts_with("evidence.hold_")) {
            // The reason stays at the node: it can name people.
            EXPECT_EQ(leaf.find("reason"), leaf.end());
        }
    }
    EXPECT_NE(std::find(events.begin(), events.end(), "evidence.hold_placed"), events.end());
    EXPECT_NE(std::find(events.begin(), events.end(), "evidence.hold_lifted"), events.end());
}

TEST_P(EvidenceServiceTest, TheRetentionRegisterShowsEndsAndHoldsToTheAuditorOnly) {
    service_ = MakeService(a_.signing, kDay);
    const Actor auditor = testing::Person("audrey", "audit", {Role::kAuditor});
    const std::string older = service_->CreatePackage(alice_, case_id_, b_.id, kNow).value();
    ASSERT_TRUE(
        service_->AddFile(alice_, older, "logins.csv", "text/csv", MemorySource("a,b\n"), kNow + 1)
    );
    ASSERT_TRUE(service_->AddFile(
        alice_, older, "mailbox.mbox", "application/mbox", MemorySource(large_), kNow + 2
    ));
    const std::string newer = service_->CreatePackage(alice_, case_id_, b_.id, kNow + 50).value();

    // An officer of the case has no right to the register; the auditor has it without any case.
    EXPECT_EQ(
        service_->RetentionRegister(alice_, RetentionView::kKept, 10).error().code,
        ErrorCode::kPermissionDenied
    );
    auto kept = service_->RetentionRegister(auditor, RetentionView::kKept, 10);
    ASSERT_TRUE(kept) << kept.error().ToString();
    ASSERT_EQ(kept->size(), 2U);
    EXPECT_EQ((*kept)[0].package, older);  // the soonest end first
    EXPECT_EQ((*kept)[0].case_id, case_id_);
    EXPECT_EQ((*kept)[0].from, a_.id);
    EXPECT_EQ((*kept)[0].to, b_.id);
    EXPECT_EQ((*kept)[0].state, "draft");
    EXPECT_EQ((*kept)[0].files, 2U);
    EXPECT_EQ((*kept)[0].bytes, 4U + large_.size());
    EXPECT_EQ((*kept)[0].retention_end_ms, kNow + kDay);
    EXPECT_EQ((*kept)[0].hold_since_ms, 0);
    EXPECT_EQ((*kept)[1].package, newer);
    EXPECT_EQ((*kept)[1].files, 0U);
    EXPECT_EQ((*kept)[1].bytes, 0U);
    EXPECT_EQ(service_->RetentionRegister(auditor, RetentionView::kKept, 1)->size(), 1U);

    // The package itself shows the same period and end to the officer of its case.
    auto seen = service_->Get(alice_, older);
    ASSERT_TRUE(seen) << seen.error().ToString();
    EXPECT_EQ(seen->retention_ms, kDay);
    EXPECT_EQ(seen->retention_rule, "");
    EXPECT_EQ(seen->retention_end_ms, kNow + kDay);
    EXPECT_EQ(seen->hold_since_ms, 0);

    // A hold shows with its start; once lifted, the end has moved by the time held.
    ASSERT_TRUE(service_->PlaceHold(alice_, case_id_, "trial pending", kNow + 1000));
    EXPECT_EQ(
        service_->RetentionRegister(auditor, RetentionView::kKept, 10)->at(0).hold_since_ms,
        kNow + 1000
    );
    EXPECT_EQ(service_->Get(alice_, older)->hold_since_ms, kNow + 1000);
    EXPECT_EQ(service_->Get(alice_, newer)->hold_since_ms, kNow + 1000);
    ASSERT_TRUE(service_->LiftHold(alice_, case_id_, kNow + 6000));
    kept = service_->RetentionRegister(auditor, RetentionView::kKept, 10);
    ASSERT_TRUE(kept);
    EXPECT_EQ((*kept)[0].hold_since_ms, 0);
    EXPECT_EQ((*kept)[0].held_ms, 5000);
    EXPECT_EQ((*kept)[0].retention_end_ms, kNow + kDay + 5000);
    seen = service_->Get(alice_, older);
    ASSERT_TRUE(seen);
    EXPECT_EQ(seen->hold_since_ms, 0);
    EXPECT_EQ(seen->retention_end_ms, kNow + kDay + 5000);

    // Shredded, the older package moves to the other view; the newer one stays.
    EXPECT_EQ(service_->Expire(kNow + kDay + 5000, 10).value(), 1U);
    kept = service_->RetentionRegister(auditor, RetentionView::kKept, 10);
    ASSERT_TRUE(kept);
    ASSERT_EQ(kept->size(), 1U);
    EXPECT_EQ((*kept)[0].package, newer);
    auto shredded = service_->RetentionRegister(auditor, RetentionView::kShredded, 10);
    ASSERT_TRUE(shredded);
    ASSERT_EQ(shredded->size(), 1U);
    EXPECT_EQ((*shredded)[0].package, older);
    EXPECT_EQ((*shredded)[0].state, "shredded");
    EXPECT_EQ((*shredded)[0].shredded_ms, kNow + kDay + 5000);
    EXPECT_EQ((*shredded)[0].bytes, 4U + large_.size());  // sizes stay after shredding
}

TEST_P(EvidenceServiceTest, ARuleForTheCasesInstrumentPartyOrCategoryGivesItsPackagesTheirPeriod) {
    // The case is a Budapest request from FR to JP for subscriber and traffic data.
    service_ = MakeService(
        a_.signing,
        10 * kDay,
        {{"budapest", "", "", 5 * kDay},
         {"budapest", "JP", "traffic", 2 * kDay},
         {"", "US", "", kDay},
         {"", "", "content", kDay}}
    );
    const Actor auditor = testing::Person("audrey", "audit", {Role::kAuditor});
    const std::string package = service_->CreatePackage(alice_, case_id_, b_.id, kNow).value();
    ASSERT_TRUE(service_->AddFile(
        alice_, package, "logins.csv", "text/csv", MemorySource("a,b\n"), kNow + 1
    ));
    auto kept = service_->RetentionRegister(auditor, RetentionView::kKept, 10);
    ASSERT_TRUE(kept) << kept.error().ToString();
    ASSERT_EQ(kept->size(), 1U);
    EXPECT_EQ((*kept)[0].retention_ms, 2 * kDay);
    EXPECT_EQ((*kept)[0].retention_rule, "instrument=budapest,party=JP,category=traffic");
    EXPECT_EQ((*kept)[0].retention_end_ms, kNow + 2 * kDay);
    auto seen = service_->Get(alice_, package);
    ASSERT_TRUE(seen) << seen.error().ToString();
    EXPECT_EQ(seen->retention_ms, 2 * kDay);
    EXPECT_EQ(seen->retention_rule, "instrument=budapest,party=JP,category=traffic");
    EXPECT_EQ(seen->retention_end_ms, kNow + 2 * kDay);
    const boost::json::object created = EvidenceLeaves().front();
    EXPECT_EQ(created.at("event").as_string(), "evidence.created");
    EXPECT_EQ(created.at("retention").at("period_ms").as_int64(), 2 * kDay);
    EXPECT_EQ(
        created.at("retention").at("rule").as_string(),
        "instrument=budapest,party=JP,category=traffic"
    );

    EXPECT_EQ(service_->Expire(kNow + 2 * kDay - 1, 10).value(), 0U);
    EXPECT_EQ(service_->Expire(kNow + 2 * kDay, 10).value(), 1U);
    EXPECT_EQ(service_->Get(alice_, package)->state, "shredded");

    // A node without rules gives the same case its default, and names no rule.
    service_ = MakeService(a_.signing, 10 * kDay);
    const std::string plain = service_->CreatePackage(alice_, case_id_, b_.id, kNow).value();
    kept = service_->RetentionRegister(auditor, RetentionView::kKept, 10);
    ASSERT_TRUE(kept);
    ASSERT_EQ(kept->size(), 1U);
    EXPECT_EQ((*kept)[0].package, plain);
    EXPECT_EQ((*kept)[0].retention_ms, 10 * kDay);
    EXPECT_EQ((*kept)[0].retention_rule, "");
    const boost::json::object leaf = EvidenceLeaves().back();
    EXPECT_EQ(leaf.at("retention").at("period_ms").as_int64(), 10 * kDay);
    EXPECT_FALSE(leaf.at("retention").as_object().contains("rule"));

    // Such a package follows the default as the node has it at each sweep: started again with
    // 20 days, the node keeps it past the 10 it had when the package was created.
    service_ = MakeService(a_.signing, 20 * kDay);
    kept = service_->RetentionRegister(auditor, RetentionView::kKept, 10);
    ASSERT_TRUE(kept);
    ASSERT_EQ(kept->size(), 1U);
    EXPECT_EQ((*kept)[0].retention_ms, 20 * kDay);
    EXPECT_EQ((*kept)[0].retention_end_ms, kNow + 20 * kDay);
    EXPECT_EQ(service_->Get(alice_, plain)->retention_ms, 20 * kDay);
    EXPECT_EQ(service_->Get(alice_, plain)->retention_end_ms, kNow + 20 * kDay);
    EXPECT_EQ(service_->Expire(kNow + 10 * kDay, 10).value(), 0U);
    EXPECT_EQ(service_->Expire(kNow + 20 * kDay, 10).value(), 1U);
    EXPECT_EQ(service_->Get(alice_, plain)->state, "shredded");
}

TEST_P(EvidenceServiceTest, TheLogHoldsAPackagesConditionsButItsNoteOnlyByHash) {
    PackageTerms terms;
    terms.conditions.confidential = true;
    terms.conditions.note = "Not to be shown to J. Doe's employer.";
    auto package = service_->CreatePackage(alice_, case_id_, b_.id, kNow, terms);
    ASSERT_TRUE(package) << package.error().ToString();
    EXPECT_EQ(service_->Get(alice_, *package)->conditions, terms.conditions);
    const boost::json::object leaf = EvidenceLeaves().back();
    ASSERT_EQ(leaf.at("event").as_string(), "evidence.created");
    const boost::json::object& logged = leaf.at("conditions").as_object();
    EXPECT_TRUE(logged.at("confidential").as_bool());
    EXPECT_EQ(logged.find("note"), logged.end());
    EXPECT_EQ(
        logged.at("note_sha256").as_string(),
        HexEncode(crypto::Sha256(AsBytes(terms.conditions.note)))
    );
}

TEST_P(EvidenceServiceTest, AHoldNeedsAReasonAndTheRightToEditTheCase) {
    const Actor carol = testing::Person("carol", "fraud", {Role::kOfficer});
    const Actor auditor = testing::Person("audrey", "audit", {Role::kAuditor});
    EXPECT_EQ(
        service_->PlaceHold(carol, case_id_, "mine", kNow).error().code,
        ErrorCode::kPermissionDenied
    );
    EXPECT_EQ(
        service_->PlaceHold(auditor, case_id_, "mine", kNow).error().code,
        ErrorCode::kPermissionDenied
    );
    EXPECT_EQ(
        service_->PlaceHold(alice_, case_id_, "", kNow).error().code, ErrorCode::kInvalidArgument
    );
    EXPECT_EQ(
        service_->PlaceHold(alice_, case_id_, std::string(501, 'r'), kNow).error().code,
        ErrorCode::kInvalidArgument
    );
    EXPECT_EQ(
        service_->PlaceHold(alice_, case_id_, "\xff", kNow).error().code,
        ErrorCode::kInvalidArgument
    );
    EXPECT_EQ(service_->HoldsOf(carol, case_id_).error().code, ErrorCode::kPermissionDenied);
    EXPECT_TRUE(service_->HoldsOf(alice_, case_id_)->empty());
}

/// The bytes of `text` from `from` to `to`, in pieces of at most 1000 bytes; then the connection
/// breaks (kUnavailable) unless `to` is the end of `text`.
PlaintextSource Part(const std::string& text, std::size_t from, std::size_t to) {
    auto at = std::make_shared<std::size_t>(from);
    return [&text, at, to](std::span<std::uint8_t> out) -> Result<std::size_t> {
        if (*at == to) {
            if (to == text.size()) {
                return std::size_t{0};
            }
            return MakeError(ErrorCode::kUnavailable, "the connection broke");
        }
        const std::size_t n = std::min({out.size(), to - *at, std::size_t{1000}});
        std::copy_n(text.data() + *at, n, out.data());
        *at += n;
        return n;
    };
}

TEST_P(EvidenceServiceTest, AnUploadCutOffGoesOnFromTheLastWholeChunkAndIsRecordedOnceWhole) {
    const std::string package = service_->CreatePackage(alice_, case_id_, b_.id, kNow).value();
    const std::string& text = large_;  // three whole chunks and a bit
    const auto size = static_cast<std::uint64_t>(text.size());
    // Broken off two and a half chunks in: the two whole chunks are kept.
    const std::size_t cut = 2 * kChunk + kChunk / 2;
    auto first = service_->AddFilePart(
        alice_, package, "log.txt", "text/plain", size, 0, Part(text, 0, cut), kNow + 1
    );
    ASSERT_FALSE(first);
    EXPECT_EQ(first.error().code, ErrorCode::kUnavailable);
    auto status = service_->UploadStatusOf(alice_, package, "log.txt");
    ASSERT_TRUE(status) << status.error().ToString();
    EXPECT_EQ(status->received, 2 * kChunk);
    EXPECT_EQ(status->size, size);
    EXPECT_EQ(status->media_type, "text/plain");
    EXPECT_EQ(status->started_by, "user:alice");
    EXPECT_EQ(
        status->received_sha256,
        HexEncode(crypto::Sha256(AsBytes(std::string_view(text).substr(0, 2 * kChunk))))
    );
    const EvidencePackage draft = service_->Get(alice_, package).value();
    EXPECT_TRUE(draft.files.empty());  // nothing recorded yet, but the upload shows under way
    ASSERT_EQ(draft.uploads.size(), 1U);
    EXPECT_EQ(draft.uploads[0].name, "log.txt");
    EXPECT_EQ(draft.uploads[0].received, 2 * kChunk);
    EXPECT_EQ(draft.uploads[0].size, size);

    // A part that does not start where the kept bytes end is not read.
    auto wrong = service_->AddFilePart(
        alice_, package, "log.txt", "text/plain", size, cut, Part(text, cut, text.size()), kNow + 2
    );
    ASSERT_TRUE(wrong) << wrong.error().ToString();
    EXPECT_FALSE(wrong->accepted);
    EXPECT_EQ(wrong->status.received, 2 * kChunk);
    // Nor one of another size or type.
    EXPECT_EQ(
        service_
            ->AddFilePart(
                alice_, package, "log.txt", "text/csv", size, 2 * kChunk, Part(text, 0, 0), kNow
            )
            .error()
            .code,
        ErrorCode::kInvalidArgument
    );

    // A part that ends early, cleanly, keeps its whole chunks too.
    const std::size_t early = 3 * kChunk + 5;
    auto second = service_->AddFilePart(
        alice_,
        package,
        "log.txt",
        "text/plain",
        size,
        2 * kChunk,
        Part(text, 2 * kChunk, early),
        kNow + 3
    );
    ASSERT_FALSE(second);
    EXPECT_EQ(service_->UploadStatusOf(alice_, package, "log.txt")->received, 3 * kChunk);
    auto last = service_->AddFilePart(
        alice_,
        package,
        "log.txt",
        "text/plain",
        size,
        3 * kChunk,
        Part(text, 3 * kChunk, text.size()),
        kNow + 4
    );
    ASSERT_TRUE(last) << last.error().ToString();
    ASSERT_TRUE(last->accepted);
    ASSERT_TRUE(last->file.has_value());
    EXPECT_EQ(last->file->sealed.size, size);
    EXPECT_EQ(last->file->sealed.sha256, HexEncode(crypto::Sha256(AsBytes(text))));
    EXPECT_EQ(
        service_->UploadStatusOf(alice_, package, "log.txt").error().code, ErrorCode::kNotFound
    );
    EXPECT_TRUE(service_->Get(alice_, package)->uploads.empty());

    // The file reads back whole, and its blob is the one a single upload would have made of it
    // (same layout, hashes checked when it is opened).
    ASSERT_TRUE(service_->SealPackage(alice_, package, *directory_, kNow + 5));
    const auto out = dir_ / "download";
    ASSERT_TRUE(service_->Download(alice_, package, out, kNow + 6));
    EXPECT_EQ(Slurp(out / "files" / "log.txt"), text);
    ASSERT_TRUE(VerifyExportedPackage(*directory_, out));
    const auto leaves = EvidenceLeaves();
    const auto added = std::count_if(leaves.begin(), leaves.end(), [](const auto& leaf) {
        return leaf.at("event").as_string() == "evidence.file_added";
    });
    EXPECT_EQ(added, 1);  // one file, recorded once, whatever the number of parts
}

TEST_P(EvidenceServiceTest, AnUploadAbandonedPastItsExpiryIsDroppedAndOneContinuedIsNot) {
    constexpr std::int64_t kExpiry = 3600 * 1000;
    service_ = MakeService(a_.signing, kDefaultEvidenceRetentionMs, {}, kExpiry);
    const std::string package = service_->CreatePackage(alice_, case_id_, b_.id, kNow).value();
    const std::string& text = large_;
    const auto size = static_cast<std::uint64_t>(text.size());
    // Two uploads broken off at kNow, each with two whole chunks kept.
    for (const char* name : {"kept.txt", "left.txt"}) {
        ASSERT_FALSE(service_->AddFilePart(
            alice_, package, name, "text/plain", size, 0, Part(text, 0, 2 * kChunk + 7), kNow
        ));
        ASSERT_EQ(service_->UploadStatusOf(alice_, package, name)->received, 2 * kChunk);
    }
    // One goes on (and breaks off again) just before the expiry: its clock starts again.
    ASSERT_FALSE(service_->AddFilePart(
        alice_,
        package,
        "kept.txt",
        "text/plain",
        size,
        2 * kChunk,
        Part(text, 2 * kChunk, 3 * kChunk + 3),
        kNow + kExpiry - 1
    ));
    auto none = service_->ExpireUploads(kNow + kExpiry - 1, 100);
    ASSERT_TRUE(none) << none.error().ToString();
    EXPECT_EQ(*none, 0U);
    auto one = service_->ExpireUploads(kNow + kExpiry, 100);
    ASSERT_TRUE(one) << one.error().ToString();
    EXPECT_EQ(*one, 1U);
    EXPECT_EQ(
        service_->UploadStatusOf(alice_, package, "left.txt").error().code, ErrorCode::kNotFound
    );
    const EvidencePackage draft = service_->Get(alice_, package).value();
    ASSERT_EQ(draft.uploads.size(), 1U);
    EXPECT_EQ(draft.uploads[0].name, "kept.txt");
    EXPECT_EQ(draft.uploads[0].received, 3 * kChunk);
    // Its partial blob is gone: starting "left.txt" over begins from nothing.
    auto again = service_->AddFilePart(
        alice_, package, "left.txt", "text/plain", size, 2 * kChunk, Part(text, 0, 0), kNow
    );
    ASSERT_TRUE(again) << again.error().ToString();
    EXPECT_FALSE(again->accepted);
    EXPECT_EQ(again->status.received, 0U);
    const auto leaves = EvidenceLeaves();
    const auto expired = std::find_if(leaves.begin(), leaves.end(), [](const auto& leaf) {
        return leaf.at("event").as_string() == "evidence.upload_expired";
    });
    ASSERT_NE(expired, leaves.end());
    EXPECT_EQ(expired->at("name").as_string(), "left.txt");
    EXPECT_EQ(expired->at("case").as_string(), case_id_);
    // Two whole chunks, encrypted: each with its authentication tag, after the stream header.
    const auto kept = expired->at("kept_encrypted_bytes").to_number<std::int64_t>();
    EXPECT_GT(kept, 2 * kChunk);
    EXPECT_LT(kept, 2 * kChunk + 100);
    EXPECT_EQ(expired->at("actor").as_string(), "node");
    // The one continued goes on to the end and is recorded; later sweeps find nothing.
    auto done = service_->AddFilePart(
        alice_,
        package,
        "kept.txt",
        "text/plain",
        size,
        3 * kChunk,
        Part(text, 3 * kChunk, text.size()),
        kNow + kExpiry + 1
    );
    ASSERT_TRUE(done) << done.error().ToString();
    EXPECT_TRUE(done->file.has_value());
    EXPECT_EQ(*service_->ExpireUploads(kNow + 10 * kExpiry, 100), 0U);
}

TEST_P(EvidenceServiceTest, APartialBlobThatNoUploadNamesIsRemovedByTheNextSweep) {
    const std::string package = service_->CreatePackage(alice_, case_id_, b_.id, kNow).value();
    const std::string& text = large_;
    const auto size = static_cast<std::uint64_t>(text.size());
    for (const char* name : {"gone.txt", "going-on.txt"}) {
        ASSERT_FALSE(service_->AddFilePart(
            alice_, package, name, "text/plain", size, 0, Part(text, 0, 2 * kChunk + 7), kNow
        ));
    }
    const auto partials = [this] {
        std::vector<std::string> names;
        for (const auto& e : std::filesystem::directory_iterator(dir_ / "fr-blobs" / "partial")) {
            names.push_back(e.path().filename().string());
        }
        return names;
    };
    ASSERT_EQ(partials().size(), 2U);
    // The node stopped after a commit that dropped "gone.txt" and before its blob went.
    {
        auto tx = a_.store->Begin();
        ASSERT_TRUE(tx);
        ASSERT_TRUE((*tx)->Execute(
            "DELETE FROM app_evidence_uploads WHERE package = $1 AND name = 'gone.txt'", {package}
        ));
        ASSERT_TRUE((*tx)->Commit());
    }
    auto swept = service_->ExpireUploads(kNow, 100);
    ASSERT_TRUE(swept) << swept.error().ToString();
    EXPECT_EQ(*swept, 0U);  // no upload expired
    ASSERT_EQ(partials().size(), 1U);
    // What is left is the blob of the upload under way, which goes on where it stood.
    auto status = service_->UploadStatusOf(alice_, package, "going-on.txt");
    ASSERT_TRUE(status) << status.error().ToString();
    EXPECT_EQ(status->received, 2 * kChunk);
}

TEST_P(EvidenceServiceTest, KeptBytesThatNoLongerAuthenticateAreSentAgain) {
    const std::string package = service_->CreatePackage(alice_, case_id_, b_.id, kNow).value();
    const std::string& text = large_;
    const auto size = static_cast<std::uint64_t>(text.size());
    ASSERT_FALSE(service_->AddFilePart(
        alice_, package, "log.txt", "text/plain", size, 0, Part(text, 0, 2 * kChunk + 1), kNow
    ));
    ASSERT_EQ(service_->UploadStatusOf(alice_, package, "log.txt")->received, 2 * kChunk);
    // A disk alters a byte of the second chunk: the next part finds it and asks from there.
    std::filesystem::path partial;
    for (const auto& entry : std::filesystem::directory_iterator(dir_ / "fr-blobs" / "partial")) {
        partial = entry.path();
    }
    ASSERT_FALSE(partial.empty());
    {
        std::fstream f(partial, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(static_cast<std::streamoff>(
            crypto::kStreamHeaderBytes + kChunk + crypto::kStreamChunkOverhead + 7
        ));
        f.put('\x01');
    }
    // The status reads the kept bytes back: it counts only what still authenticates.
    auto checked = service_->UploadStatusOf(alice_, package, "log.txt");
    ASSERT_TRUE(checked) << checked.error().ToString();
    EXPECT_EQ(checked->received, kChunk);
    EXPECT_EQ(
        checked->received_sha256,
        HexEncode(crypto::Sha256(AsBytes(std::string_view(text).substr(0, kChunk))))
    );
    auto refused = service_->AddFilePart(
        alice_,
        package,
        "log.txt",
        "text/plain",
        size,
        2 * kChunk,
        Part(text, 2 * kChunk, text.size()),
        kNow + 1
    );
    ASSERT_TRUE(refused) << refused.error().ToString();
    EXPECT_FALSE(refused->accepted);
    EXPECT_EQ(refused->status.received, kChunk);
    auto done = service_->AddFilePart(
        alice_,
        package,
        "log.txt",
        "text/plain",
        size,
        kChunk,
        Part(text, kChunk, text.size()),
        kNow + 2
    );
    ASSERT_TRUE(done) << done.error().ToString();
    ASSERT_TRUE(done->file.has_value());
    EXPECT_EQ(done->file->sealed.sha256, HexEncode(crypto::Sha256(AsBytes(text))));
}

TEST_P(EvidenceServiceTest, AnUploadRefusesExtraBytesAndEndsWhenItsPackageIsSealed) {
    const std::string package = service_->CreatePackage(alice_, case_id_, b_.id, kNow).value();
    // An upload never started has nothing kept: go on from byte 0.
    auto unknown = service_->AddFilePart(
        alice_, package, "a.txt", "text/plain", 10, 4, Part(large_, 4, 10), kNow
    );
    ASSERT_TRUE(unknown) << unknown.error().ToString();
    EXPECT_FALSE(unknown->accepted);
    EXPECT_EQ(unknown->status.received, 0U);
    EXPECT_EQ(
        service_
            ->AddFilePart(alice_, package, "a.txt", "text/plain", 10, 0, Part(large_, 0, 11), kNow)
            .error()
            .code,
        ErrorCode::kInvalidArgument
    );
    const Actor carol = testing::Person("carol", "fraud", {Role::kOfficer});
    EXPECT_EQ(
        service_->UploadStatusOf(carol, package, "a.txt").error().code, ErrorCode::kPermissionDenied
    );
    // An empty file in one part.
    const std::string empty;
    auto nothing = service_->AddFilePart(
        alice_, package, "empty.txt", "text/plain", 0, 0, Part(empty, 0, 0), kNow
    );
    ASSERT_TRUE(nothing) << nothing.error().ToString();
    ASSERT_TRUE(nothing->file.has_value());
    EXPECT_EQ(nothing->file->sealed.size, 0U);

    ASSERT_FALSE(service_->AddFilePart(
        alice_, package, "b.txt", "text/plain", large_.size(), 0, Part(large_, 0, kChunk + 1), kNow
    ));
    ASSERT_TRUE(service_->UploadStatusOf(alice_, package, "b.txt"));
    ASSERT_TRUE(service_->SealPackage(alice_, package, *directory_, kNow + 1));
    EXPECT_EQ(
        service_->UploadStatusOf(alice_, package, "b.txt").error().code, ErrorCode::kNotFound
    );
    EXPECT_TRUE(std::filesystem::is_empty(dir_ / "fr-blobs" / "partial"));
    EXPECT_EQ(
        service_
            ->AddFilePart(
                alice_,
                package,
                "b.txt",
                "text/plain",
                large_.size(),
                0,
                Part(large_, 0, large_.size()),
                kNow + 2
            )
            .error()
            .code,
        ErrorCode::kInvalidArgument
    );
    EXPECT_EQ(service_->Get(alice_, package)->files.size(), 1U);
}

INSTANTIATE_TEST_SUITE_P(
    Backends,
    EvidenceServiceTest,
    ::testing::Values("sqlite", "postgres"),
    [](const auto& param_info) { return std::string(param_info.param); }
);

}  // namespace
}  // namespace concord::app
