#include "concord/app/evidence_package.hpp"

#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "concord/core/id.hpp"
#include "concord/crypto/base64.hpp"
#include "concord/crypto/sha256.hpp"
#include "concord/federation/signed_json.hpp"

#include "approval_test_util.hpp"

namespace concord::app {
namespace {

using testing::kHourMs;
using testing::MakeDirectory;
using testing::MakeNode;
using testing::T0;
using testing::TestNode;

constexpr std::uint32_t kChunk = kMinEvidenceChunkBytes;

std::string Slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string Pattern(std::size_t size, unsigned seed) {
    std::mt19937 rng(seed);
    std::string out(size, '\0');
    for (auto& c : out) {
        c = static_cast<char>(rng());
    }
    return out;
}

class EvidencePackageTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(crypto::Initialize());
        root_ = std::filesystem::temp_directory_path() /
                ("concord-evidence-" + std::to_string(std::random_device{}()));
        std::filesystem::create_directories(root_);
        sender_blobs_ = DirectoryBlobStore::OpenFolder(root_ / "aa-blobs").value();
        recipient_blobs_ = DirectoryBlobStore::OpenFolder(root_ / "bb-blobs").value();
        sender_.entry.box_key = sender_box_.PublicKey();
        recipient_.entry.box_key = recipient_box_.PublicKey();
        directory_ = MakeDirectory({&sender_.entry, &recipient_.entry, &other_.entry});
        certificate_ = Certificate(sender_, {Role::kOfficer}, officer_key_);
    }
    void TearDown() override { std::filesystem::remove_all(root_); }

    /// A certificate of `node` for `key`, valid T0 - 1 h to T0 + 23 h.
    std::string Certificate(
        const TestNode& node,
        std::vector<Role> roles,
        const crypto::SigningKey& key,
        const std::string& party = "AA"
    ) {
        UserCertificate c;
        c.node = node.entry.id;
        c.serial = 7;
        c.user = "m.dupont";
        c.name = "Marie Dupont";
        c.roles = std::move(roles);
        c.party = party;
        c.unit = "cybercrime unit";
        c.public_key = key.PublicKey();
        c.not_before_ms = T0() - kHourMs;
        c.not_after_ms = T0() + 23 * kHourMs;
        return SignUserCertificate(c, node.signing).value();
    }

    /// A package of three files (empty, one chunk, several chunks) built at the sender.
    EvidenceManifest Build(PackageBuilder& builder) {
        EXPECT_TRUE(builder.AddFile("empty.log", "text/plain", "m.dupont", T0(), MemorySource("")));
        EXPECT_TRUE(builder.AddFile(
            "subscriber.json", "application/json", "m.dupont", T0(), MemorySource(small_)
        ));
        EXPECT_TRUE(builder.AddFile(
            "traffic.pcap", "application/vnd.tcpdump.pcap", "m.dupont", T0(), MemorySource(large_)
        ));
        auto manifest = builder.Finish(
            package_,
            "FR-2026-0042",
            "aa.central",
            "bb.central",
            T0(),
            recipient_box_.PublicKey(),
            sender_box_
        );
        EXPECT_TRUE(manifest) << manifest.error().ToString();
        return std::move(*manifest);
    }

    std::string Sign(const EvidenceManifest& m) {
        auto text = SignManifest(m, certificate_, officer_key_, T0() + 60000, sender_.signing);
        EXPECT_TRUE(text) << text.error().ToString();
        return text.value_or("");
    }

    /// Signs `content` (a manifest object without signatures) with an officer object the test
    /// gives, then with `node_key`: for forging what SignManifest refuses to make.
    static std::string Forge(
        boost::json::object content,
        boost::json::object officer,
        const crypto::SigningKey& officer_key,
        const crypto::SigningKey& node_key
    ) {
        const std::string officer_text =
            federation::SignObject(std::move(officer), kEvidenceOfficerDomain, officer_key).value();
        content["officer"] = federation::ParseObject(officer_text).value();
        return federation::SignObject(std::move(content), kEvidenceManifestDomain, node_key)
            .value();
    }

    boost::json::object OfficerObject(
        const boost::json::object& content, const std::string& certificate, std::int64_t time_ms
    ) {
        return boost::json::object{
            {"v", 1},
            {"kind", "evidence_officer"},
            {"manifest_sha256",
             HexEncode(crypto::Sha256(AsBytes(federation::CanonicalText(content))))},
            {"time", FormatTimestamp(time_ms)},
            {"certificate", federation::ParseObject(certificate).value()},
        };
    }

    ManifestFailure FailureOf(const std::string& text) {
        auto verified = VerifyManifest(directory_, text);
        EXPECT_FALSE(verified);
        return verified ? ManifestFailure::kMalformed : verified.error().failure;
    }

    std::filesystem::path root_;
    std::unique_ptr<DirectoryBlobStore> sender_blobs_;
    std::unique_ptr<DirectoryBlobStore> recipient_blobs_;
    TestNode sender_ = MakeNode("aa.central", "AA");
    TestNode recipient_ = MakeNode("bb.central", "BB");
    TestNode other_ = MakeNode("aa.police", "AA");
    crypto::BoxKeyPair sender_box_ = crypto::BoxKeyPair::Generate();
    crypto::BoxKeyPair recipient_box_ = crypto::BoxKeyPair::Generate();
    crypto::SigningKey officer_key_ = crypto::SigningKey::Generate();
    federation::Directory directory_;
    std::string certificate_;
    std::string package_ = NewUuidV7At(T0());
    std::string small_ = R"({"subscriber":"+33 6 00 00 00 00","since":"2019-04-01"})";
    std::string large_ = Pattern(3 * kChunk + 1000, 9);
};

TEST_F(EvidencePackageTest, APackageTravelsSealedAndIsVerifiedOfflineAfterDownload) {
    auto builder = PackageBuilder::Create(*sender_blobs_, kChunk).value();
    const EvidenceManifest manifest = Build(builder);
    ASSERT_EQ(manifest.files.size(), 3U);
    EXPECT_EQ(manifest.files[2].sealed.sha256, HexEncode(crypto::Sha256(AsBytes(large_))));
    const std::string text = Sign(manifest);

    // The recipient: verifies the manifest, opens the key sealed to it, takes the blobs (here
    // copied from the sender's store as a transfer would), and downloads the package.
    auto verified = VerifyManifest(directory_, text);
    ASSERT_TRUE(verified) << verified.error().message;
    EXPECT_EQ(verified->officer_name, "Marie Dupont");
    EXPECT_EQ(verified->authority, "Central authority of AA");
    const EvidenceManifest& got = verified->parsed.manifest;
    auto key = OpenPackageKey(
        got.sealed_key, got.package, got.from, got.to, sender_box_.PublicKey(), recipient_box_
    );
    ASSERT_TRUE(key) << key.error().ToString();
    for (const EvidenceFile& f : got.files) {
        auto reader = sender_blobs_->Open(f.sealed.encrypted_sha256).value();
        auto writer = recipient_blobs_->Create().value();
        std::array<std::uint8_t, 1000> piece{};
        for (std::size_t n = 0; (n = reader->Read(piece).value()) > 0;) {
            ASSERT_TRUE(writer->Append(ByteSpan(piece.data(), n)));
        }
        EXPECT_EQ(writer->Commit().value(), f.sealed.encrypted_sha256);
    }
    const auto out = root_ / "download";
    auto exported = ExportPackage(*recipient_blobs_, verified->parsed, text, *key, out);
    ASSERT_TRUE(exported) << exported.error().ToString();
    EXPECT_EQ(Slurp(out / "files" / "traffic.pcap"), large_);
    EXPECT_EQ(Slurp(out / "files" / "subscriber.json"), small_);
    EXPECT_EQ(Slurp(out / "files" / "empty.log"), "");
    EXPECT_FALSE(std::filesystem::exists(out / ".part"));

    auto report = VerifyExportedPackage(directory_, out);
    ASSERT_TRUE(report) << report.error().ToString();
    EXPECT_EQ(report->bytes, small_.size() + large_.size());
    EXPECT_EQ(report->manifest.parsed.manifest.package, package_);
}

TEST_F(EvidencePackageTest, ADownloadedPackageThatWasChangedFailsOfflineVerification) {
    auto builder = PackageBuilder::Create(*sender_blobs_, kChunk).value();
    const std::string text = Sign(Build(builder));
    auto parsed = ParseManifest(text).value();
    const auto out = root_ / "download";
    ASSERT_TRUE(ExportPackage(*sender_blobs_, parsed, text, builder.Key(), out));
    ASSERT_TRUE(VerifyExportedPackage(directory_, out));

    {  // one byte of a file
        std::fstream f(
            out / "files" / "traffic.pcap", std::ios::in | std::ios::out | std::ios::binary
        );
        f.seekp(5000);
        f.put('\x7f');
    }
    auto changed = VerifyExportedPackage(directory_, out);
    ASSERT_FALSE(changed);
    EXPECT_EQ(changed.error().code, ErrorCode::kCorruption);
    EXPECT_NE(changed.error().message.find("traffic.pcap"), std::string::npos);
    std::ofstream(out / "files" / "traffic.pcap", std::ios::binary) << large_;
    ASSERT_TRUE(VerifyExportedPackage(directory_, out));

    std::ofstream(out / "files" / "planted.txt") << "not from the sender";
    auto planted = VerifyExportedPackage(directory_, out);
    ASSERT_FALSE(planted);
    EXPECT_EQ(planted.error().code, ErrorCode::kCorruption);
    EXPECT_NE(planted.error().message.find("planted.txt"), std::string::npos);
    std::filesystem::remove(out / "files" / "planted.txt");

    std::filesystem::remove(out / "files" / "empty.log");
    EXPECT_EQ(VerifyExportedPackage(directory_, out).error().code, ErrorCode::kCorruption);

    std::ofstream(out / "manifest.json") << text.substr(0, text.size() - 2);
    EXPECT_EQ(VerifyExportedPackage(directory_, out).error().code, ErrorCode::kInvalidArgument);
}

TEST_F(EvidencePackageTest, ATamperedBlobStopsTheDownloadAndLeavesNoFolder) {
    auto builder = PackageBuilder::Create(*sender_blobs_, kChunk).value();
    const EvidenceManifest manifest = Build(builder);
    const std::string text = Sign(manifest);
    {
        std::fstream f(
            sender_blobs_->PathOf(manifest.files[2].sealed.encrypted_sha256),
            std::ios::in | std::ios::out | std::ios::binary
        );
        // Flip a bit inside chunk 1 (setting a byte could leave it as it was).
        const auto at = static_cast<std::streamoff>(crypto::kStreamHeaderBytes + kChunk + 40);
        f.seekg(at);
        const int byte = f.get();
        f.seekp(at);
        f.put(static_cast<char>(byte ^ 0x01));
    }
    const auto out = root_ / "download";
    auto exported =
        ExportPackage(*sender_blobs_, ParseManifest(text).value(), text, builder.Key(), out);
    ASSERT_FALSE(exported);
    EXPECT_EQ(exported.error().code, ErrorCode::kUnauthenticated);
    EXPECT_FALSE(std::filesystem::exists(out));
}

TEST_F(EvidencePackageTest, AFolderIsWrittenOnlyFromBytesThatMatchTheManifest) {
    auto builder = PackageBuilder::Create(*sender_blobs_, kChunk).value();
    const EvidenceManifest manifest = Build(builder);
    const std::string text = Sign(manifest);
    const ParsedManifest parsed = ParseManifest(text).value();
    // Fetched from elsewhere (as `concord evidence download` does over the API): the plaintext
    // of each file, here decrypted from the blobs.
    const FileFetcher genuine = [&](const EvidenceFile& f, const PlaintextSink& write) {
        return OpenSealedFile(*sender_blobs_, builder.Key(), kChunk, f.sealed, write);
    };
    ASSERT_TRUE(WritePackageFolder(parsed, text, genuine, root_ / "good"));
    EXPECT_EQ(Slurp(root_ / "good" / "manifest.json"), text);
    EXPECT_FALSE(std::filesystem::exists(root_ / "good" / ".part"));

    // One byte changed, one missing, one too many: refused, and no folder is left.
    const std::vector<std::function<void(Bytes&)>> damages = {
        [](Bytes& b) { b[0] ^= 0x01; },
        [](Bytes& b) { b.pop_back(); },
        [](Bytes& b) { b.push_back('!'); },
    };
    for (std::size_t i = 0; i < damages.size(); ++i) {
        const FileFetcher damaged = [&](const EvidenceFile& f,
                                        const PlaintextSink& write) -> Result<void> {
            Bytes all;
            CONCORD_RETURN_IF_ERROR(genuine(f, [&](ByteSpan piece) -> Result<void> {
                all.insert(all.end(), piece.begin(), piece.end());
                return {};
            }));
            if (f.name == manifest.files[1].name) {
                damages[i](all);
            }
            return write(all);
        };
        const auto out = root_ / ("bad" + std::to_string(i));
        auto written = WritePackageFolder(parsed, text, damaged, out);
        ASSERT_FALSE(written) << i;
        EXPECT_EQ(written.error().code, ErrorCode::kCorruption) << i;
        EXPECT_NE(written.error().message.find(manifest.files[1].name), std::string::npos);
        EXPECT_FALSE(std::filesystem::exists(out)) << i;
    }
}

TEST_F(EvidencePackageTest, ThePackageKeyOpensOnlyForItsPackageNodesAndRecipient) {
    auto builder = PackageBuilder::Create(*sender_blobs_, kChunk).value();
    const EvidenceManifest m = Build(builder);
    auto good = OpenPackageKey(
        m.sealed_key, m.package, m.from, m.to, sender_box_.PublicKey(), recipient_box_
    );
    ASSERT_TRUE(good);
    EXPECT_EQ(ToString(good->Span()), ToString(builder.Key().Span()));
    const auto other_box = crypto::BoxKeyPair::Generate();
    EXPECT_EQ(
        OpenPackageKey(
            m.sealed_key, NewUuidV7(), m.from, m.to, sender_box_.PublicKey(), recipient_box_
        )
            .error()
            .code,
        ErrorCode::kUnauthenticated
    );
    EXPECT_EQ(
        OpenPackageKey(
            m.sealed_key, m.package, "aa.police", m.to, sender_box_.PublicKey(), recipient_box_
        )
            .error()
            .code,
        ErrorCode::kUnauthenticated
    );
    EXPECT_EQ(
        OpenPackageKey(m.sealed_key, m.package, m.from, m.to, sender_box_.PublicKey(), other_box)
            .error()
            .code,
        ErrorCode::kUnauthenticated
    );
    EXPECT_EQ(
        OpenPackageKey(m.sealed_key, m.package, m.from, m.to, other_box.PublicKey(), recipient_box_)
            .error()
            .code,
        ErrorCode::kUnauthenticated
    );
}

TEST_F(EvidencePackageTest, EveryBrokenLinkOfTheSignatureChainHasItsCode) {
    auto builder = PackageBuilder::Create(*sender_blobs_, kChunk).value();
    const EvidenceManifest m = Build(builder);
    const boost::json::object content = ManifestContent(m).value();
    const auto officer = [&](const std::string& certificate) {
        return OfficerObject(content, certificate, T0() + 60000);
    };
    ASSERT_TRUE(VerifyManifest(
        directory_, Forge(content, officer(certificate_), officer_key_, sender_.signing)
    ));

    // The sender is not listed, or revoked.
    auto unknown = m;
    unknown.from = "cc.central";
    EXPECT_EQ(
        FailureOf(Forge(
            ManifestContent(unknown).value(), officer(certificate_), officer_key_, sender_.signing
        )),
        ManifestFailure::kUnknownNode
    );
    {
        federation::NodeEntry revoked = sender_.entry;
        revoked.revoked = true;
        const auto directory = MakeDirectory({&revoked, &recipient_.entry});
        auto refused = VerifyManifest(directory, Sign(m));
        ASSERT_FALSE(refused);
        EXPECT_EQ(refused.error().failure, ManifestFailure::kNodeRevoked);
    }
    // Signed by another node's key.
    EXPECT_EQ(
        FailureOf(Forge(content, officer(certificate_), officer_key_, other_.signing)),
        ManifestFailure::kBadNodeSignature
    );
    // The signature does not cover what is there: a file name changed after signing.
    {
        auto signed_object = federation::ParseObject(Sign(m)).value();
        signed_object["files"].as_array()[1].as_object()["name"] = "renamed.json";
        EXPECT_EQ(
            FailureOf(boost::json::serialize(signed_object)), ManifestFailure::kBadNodeSignature
        );
    }
    // A certificate issued by another node, or signed by another key, or for another party.
    EXPECT_EQ(
        FailureOf(Forge(
            content,
            officer(Certificate(other_, {Role::kOfficer}, officer_key_)),
            officer_key_,
            sender_.signing
        )),
        ManifestFailure::kWrongIssuer
    );
    {
        TestNode impostor = MakeNode("aa.central", "AA");
        EXPECT_EQ(
            FailureOf(Forge(
                content,
                officer(Certificate(impostor, {Role::kOfficer}, officer_key_)),
                officer_key_,
                sender_.signing
            )),
            ManifestFailure::kBadCertificateSignature
        );
    }
    EXPECT_EQ(
        FailureOf(Forge(
            content,
            officer(Certificate(sender_, {Role::kOfficer}, officer_key_, "BB")),
            officer_key_,
            sender_.signing
        )),
        ManifestFailure::kWrongParty
    );
    // Signed by the officer when the certificate had expired.
    EXPECT_EQ(
        FailureOf(Forge(
            content,
            OfficerObject(content, certificate_, T0() + 30 * kHourMs),
            officer_key_,
            sender_.signing
        )),
        ManifestFailure::kCertificateNotValid
    );
    // A certificate that gives no role that may add evidence.
    EXPECT_EQ(
        FailureOf(Forge(
            content,
            officer(Certificate(sender_, {Role::kAuditor, Role::kApprover}, officer_key_)),
            officer_key_,
            sender_.signing
        )),
        ManifestFailure::kNotPermitted
    );
    // The officer object signed by a key the certificate does not certify.
    const auto stranger = crypto::SigningKey::Generate();
    EXPECT_EQ(
        FailureOf(Forge(content, officer(certificate_), stranger, sender_.signing)),
        ManifestFailure::kWrongKey
    );
    // The officer object altered after the officer signed it (then node-signed again).
    {
        const std::string officer_text =
            federation::SignObject(officer(certificate_), kEvidenceOfficerDomain, officer_key_)
                .value();
        auto officer_object = federation::ParseObject(officer_text).value();
        officer_object["time"] = FormatTimestamp(T0() + 120000);
        boost::json::object forged = content;
        forged["officer"] = officer_object;
        EXPECT_EQ(
            FailureOf(
                federation::SignObject(forged, kEvidenceManifestDomain, sender_.signing).value()
            ),
            ManifestFailure::kBadOfficerSignature
        );
    }
    // The officer signed another manifest: the sending node swapped the files afterwards.
    {
        auto swapped = m;
        std::swap(swapped.files[1].sealed, swapped.files[2].sealed);
        EXPECT_EQ(
            FailureOf(Forge(
                ManifestContent(swapped).value(),
                officer(certificate_),
                officer_key_,
                sender_.signing
            )),
            ManifestFailure::kContentMismatch
        );
    }
    EXPECT_EQ(ManifestFailureCode(ManifestFailure::kContentMismatch), "content_mismatch");
    EXPECT_EQ(VerifyManifest(directory_, "{}").error().ToError().code, ErrorCode::kInvalidArgument);
}

TEST_F(EvidencePackageTest, ManifestsThatBreakAFormatRuleAreMalformed) {
    auto builder = PackageBuilder::Create(*sender_blobs_, kChunk).value();
    const EvidenceManifest m = Build(builder);
    ASSERT_TRUE(ManifestContent(m));
    const auto refused = [&](const EvidenceManifest& bad, const char* why) {
        auto content = ManifestContent(bad);
        EXPECT_FALSE(content) << why;
        if (!content) {
            EXPECT_EQ(content.error().code, ErrorCode::kInvalidArgument) << why;
        }
    };
    auto bad = m;
    bad.files[0].name = "../../etc/passwd";
    refused(bad, "slash in a name");
    bad = m;
    bad.files[0].name = "..";
    refused(bad, "dot-dot");
    bad = m;
    bad.files[0].name = "line\nbreak";
    refused(bad, "control character");
    bad = m;
    bad.files[1].name = bad.files[0].name;
    refused(bad, "twice the same name");
    bad = m;
    bad.files[0].media_type = "text";
    refused(bad, "media type without subtype");
    bad = m;
    bad.files[0].sealed.sha256 = std::string(64, 'A');
    refused(bad, "upper-case hash");
    bad = m;
    bad.sealed_key.pop_back();
    refused(bad, "short sealed key");
    bad = m;
    bad.package = "not-a-uuid";
    refused(bad, "package id");
    bad = m;
    bad.files.clear();
    refused(bad, "no files");
    bad = m;
    bad.chunk_bytes = 100;
    refused(bad, "chunk size");
    bad = m;
    bad.files[0].added_by = "robert'); DROP TABLE";
    refused(bad, "login");

    const std::string good = Sign(m);
    auto object = federation::ParseObject(good).value();
    object["extra"] = 1;
    EXPECT_EQ(
        ParseManifest(boost::json::serialize(object)).error().code, ErrorCode::kInvalidArgument
    );
    object = federation::ParseObject(good).value();
    object["files"].as_array()[0].as_object()["size"] = -1;
    EXPECT_EQ(
        ParseManifest(boost::json::serialize(object)).error().code, ErrorCode::kInvalidArgument
    );
    EXPECT_EQ(
        ParseManifest(std::string(kMaxManifestBytes + 1, ' ')).error().code,
        ErrorCode::kInvalidArgument
    );
    EXPECT_EQ(ParseManifest("[1,2]").error().code, ErrorCode::kInvalidArgument);
    EXPECT_TRUE(ParseManifest(good));
}

TEST_F(EvidencePackageTest, UseConditionsTravelSignedInTheManifestAndOnlyAsWritten) {
    auto builder = PackageBuilder::Create(*sender_blobs_, kChunk).value();
    EvidenceManifest m = Build(builder);
    // No conditions: no member at all (manifests made before conditions existed read the same).
    EXPECT_FALSE(ManifestContent(m)->contains("conditions"));
    m.conditions.speciality = true;
    m.conditions.onward_consent = true;
    m.conditions.note = "Use in case 2026/114 only.\nReturn the originals.";
    const std::string text = Sign(m);
    auto verified = VerifyManifest(directory_, text);
    ASSERT_TRUE(verified) << verified.error().message;
    EXPECT_EQ(verified->parsed.manifest.conditions, m.conditions);

    // The node's signature covers them: one flag dropped in transit breaks it.
    auto object = federation::ParseObject(text).value();
    object["conditions"].as_object()["onward_consent"] = false;
    auto dropped = VerifyManifest(directory_, boost::json::serialize(object));
    ASSERT_FALSE(dropped);
    EXPECT_EQ(dropped.error().failure, ManifestFailure::kBadNodeSignature);

    // Only as ManifestContent writes them: all four members, typed; never an all-false object.
    const auto malformed = [&](const std::function<void(boost::json::object&)>& change,
                               const char* why) {
        auto content = ManifestContent(m).value();
        change(content);
        const std::string forged = Forge(
            content,
            OfficerObject(content, certificate_, T0() + 60000),
            officer_key_,
            sender_.signing
        );
        auto parsed = ParseManifest(forged);
        EXPECT_FALSE(parsed) << why;
        if (!parsed) {
            EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument) << why;
        }
    };
    malformed([](auto& c) { c["conditions"].as_object().erase("note"); }, "a member missing");
    malformed([](auto& c) { c["conditions"].as_object()["speciality"] = 1; }, "not a boolean");
    malformed([](auto& c) { c["conditions"].as_object()["extra"] = true; }, "an extra member");
    malformed(
        [](auto& c) { c["conditions"].as_object()["note"] = std::string(1001, 'n'); },
        "a note too long"
    );
    malformed(
        [](auto& c) {
            c["conditions"] = boost::json::object{
                {"confidential", false},
                {"speciality", false},
                {"onward_consent", false},
                {"note", ""}};
        },
        "all false"
    );
    UseConditions tab;
    tab.note = "a\ttab";
    EXPECT_EQ(CheckUseConditions(tab).error().code, ErrorCode::kInvalidArgument);
}

TEST_F(EvidencePackageTest, TheBuilderChecksANameBeforeReadingAndRefusesARepeat) {
    auto builder = PackageBuilder::Create(*sender_blobs_, kChunk).value();
    bool read = false;
    const PlaintextSource watched = [&](std::span<std::uint8_t>) -> Result<std::size_t> {
        read = true;
        return std::size_t{0};
    };
    EXPECT_EQ(
        builder.AddFile("a/b", "text/plain", "m.dupont", T0(), watched).error().code,
        ErrorCode::kInvalidArgument
    );
    EXPECT_FALSE(read);
    ASSERT_TRUE(builder.AddFile("a.txt", "text/plain", "m.dupont", T0(), watched));
    EXPECT_EQ(
        builder.AddFile("a.txt", "text/plain", "m.dupont", T0(), watched).error().code,
        ErrorCode::kInvalidArgument
    );
    EXPECT_EQ(builder.Files().size(), 1U);
    // A source that fails abandons the file and leaves no blob behind.
    const PlaintextSource broken = [](std::span<std::uint8_t>) -> Result<std::size_t> {
        return MakeError(ErrorCode::kUnavailable, "upload cut");
    };
    EXPECT_EQ(
        builder.AddFile("b.txt", "text/plain", "m.dupont", T0(), broken).error().code,
        ErrorCode::kUnavailable
    );
    EXPECT_EQ(builder.Files().size(), 1U);
    EXPECT_TRUE(std::filesystem::is_empty(root_ / "aa-blobs" / "tmp"));
}

}  // namespace
}  // namespace concord::app
