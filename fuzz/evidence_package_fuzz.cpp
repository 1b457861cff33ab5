// Fuzz target: what a recipient parses of an evidence package (docs/formats/evidence.md): the
// signed manifest and the chunk framing of an encrypted file; and what a sender parses of the
// answer: the recipient's signed receipt.
//
// The first byte chooses the reading:
//   0x00      the rest is a signed manifest: ParseManifest, then VerifyManifest against a
//             directory listing `aa.central` (signing seed 0x22…);
//   0x02      the rest is a signed evidence receipt: VerifyEvidenceReceipt against that
//             directory;
//   otherwise the next 4 bytes (big-endian) are the plaintext size the manifest would declare and
//             the rest an encrypted file under the fixed package key 0x44…, chunk size 4 KiB:
//             OpenSealedBytes.
//
// Invariants: every input gives a value or a typed refusal, never a crash, a leak or an
// allocation beyond one chunk; a manifest that verifies is one ParseManifest accepts, from
// aa.central; a receipt that verifies is signed by aa.central; an encrypted file that opens
// yields exactly the declared number of bytes.
//
// Seeds (fuzz/corpus/evidence_package/) are written by this target with
// CONCORD_FUZZ_WRITE_SEEDS=DIR: a manifest signed by aa.central and its officer (without and with
// use conditions), encrypted files of 0, 100 and 9000 bytes, and a receipt signed by aa.central.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "concord/app/evidence_manifest.hpp"
#include "concord/app/evidence_receipt.hpp"
#include "concord/app/evidence_stream.hpp"
#include "concord/core/bytes.hpp"
#include "concord/core/time.hpp"
#include "concord/crypto/init.hpp"
#include "concord/federation/directory.hpp"

#include "fuzz_files.hpp"

namespace {

constexpr std::uint32_t kChunk = concord::app::kMinEvidenceChunkBytes;

concord::crypto::SigningKey SeedKey(std::uint8_t fill) {
    return concord::crypto::SigningKey::FromSeed(concord::Bytes(32, fill)).value();
}

const concord::crypto::SecretBytes& PackageKey() {
    static const concord::crypto::SecretBytes key =
        concord::crypto::SecretBytes::CopyFrom(concord::Bytes(32, 0x44));
    return key;
}

const concord::federation::Directory& FuzzDirectory() {
    static const concord::federation::Directory directory = [] {
        concord::federation::Directory d;
        concord::federation::NodeEntry aa;
        aa.id = "aa.central";
        aa.party = "AA";
        aa.authority = "Central authority of AA";
        aa.roles = {"central_authority"};
        aa.endpoint = "https://127.0.0.1:1";
        aa.signing_key = SeedKey(0x22).PublicKey();
        d.nodes.push_back(aa);
        return d;
    }();
    return directory;
}

std::string Sealed(std::size_t size) {
    auto encryptor = concord::crypto::StreamEncryptor::Create(PackageKey()).value();
    const auto layout = concord::app::ChunkLayout::Create(size, kChunk).value();
    std::string out(encryptor.Header().begin(), encryptor.Header().end());
    const concord::Bytes plain(size, 0x5a);
    for (std::uint64_t i = 0; i < layout.Count(); ++i) {
        const auto piece = concord::ByteSpan(plain).subspan(i * kChunk, layout.PlainBytes(i));
        out += concord::ToString(encryptor.Push(piece, i + 1 == layout.Count()));
    }
    std::string framed(1, '\x01');
    for (int shift = 24; shift >= 0; shift -= 8) {
        framed.push_back(static_cast<char>((size >> shift) & 0xff));
    }
    return framed + out;
}

void WriteSeeds(const std::filesystem::path& out) {
    const std::int64_t t0 = concord::ParseTimestamp("2026-11-29T10:00:00.000Z").value();
    const auto node = SeedKey(0x22);
    const auto officer = SeedKey(0x33);
    concord::app::UserCertificate c;
    c.node = "aa.central";
    c.serial = 1;
    c.user = "k.nowak";
    c.name = "Karolina Nowak";
    c.roles = {concord::app::Role::kOfficer};
    c.party = "AA";
    c.public_key = officer.PublicKey();
    c.not_before_ms = t0;
    c.not_after_ms = t0 + 24 * 3600 * 1000;
    const std::string certificate = concord::app::SignUserCertificate(c, node).value();
    concord::app::EvidenceManifest m;
    m.package = "01a2b3c4-d5e6-7f00-8000-000000000001";
    m.case_id = "AA-2026-0007";
    m.from = "aa.central";
    m.to = "bb.central";
    m.created_ms = t0;
    concord::app::EvidenceFile f;
    f.name = "log.txt";
    f.media_type = "text/plain";
    f.sealed.size = 100;
    f.sealed.sha256 = std::string(64, '1');
    f.sealed.encrypted_sha256 = std::string(64, '2');
    f.added_by = "k.nowak";
    f.added_ms = t0;
    m.files.push_back(f);
    m.sealed_key.assign(72, 0x07);
    const std::string manifest =
        concord::app::SignManifest(m, certificate, officer, t0 + 1000, node).value();
    using concord::fuzz::WriteSeed;
    WriteSeed(out, "manifest.bin", std::string(1, '\0') + manifest);
    m.conditions.speciality = true;
    m.conditions.onward_consent = true;
    m.conditions.note = "Only for case AA-2026-0007.";
    WriteSeed(
        out,
        "manifest_conditions.bin",
        std::string(1, '\0') +
            concord::app::SignManifest(m, certificate, officer, t0 + 1000, node).value()
    );
    WriteSeed(out, "sealed_empty.bin", Sealed(0));
    WriteSeed(out, "sealed_100.bin", Sealed(100));
    WriteSeed(out, "sealed_9000.bin", Sealed(9000));
    const std::string receipt =
        concord::app::SignEvidenceReceipt(
            concord::app::EvidenceReceipt{
                m.package, std::string(64, '3'), "bb.central", "aa.central", t0 + 5000, 42},
            node
        )
            .value();
    WriteSeed(out, "receipt.bin", std::string(1, '\x02') + receipt);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
    if (!concord::crypto::Initialize()) {
        std::abort();
    }
    if (const auto dir = concord::fuzz::SeedDir(); !dir.empty()) {
        WriteSeeds(dir);
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    if (data[0] == 0) {
        const auto parsed = concord::app::ParseManifest(rest);
        const auto verified = concord::app::VerifyManifest(FuzzDirectory(), rest);
        if (verified && (!parsed || verified->parsed.manifest.from != "aa.central")) {
            std::abort();
        }
        if (!verified && verified.error().failure == concord::app::ManifestFailure::kMalformed &&
            parsed) {
            std::abort();
        }
        return 0;
    }
    if (data[0] == 2) {
        const auto receipt = concord::app::VerifyEvidenceReceipt(FuzzDirectory(), rest);
        if (receipt && receipt->to != "aa.central") {
            std::abort();
        }
        return 0;
    }
    if (rest.size() < 4) {
        return 0;
    }
    std::uint64_t declared = 0;
    for (std::size_t i = 0; i < 4; ++i) {
        declared = (declared << 8) | static_cast<std::uint8_t>(rest[i]);
    }
    std::uint64_t released = 0;
    const auto opened = concord::app::OpenSealedBytes(
        concord::AsBytes(rest.substr(4)),
        PackageKey(),
        kChunk,
        declared,
        [&released](concord::ByteSpan plain) -> concord::Result<void> {
            released += plain.size();
            return {};
        }
    );
    if (opened && released != declared) {
        std::abort();
    }
    return 0;
}
