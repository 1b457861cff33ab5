// The transfer of a sealed package from its sender's EvidenceService to its recipient's, as the
// federation routes drive it: offer, files in pieces with resume, refusals, receipt.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "concord/app/evidence_receipt.hpp"
#include "concord/app/evidence_service.hpp"
#include "concord/crypto/sha256.hpp"

#include "case_test_support.hpp"

namespace concord::app {
namespace {

constexpr std::uint32_t kChunk = kMinEvidenceChunkBytes;
constexpr std::uint64_t kHeader = crypto::kStreamHeaderBytes;
constexpr std::uint64_t kSealedChunk = kChunk + crypto::kStreamChunkOverhead;
constexpr std::int64_t kNow = 1'800'000'000'000;

std::string Slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

/// An EncryptedSource over `bytes` (which must outlive it).
EncryptedSource Source(std::string_view bytes) {
    return
        [bytes, at = std::size_t{0}](std::span<std::uint8_t> out) mutable -> Result<std::size_t> {
            const std::size_t n = std::min(out.size(), bytes.size() - at);
            std::copy_n(bytes.data() + at, n, out.data());
            at += n;
            return n;
        };
}

class EvidenceTransferTest : public testing::TwoNodes {
protected:
    void SetUp() override {
        TwoNodes::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        ASSERT_TRUE(a_.store->Migrate(EvidenceService::Migrations()));
        ASSERT_TRUE(b_.store->Migrate(EvidenceService::Migrations()));
        a_blobs_ = DirectoryBlobStore::OpenFolder(dir_ / "fr-blobs").value();
        b_blobs_ = DirectoryBlobStore::OpenFolder(dir_ / "hu-blobs").value();
        sender_ = MakeService(a_, *a_blobs_);
        recipient_ = MakeService(b_, *b_blobs_);
        const std::string case_id =
            a_.cases->Draft(alice_, DraftInput{testing::ExampleRequest(), b_.id, "normal", ""})
                .value()
                .id;
        package_ = sender_->CreatePackage(alice_, case_id, b_.id, kNow).value();
        ASSERT_TRUE(sender_->AddFile(
            alice_, package_, "subscriber.json", "application/json", MemorySource(small_), kNow
        ));
        ASSERT_TRUE(sender_->AddFile(
            alice_, package_, "traffic.pcap", "application/octet-stream", MemorySource(large_), kNow
        ));
        manifest_ = sender_->SealPackage(alice_, package_, *directory_, kNow + 1).value();
        const auto files = sender_->Get(alice_, package_)->files;
        for (const EvidenceFile& f : files) {
            sealed_.push_back(BlobBytes(*a_blobs_, f.sealed.encrypted_sha256));
        }
    }

    std::unique_ptr<EvidenceService> MakeService(
        testing::NodeUnderTest& n,
        BlobStore& blobs,
        std::vector<RetentionRule> rules = {},
        std::function<Result<RetentionFacts>(std::string_view)> facts = {}
    ) {
        EvidenceService::Options options;
        options.node_id = n.id;
        options.certifier = CertifierOptions{n.id, n.party};
        options.chunk_bytes = kChunk;
        options.retention_rules = std::move(rules);
        // Case links are left unset: the manifest names the sender's case id, which these tests
        // do not look up (CaseService's links are tested with the node). `facts` stands for the
        // recipient's own case where a test needs it.
        options.cases.facts = std::move(facts);
        auto service = EvidenceService::Create(
            *n.store,
            blobs,
            n.signing,
            n.box,
            options,
            [](const Actor&, Action, std::string_view) { return Result<void>(); }
        );
        EXPECT_TRUE(service) << service.error().ToString();
        (*service)->Attach(n.node.get());
        return std::move(*service);
    }

    static std::string BlobBytes(BlobStore& blobs, const std::string& address) {
        auto reader = blobs.Open(address).value();
        std::string out(reader->Size(), '\0');
        auto span = std::span(reinterpret_cast<std::uint8_t*>(out.data()), out.size());
        std::size_t at = 0;
        while (at < out.size()) {
            const std::size_t n = reader->Read(span.subspan(at)).value();
            EXPECT_GT(n, 0U);
            at += n;
        }
        return out;
    }

    /// Node `n`'s audit leaves whose "event" starts with "evidence.", in log order.
    std::vector<boost::json::object> EvidenceLeaves(testing::NodeUnderTest& n) {
        std::vector<boost::json::object> out;
        auto tx = n.store->Begin();
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

    /// The "event" names of EvidenceLeaves(n).
    std::vector<std::string> EvidenceEvents(testing::NodeUnderTest& n) {
        std::vector<std::string> out;
        for (const boost::json::object& leaf : EvidenceLeaves(n)) {
            out.emplace_back(leaf.at("event").as_string());
        }
        return out;
    }

    std::string PartialPath(std::size_t index) const {
        return (dir_ / "hu-blobs" / "partial" / (package_ + "-" + std::to_string(index))).string();
    }

    std::unique_ptr<DirectoryBlobStore> a_blobs_;
    std::unique_ptr<DirectoryBlobStore> b_blobs_;
    std::unique_ptr<EvidenceService> sender_;
    std::unique_ptr<EvidenceService> recipient_;
    std::string package_;
    std::string manifest_;
    std::vector<std::string> sealed_;  // each file's encrypted bytes at the sender
    std::string small_ = "{\"subscriber\":\"a\"}";
    std::string large_ = std::string(3 * kChunk + 10, 'x') + "end";
};

TEST_P(EvidenceTransferTest, APackageCrossesInPiecesResumesAndEndsWithAVerifiedReceipt) {
    auto offered = recipient_->Offer(*directory_, manifest_, kNow + 2);
    ASSERT_TRUE(offered) << offered.error().ToString();
    EXPECT_EQ(offered->state, "receiving");
    ASSERT_EQ(offered->files.size(), 2U);
    EXPECT_EQ(offered->files[1].sealed_size, sealed_[1].size());
    EXPECT_EQ(offered->files[1].received, 0U);
    // Offering the same manifest again changes nothing.
    ASSERT_TRUE(recipient_->Offer(*directory_, manifest_, kNow + 3));

    // The large file: the body is cut half-way through its second chunk. The whole first chunk
    // is kept, nothing of the torn one.
    const std::string& large = sealed_[1];
    const std::uint64_t cut = kHeader + kSealedChunk + kSealedChunk / 2;
    auto first = recipient_->Receive(
        package_, 1, 0, Source(std::string_view(large).substr(0, cut)), kNow + 4
    );
    ASSERT_TRUE(first) << first.error().ToString();
    EXPECT_TRUE(first->accepted);
    EXPECT_EQ(first->status.files[1].received, kHeader + kSealedChunk);
    EXPECT_EQ(std::filesystem::file_size(PartialPath(1)), kHeader + kSealedChunk);
    EXPECT_EQ(recipient_->IncomingStatusOf(package_)->files[1].received, kHeader + kSealedChunk);

    // A sender that starts over is told where to resume; nothing is read.
    auto again = recipient_->Receive(package_, 1, 0, Source(large), kNow + 5);
    ASSERT_TRUE(again) << again.error().ToString();
    EXPECT_FALSE(again->accepted);
    EXPECT_EQ(again->status.files[1].received, kHeader + kSealedChunk);

    const std::uint64_t resume = again->status.files[1].received;
    auto rest = recipient_->Receive(
        package_, 1, resume, Source(std::string_view(large).substr(resume)), kNow + 6
    );
    ASSERT_TRUE(rest) << rest.error().ToString();
    EXPECT_TRUE(rest->accepted);
    EXPECT_TRUE(rest->status.files[1].complete);
    EXPECT_EQ(rest->status.state, "receiving");  // the small file is still missing
    EXPECT_FALSE(std::filesystem::exists(PartialPath(1)));

    auto small = recipient_->Receive(package_, 0, 0, Source(sealed_[0]), kNow + 7);
    ASSERT_TRUE(small) << small.error().ToString();
    EXPECT_EQ(small->status.state, "received");
    ASSERT_FALSE(small->status.receipt.empty());

    // The receipt covers the exact manifest, names both nodes and B's own audit leaf.
    auto receipt = VerifyEvidenceReceipt(*directory_, small->status.receipt);
    ASSERT_TRUE(receipt) << receipt.error().ToString();
    EXPECT_EQ(receipt->package, package_);
    EXPECT_EQ(receipt->from, a_.id);
    EXPECT_EQ(receipt->to, b_.id);
    EXPECT_EQ(receipt->manifest_sha256, HexEncode(crypto::Sha256(AsBytes(manifest_))));
    EXPECT_EQ(
        EvidenceEvents(b_),
        (std::vector<std::string>{
            "evidence.offered",
            "evidence.file_received",
            "evidence.file_received",
            "evidence.received"})
    );

    // The sender records the delivery once; the receiving officer downloads what was sent.
    ASSERT_EQ(sender_->Outgoing(10)->size(), 1U);
    auto delivered =
        sender_->RecordDelivered(package_, small->status.receipt, *directory_, kNow + 8);
    ASSERT_TRUE(delivered) << delivered.error().ToString();
    ASSERT_TRUE(sender_->RecordDelivered(package_, small->status.receipt, *directory_, kNow + 9));
    EXPECT_EQ(sender_->Get(alice_, package_)->state, "delivered");
    EXPECT_EQ(sender_->Get(alice_, package_)->receipt, small->status.receipt);
    EXPECT_TRUE(sender_->Outgoing(10)->empty());
    EXPECT_EQ(EvidenceEvents(a_).back(), "evidence.delivered");

    const Actor officer = testing::Person("imre", "cyber", {Role::kOfficer});
    auto in = recipient_->Get(officer, package_);
    ASSERT_TRUE(in) << in.error().ToString();
    EXPECT_EQ(in->from, a_.id);
    EXPECT_EQ(in->state, "received");
    const auto out = dir_ / "downloaded";
    ASSERT_TRUE(recipient_->Download(officer, package_, out, kNow + 10));
    EXPECT_EQ(Slurp(out / "files" / "traffic.pcap"), large_);
    EXPECT_EQ(Slurp(out / "files" / "subscriber.json"), small_);
    EXPECT_EQ(Slurp(out / "manifest.json"), manifest_);

    // With its custody: the receipt, and the proof that its audit leaf is in B's log. Anyone
    // with the directory checks all of it offline.
    auto custody = recipient_->Custody(officer, package_);
    ASSERT_TRUE(custody) << custody.error().ToString();
    EXPECT_EQ(custody->receipt, small->status.receipt);
    ASSERT_FALSE(custody->ledger_leaf.empty());
    ASSERT_TRUE(WriteCustody(out, *custody));
    auto report = VerifyExportedPackage(*directory_, out);
    ASSERT_TRUE(report) << report.error().ToString();
    ASSERT_TRUE(report->receipt.has_value());
    EXPECT_EQ(report->receipt->to, b_.id);
    EXPECT_FALSE(report->ledger.empty());
    // The sender's copy has the receipt only: the entry it names is in B's log, not A's.
    auto at_sender = sender_->Custody(alice_, package_);
    ASSERT_TRUE(at_sender) << at_sender.error().ToString();
    EXPECT_EQ(at_sender->receipt, small->status.receipt);
    EXPECT_TRUE(at_sender->ledger_leaf.empty());

    // Each part is checked: a changed leaf, a lone proof, a stray file.
    const auto custody_dir = out / "custody";
    std::string leaf = Slurp(custody_dir / "received.leaf");
    std::string changed = leaf;
    changed.replace(changed.find("evidence.received"), 17, "evidence.receivee");
    std::ofstream(custody_dir / "received.leaf", std::ios::binary | std::ios::trunc) << changed;
    EXPECT_FALSE(VerifyExportedPackage(*directory_, out));
    changed = leaf + " ";  // the same JSON, other bytes
    std::ofstream(custody_dir / "received.leaf", std::ios::binary | std::ios::trunc) << changed;
    auto unproven = VerifyExportedPackage(*directory_, out);
    ASSERT_FALSE(unproven);
    EXPECT_EQ(unproven.error().code, ErrorCode::kUnauthenticated) << unproven.error().ToString();
    std::filesystem::remove(custody_dir / "received.leaf");
    EXPECT_EQ(VerifyExportedPackage(*directory_, out).error().code, ErrorCode::kCorruption);
    std::ofstream(custody_dir / "received.leaf", std::ios::binary) << leaf;
    ASSERT_TRUE(VerifyExportedPackage(*directory_, out));
    std::ofstream(custody_dir / "note.txt") << "planted";
    EXPECT_EQ(VerifyExportedPackage(*directory_, out).error().code, ErrorCode::kCorruption);
}

TEST_P(EvidenceTransferTest, AReceivedPackageTakesThePeriodOfTheRecipientsRuleForItsCase) {
    // At the recipient the case is a request from FR; its rule for FR gives three days.
    constexpr std::int64_t kDay = std::int64_t{24} * 3600 * 1000;
    recipient_ = MakeService(
        b_,
        *b_blobs_,
        {{"", "FR", "", 3 * kDay}, {"", "US", "", kDay}},
        [](std::string_view) {
            return Result<RetentionFacts>(RetentionFacts{"budapest", "FR", {"subscriber"}});
        }
    );
    ASSERT_TRUE(recipient_->Offer(*directory_, manifest_, kNow + 2));
    const boost::json::object offered = EvidenceLeaves(b_).back();
    EXPECT_EQ(offered.at("event").as_string(), "evidence.offered");
    EXPECT_EQ(offered.at("retention").at("period_ms").as_int64(), 3 * kDay);
    EXPECT_EQ(offered.at("retention").at("rule").as_string(), "party=FR");
    const Actor auditor = testing::Person("anna", "audit", {Role::kAuditor});
    auto kept = recipient_->RetentionRegister(auditor, RetentionView::kKept, 10);
    ASSERT_TRUE(kept) << kept.error().ToString();
    ASSERT_EQ(kept->size(), 1U);
    EXPECT_EQ((*kept)[0].package, package_);
    EXPECT_EQ((*kept)[0].retention_ms, 3 * kDay);
    EXPECT_EQ((*kept)[0].retention_rule, "party=FR");
    EXPECT_EQ((*kept)[0].retention_end_ms, kNow + 2 + 3 * kDay);
}

TEST_P(EvidenceTransferTest, ATamperedChunkIsRefusedAndNothingOfItIsKept) {
    ASSERT_TRUE(recipient_->Offer(*directory_, manifest_, kNow + 2));
    std::string tampered = sealed_[1];
    tampered[kHeader + kSealedChunk + 100] ^= 0x01;  // a bit of the second chunk
    auto refused = recipient_->Receive(package_, 1, 0, Source(tampered), kNow + 3);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kUnauthenticated) << refused.error().ToString();
    // The first chunk, which authenticated, is kept; the bad one is not.
    EXPECT_EQ(std::filesystem::file_size(PartialPath(1)), kHeader + kSealedChunk);
    EXPECT_EQ(recipient_->IncomingStatusOf(package_)->state, "receiving");
    EXPECT_EQ(EvidenceEvents(b_), (std::vector<std::string>{"evidence.offered"}));

    // The sender resends from the last good chunk and the file completes.
    const std::uint64_t resume = kHeader + kSealedChunk;
    auto rest = recipient_->Receive(
        package_, 1, resume, Source(std::string_view(sealed_[1]).substr(resume)), kNow + 4
    );
    ASSERT_TRUE(rest) << rest.error().ToString();
    EXPECT_TRUE(rest->status.files[1].complete);
}

TEST_P(EvidenceTransferTest, AFileThatArrivesWhileItsPackageIsShreddedIsNotKept) {
    ASSERT_TRUE(recipient_->Offer(*directory_, manifest_, kNow + 2));
    // The retention of the package ends while its file is on the way: the recipient shreds it
    // between two reads of the body.
    bool shredded = false;
    EncryptedSource body = [&, inner = Source(sealed_[0])](std::span<std::uint8_t> out) mutable {
        if (!shredded) {
            shredded = true;
            auto expired = recipient_->Expire(kNow + std::int64_t{3000} * 24 * 3600 * 1000, 10);
            EXPECT_TRUE(expired && *expired == 1) << (expired ? "" : expired.error().ToString());
        }
        return inner(out);
    };
    auto received = recipient_->Receive(package_, 0, 0, body, kNow + 3);
    ASSERT_FALSE(received);
    EXPECT_EQ(received.error().code, ErrorCode::kNotFound) << received.error().ToString();
    EXPECT_NE(
        received.error().message.find("shredded while file 0 was arriving"), std::string::npos
    ) << received.error().ToString();
    EXPECT_TRUE(shredded);
    // No ciphertext of it is left, and the log records the shredding, no arrival.
    std::size_t files = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_ / "hu-blobs")) {
        files += entry.is_regular_file() ? 1U : 0U;
    }
    EXPECT_EQ(files, 0U);
    EXPECT_EQ(
        EvidenceEvents(b_), (std::vector<std::string>{"evidence.offered", "evidence.shredded"})
    );
}

TEST_P(EvidenceTransferTest, BytesKeptOnDiskAreCheckedAgainBeforeTheTransferResumes) {
    ASSERT_TRUE(recipient_->Offer(*directory_, manifest_, kNow + 2));
    const std::uint64_t kept = kHeader + kSealedChunk;
    ASSERT_TRUE(recipient_->Receive(
        package_, 1, 0, Source(std::string_view(sealed_[1]).substr(0, kept)), kNow + 3
    ));
    // A whole chunk's worth of bytes appears after it (a disk fault, or a writer that crashed
    // mid-chunk and left garbage): the status counts it, the recipient's check does not.
    {
        std::ofstream partial(PartialPath(1), std::ios::binary | std::ios::app);
        partial << std::string(kSealedChunk, 'z');
    }
    EXPECT_EQ(recipient_->IncomingStatusOf(package_)->files[1].received, kept + kSealedChunk);
    auto told = recipient_->Receive(
        package_,
        1,
        kept + kSealedChunk,
        Source(std::string_view(sealed_[1]).substr(kept + kSealedChunk)),
        kNow + 4
    );
    ASSERT_TRUE(told) << told.error().ToString();
    EXPECT_FALSE(told->accepted);
    EXPECT_EQ(told->status.files[1].received, kept);
    EXPECT_EQ(std::filesystem::file_size(PartialPath(1)), kept);
    auto rest = recipient_->Receive(
        package_, 1, kept, Source(std::string_view(sealed_[1]).substr(kept)), kNow + 5
    );
    ASSERT_TRUE(rest) << rest.error().ToString();
    EXPECT_TRUE(rest->status.files[1].complete);
}

TEST_P(EvidenceTransferTest, ABadOfferOrALongerBodyChangesNothing) {
    // A manifest altered by one character: refused, nothing recorded.
    std::string altered = manifest_;
    altered[altered.find("traffic.pcap")] = 'T';
    auto refused = recipient_->Offer(*directory_, altered, kNow + 2);
    ASSERT_FALSE(refused);
    EXPECT_TRUE(
        refused.error().code == ErrorCode::kUnauthenticated ||
        refused.error().code == ErrorCode::kInvalidArgument
    ) << refused.error().ToString();
    EXPECT_EQ(recipient_->IncomingStatusOf(package_).error().code, ErrorCode::kNotFound);
    EXPECT_TRUE(EvidenceEvents(b_).empty());
    // The sender itself is not the recipient.
    auto own = sender_->Offer(*directory_, manifest_, kNow + 2);
    ASSERT_FALSE(own);
    EXPECT_EQ(own.error().code, ErrorCode::kPermissionDenied);

    // A body longer than the file is refused before the file is stored.
    ASSERT_TRUE(recipient_->Offer(*directory_, manifest_, kNow + 3));
    auto longer = recipient_->Receive(package_, 0, 0, Source(sealed_[0] + "x"), kNow + 4);
    ASSERT_FALSE(longer);
    EXPECT_EQ(longer.error().code, ErrorCode::kInvalidArgument);
    EXPECT_FALSE(recipient_->IncomingStatusOf(package_)->files[0].complete);
    EXPECT_EQ(
        recipient_->Receive(package_, 7, 0, Source(""), kNow + 5).error().code, ErrorCode::kNotFound
    );
}

TEST_P(EvidenceTransferTest, AReceiptThatDoesNotCoverThePackageIsRefused) {
    // Signed by the right node over another manifest.
    auto other = SignEvidenceReceipt(
        EvidenceReceipt{package_, std::string(64, 'a'), a_.id, b_.id, kNow, 1}, b_.signing
    );
    ASSERT_TRUE(other);
    auto refused = sender_->RecordDelivered(package_, *other, *directory_, kNow + 2);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kUnauthenticated);
    // Over this manifest, but signed by the sender's own key instead of the recipient's.
    auto forged = SignEvidenceReceipt(
        EvidenceReceipt{
            package_, HexEncode(crypto::Sha256(AsBytes(manifest_))), a_.id, b_.id, kNow, 1},
        a_.signing
    );
    ASSERT_TRUE(forged);
    auto forged_refused = sender_->RecordDelivered(package_, *forged, *directory_, kNow + 2);
    ASSERT_FALSE(forged_refused);
    EXPECT_EQ(forged_refused.error().code, ErrorCode::kUnauthenticated);
    EXPECT_EQ(sender_->Get(alice_, package_)->state, "sealed");
    // A member added after signing makes it malformed.
    std::string extended = *forged;
    extended.insert(1, "\"extra\":1,");
    EXPECT_EQ(
        VerifyEvidenceReceipt(*directory_, extended).error().code, ErrorCode::kInvalidArgument
    );
}

TEST_P(EvidenceTransferTest, UseConditionsArriveWithTheDataAndAThirdNodeNeedsTheSendersConsent) {
    PackageTerms terms;
    terms.conditions.speciality = true;
    terms.conditions.onward_consent = true;
    terms.conditions.note = "Only for case 2026/114.";
    const std::string case_at_a = sender_->Get(alice_, package_)->case_id;
    const std::string package =
        sender_->CreatePackage(alice_, case_at_a, b_.id, kNow, terms).value();
    ASSERT_TRUE(
        sender_->AddFile(alice_, package, "logins.csv", "text/csv", MemorySource("a,b\n"), kNow)
    );
    const std::string manifest =
        sender_->SealPackage(alice_, package, *directory_, kNow + 1).value();
    EXPECT_EQ(ParseManifest(manifest)->manifest.conditions, terms.conditions);
    ASSERT_TRUE(recipient_->Offer(*directory_, manifest, kNow + 2));
    const EvidenceFile file = sender_->Get(alice_, package)->files.at(0);
    const std::string sealed = BlobBytes(*a_blobs_, file.sealed.encrypted_sha256);
    auto received = recipient_->Receive(package, 0, 0, Source(sealed), kNow + 3);
    ASSERT_TRUE(received) << received.error().ToString();
    ASSERT_EQ(received->status.state, "received");

    // At the recipient the conditions are the package's, as signed.
    const EvidencePackage arrived = recipient_->Get(alice_, package).value();
    EXPECT_EQ(arrived.conditions, terms.conditions);
    const std::string case_at_b = arrived.case_id;

    // Sending data of that case on to a third node needs the sender's consent, recorded.
    auto refused = recipient_->CreatePackage(alice_, case_at_b, "ro.poc", kNow + 4);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kPermissionDenied);
    EXPECT_NE(refused.error().message.find(a_.id), std::string::npos) << refused.error().message;
    PackageTerms with_consent;
    with_consent.consent_reference = "FR letter 2026-118 of 30 Nov 2026";
    auto onward = recipient_->CreatePackage(alice_, case_at_b, "ro.poc", kNow + 5, with_consent);
    ASSERT_TRUE(onward) << onward.error().ToString();
    const EvidencePackage third = recipient_->Get(alice_, *onward).value();
    EXPECT_EQ(third.consent_reference, with_consent.consent_reference);
    // The conditions go on with the data (the note stays with the package it was written for).
    EXPECT_TRUE(third.conditions.speciality);
    EXPECT_TRUE(third.conditions.onward_consent);
    EXPECT_FALSE(third.conditions.confidential);
    EXPECT_EQ(EvidenceEvents(b_).back(), "evidence.created");

    // Back to the node the data came from: no consent needed, nothing inherited.
    auto back = recipient_->CreatePackage(alice_, case_at_b, a_.id, kNow + 6);
    ASSERT_TRUE(back) << back.error().ToString();
    EXPECT_FALSE(recipient_->Get(alice_, *back)->conditions.Any());
    EXPECT_TRUE(recipient_->Get(alice_, *back)->consent_reference.empty());

    PackageTerms bad;
    bad.consent_reference = "line\nbreak";
    EXPECT_EQ(
        recipient_->CreatePackage(alice_, case_at_b, "ro.poc", kNow + 7, bad).error().code,
        ErrorCode::kInvalidArgument
    );
}

INSTANTIATE_TEST_SUITE_P(
    Backends,
    EvidenceTransferTest,
    ::testing::Values("sqlite", "postgres"),
    [](const auto& param_info) { return std::string(param_info.param); }
);

}  // namespace
}  // namespace concord::app
