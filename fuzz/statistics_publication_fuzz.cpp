// Fuzz target: what anyone holding the directory checks of published statistics
// (docs/statistics.md "Publication", "Aggregation"): app::VerifyPublication and
// app::VerifyAggregate over the same input.
//
// The directory lists aa.central (party AA, signing key of seed 0x11) and bb.central (BB, 0x22),
// whose logs are built here with fixed leaves, so the seeds verify and mutations start from
// documents that pass every check.
//
// Invariants: every input gives a value or a typed refusal, never a crash, leak or exception; a
// publication that verifies names a node of the directory, of the party the directory gives it,
// with a non-empty canonical report and proof summary; an aggregate that verifies has at least
// one input, each from a distinct node of the directory.
//
// Seeds (fuzz/corpus/statistics_publication/): both nodes' publications of one period, their
// aggregate, a publication whose report was altered, one with an unknown member, and text that
// is not JSON; regenerate with CONCORD_FUZZ_WRITE_SEEDS=fuzz/corpus/statistics_publication
// build/fuzz/fuzz/fuzz_statistics_publication -runs=0.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "concord/app/statistics.hpp"
#include "concord/app/statistics_aggregate.hpp"
#include "concord/app/statistics_publication.hpp"
#include "concord/core/bytes.hpp"
#include "concord/core/canonical_json.hpp"
#include "concord/crypto/ed25519.hpp"
#include "concord/crypto/init.hpp"
#include "concord/crypto/sha256.hpp"
#include "concord/federation/directory.hpp"
#include "concord/ledger/log.hpp"
#include "concord/ledger/note.hpp"
#include "concord/ledger/proof_file.hpp"
#include "concord/store/store.hpp"

#include "fuzz_files.hpp"
#include "fuzz_support.hpp"

namespace {

namespace fed = concord::federation;
namespace ledger = concord::ledger;

constexpr std::int64_t kFrom = 1'798'761'600'000;  // 2027-01-01T00:00:00Z
constexpr std::int64_t kTo = 1'830'297'600'000;    // 2028-01-01T00:00:00Z

using concord::fuzz::Check;
using concord::fuzz::KeyFromByte;
using concord::fuzz::Must;

struct Member {
    const char* node;
    const char* party;
    std::uint8_t key;
};
constexpr Member kMembers[] = {{"aa.central", "AA", 0x11}, {"bb.central", "BB", 0x22}};

const fed::Directory& FuzzDirectory() {
    static const fed::Directory directory = [] {
        fed::Directory d;
        for (const Member& m : kMembers) {
            fed::NodeEntry e;
            e.id = m.node;
            e.party = m.party;
            e.authority = std::string("Central authority of ") + m.party;
            e.roles = {"central_authority"};
            e.endpoint = "https://127.0.0.1:1";
            e.signing_key = KeyFromByte(m.key).PublicKey();
            d.nodes.push_back(e);
        }
        return d;
    }();
    return directory;
}

// The publication document of `m` for the fixed period, built as StatisticsPublisher builds
// it: the report's canonical JSON, its leaf in a log of m's key, and the leaf's tlog-proof.
std::string Publication(const Member& m, std::int64_t requests) {
    concord::app::StatisticsReport report;
    report.query = concord::app::StatisticsQuery{kFrom, kTo, 5};
    report.generated_ms = kTo + 1000;
    report.events_through = requests;
    concord::app::RequestFigures row;
    row.direction = "out";
    row.requesting_party = m.party;
    row.requested_party = "CC";
    row.request_type = "mla_stored_data";
    row.priority = "normal";
    row.requests = requests;
    row.responded = requests;
    report.requests.push_back(row);
    const std::string canonical =
        Must(concord::json::CanonicalizeOrError(concord::app::StatisticsJson(report)));
    const std::string id = std::string("0190f000-0000-7000-8000-0000000000") + m.party;
    boost::json::object leaf;
    leaf["event"] = "statistics.published";
    leaf["publication"] = id;
    leaf["report_sha256"] =
        concord::HexEncode(concord::crypto::Sha256(concord::AsBytes(canonical)));
    leaf["from"] = "2027-01-01T00:00:00.000Z";
    leaf["to"] = "2028-01-01T00:00:00.000Z";
    leaf["published"] = "2028-01-02T00:00:00.000Z";
    leaf["actor"] = "user:stat";
    const std::string leaf_text = boost::json::serialize(leaf);

    const auto db = concord::fuzz::ScratchDir() / (std::string(m.node) + ".db");
    std::filesystem::remove(db);
    auto store = Must(concord::store::Store::Open("sqlite:" + db.string()));
    auto log = Must(ledger::Log::Open(*store));
    auto tx = Must(store->Begin());
    const std::string other = "an earlier entry";
    Check(log->Append(*tx, concord::AsBytes(other)).has_value());
    Check(log->Append(*tx, concord::AsBytes(leaf_text)).has_value());
    const ledger::NoteSigner signer(m.node, KeyFromByte(m.key));
    ledger::TlogProof proof;
    proof.index = 1;
    proof.checkpoint = Must(log->MakeCheckpoint(*tx, signer, m.node));
    proof.hashes = Must(log->InclusionProof(*tx, 1, 2));
    Check(tx->Commit().has_value());

    boost::json::object doc;
    doc["format"] = "concord-statistics-publication/1";
    doc["id"] = id;
    doc["node"] = m.node;
    doc["party"] = m.party;
    doc["published"] = "2028-01-02T00:00:00.000Z";
    doc["report"] = boost::json::parse(canonical);
    doc["leaf"] = leaf_text;
    doc["proof"] = ledger::FormatTlogProof(proof);
    return boost::json::serialize(doc);
}

void WriteSeeds(const std::filesystem::path& out) {
    const std::string a = Publication(kMembers[0], 7);
    const std::string b = Publication(kMembers[1], 12);
    Check(concord::app::VerifyPublication(FuzzDirectory(), a).has_value());
    Check(concord::app::VerifyPublication(FuzzDirectory(), b).has_value());
    auto aggregate = Must(concord::app::AggregateStatistics(FuzzDirectory(), {a, b}, kTo));
    using concord::fuzz::WriteSeed;
    WriteSeed(out, "publication_aa.json", a);
    WriteSeed(out, "publication_bb.json", b);
    WriteSeed(out, "aggregate.json", aggregate.document);
    boost::json::object altered = boost::json::parse(a).as_object();
    altered["report"].as_object()["threshold"] = 1;
    WriteSeed(out, "altered_report.json", boost::json::serialize(altered));
    boost::json::object extra = boost::json::parse(b).as_object();
    extra["note"] = "unsigned text";
    WriteSeed(out, "unknown_member.json", boost::json::serialize(extra));
    WriteSeed(out, "not_json.json", "{\"format\": ");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
    Check(concord::crypto::Initialize().has_value());
    if (const auto dir = concord::fuzz::SeedDir(); !dir.empty()) {
        WriteSeeds(dir);
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const fed::Directory& directory = FuzzDirectory();
    if (auto v = concord::app::VerifyPublication(directory, text)) {
        const fed::NodeEntry* node = directory.FindNode(v->node);
        Check(node != nullptr && !node->revoked && node->party == v->party);
        Check(!v->report.empty() && !v->ledger.empty());
    }
    if (auto aggregate = concord::app::VerifyAggregate(directory, text)) {
        Check(!aggregate->inputs.empty());
        std::set<std::string> nodes;
        for (const auto& input : aggregate->inputs) {
            Check(nodes.insert(input.node).second);
            Check(directory.FindNode(input.node) != nullptr);
        }
    }
    return 0;
}
