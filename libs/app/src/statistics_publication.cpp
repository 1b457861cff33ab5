// Publication of statistics reports, anchored in the node's ledger, and their offline check
// (docs/statistics.md "Publication").
#include "concord/app/statistics_publication.hpp"

#include <algorithm>
#include <initializer_list>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "concord/app/policy.hpp"
#include "concord/core/bytes.hpp"
#include "concord/core/canonical_json.hpp"
#include "concord/core/id.hpp"
#include "concord/core/time.hpp"
#include "concord/crypto/sha256.hpp"
#include "concord/federation/signed_json.hpp"
#include "concord/ledger/note.hpp"
#include "concord/ledger/proof_file.hpp"

namespace concord::app {
namespace {

constexpr std::string_view kFormat = "concord-statistics-publication/1";
constexpr std::string_view kLeafEvent = "statistics.published";
constexpr std::size_t kMaxList = 1000;
constexpr std::string_view kColumns =
    "id, node, party, published_ms, published_by, report, ledger_index";

std::string ReportSha256(std::string_view canonical) {
    return HexEncode(crypto::Sha256(AsBytes(canonical)));
}

StatisticsPublication FromRow(const store::Row& r) {
    StatisticsPublication p;
    p.id = r.Text(0);
    p.node = r.Text(1);
    p.party = r.Text(2);
    p.published_ms = r.Int(3);
    p.published_by = r.Text(4);
    p.report = r.Text(5);
    p.ledger_index = static_cast<std::uint64_t>(r.Int(6));
    return p;
}

// The largest figure a report may carry: exact in every JSON reader (2^53).
constexpr std::int64_t kMaxFigure = std::int64_t{1} << 53;

bool Known(std::string_view name, std::initializer_list<std::string_view> names) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

Error Malformed(const std::string& why) {
    return MakeError(ErrorCode::kInvalidArgument, "malformed statistics document: " + why);
}

// The report as StatisticsJson writes it, nothing else: known members, tables of flat rows whose
// values are text, null, counts from 0 to 2^53 or times within ±2^53. Whatever is not checked is
// not accepted.
Result<void> CheckReportShape(const boost::json::object& report) {
    for (const auto& member : report) {
        const boost::json::value& v = member.value();
        if (std::find(kStatisticsTables.begin(), kStatisticsTables.end(), member.key()) !=
            kStatisticsTables.end()) {
            if (!v.is_array()) {
                return Malformed("report member " + std::string(member.key()) + " is no list");
            }
            for (const boost::json::value& row : v.as_array()) {
                if (!row.is_object()) {
                    return Malformed("a row of " + std::string(member.key()) + " is no object");
                }
                for (const auto& cell : row.as_object()) {
                    const boost::json::value& c = cell.value();
                    // A count is 0 or more; a time (`*_ms`) may be below 0 when clocks moved.
                    const std::int64_t low = cell.key().ends_with("_ms") ? -kMaxFigure : 0;
                    if (!c.is_string() && !c.is_null() &&
                        !(c.is_int64() && c.as_int64() <= kMaxFigure && c.as_int64() >= low)) {
                        return Malformed("figure " + std::string(cell.key()) + " is out of range");
                    }
                }
            }
        } else if (Known(
                       member.key(),
                       {"format", "from", "to", "threshold", "generated", "events_through"}
                   )) {
            if (!v.is_string() && !v.is_int64()) {
                return Malformed("report member " + std::string(member.key()) + " is not a value");
            }
            if (Known(member.key(), {"from", "to", "generated"}) &&
                !(v.is_string() && ParseTimestamp(v.as_string()))) {
                return Malformed("report member " + std::string(member.key()) + " is no time");
            }
        } else {
            return Malformed("unknown report member " + std::string(member.key()));
        }
    }
    return {};
}

Error Unproven(const std::string& why) {
    return MakeError(ErrorCode::kUnauthenticated, "the publication is not proven: " + why);
}

}  // namespace

std::vector<store::Migration> StatisticsPublisher::Migrations() {
    auto schema = [](std::string_view integer) {
        const std::string i(integer);
        return "CREATE TABLE app_stats_publications (id TEXT PRIMARY KEY, node TEXT NOT NULL, "
               "party TEXT NOT NULL, published_ms " +
               i + " NOT NULL, published_by TEXT NOT NULL, report TEXT NOT NULL, ledger_index " +
               i +
               " NOT NULL);CREATE INDEX app_stats_publications_time ON "
               "app_stats_publications (published_ms)";
    };
    return {
        store::Migration{"app_statistics_publications", 1, schema("INTEGER"), schema("BIGINT")}};
}

Result<StatisticsPublication> StatisticsPublisher::Publish(
    const Actor& actor, const StatisticsQuery& query
) {
    CONCORD_RETURN_IF_ERROR(Decide(actor, Action::kStatisticsPublish));
    CONCORD_ASSIGN_OR_RETURN(StatisticsReport report, statistics_.Report(actor, query));
    StatisticsPublication p;
    p.id = NewUuidV7();
    p.node = node_.Id();
    p.party = party_;
    p.published_ms = NowMillis();
    p.published_by = actor.Label();
    CONCORD_ASSIGN_OR_RETURN(p.report, json::CanonicalizeOrError(StatisticsJson(report)));

    boost::json::object leaf;
    leaf["event"] = kLeafEvent;
    leaf["publication"] = p.id;
    leaf["report_sha256"] = ReportSha256(p.report);
    leaf["from"] = FormatTimestamp(query.from_ms);
    leaf["to"] = FormatTimestamp(query.to_ms);
    leaf["published"] = FormatTimestamp(p.published_ms);
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(p.ledger_index, node_.AppendEvent(*tx, leaf, p.published_by));
    CONCORD_RETURN_IF_ERROR(tx->Execute(
        "INSERT INTO app_stats_publications (" + std::string(kColumns) +
            ") VALUES ($1, $2, $3, $4, $5, $6, $7)",
        {p.id,
         p.node,
         p.party,
         p.published_ms,
         p.published_by,
         p.report,
         static_cast<std::int64_t>(p.ledger_index)}
    ));
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    return p;
}

Result<std::vector<StatisticsPublication>> StatisticsPublisher::List(std::size_t limit) {
    if (limit < 1 || limit > kMaxList) {
        return MakeError(ErrorCode::kInvalidArgument, "limit must be between 1 and 1000");
    }
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx->Query(
            "SELECT " + std::string(kColumns) +
                " FROM app_stats_publications ORDER BY published_ms DESC, id DESC LIMIT $1",
            {static_cast<std::int64_t>(limit)}
        )
    );
    std::vector<StatisticsPublication> out;
    for (const store::Row& r : rows) {
        out.push_back(FromRow(r));
    }
    return out;
}

Result<StatisticsPublication> StatisticsPublisher::Get(std::string_view id) {
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx->Query(
            "SELECT " + std::string(kColumns) + " FROM app_stats_publications WHERE id = $1",
            {std::string(id)}
        )
    );
    if (rows.empty()) {
        return MakeError(ErrorCode::kNotFound, "no statistics publication " + std::string(id));
    }
    return FromRow(rows[0]);
}

Result<std::string> StatisticsPublisher::Document(const StatisticsPublication& p) {
    CONCORD_ASSIGN_OR_RETURN(Bytes leaf, node_.LedgerLeaf(p.ledger_index));
    CONCORD_ASSIGN_OR_RETURN(std::string proof, node_.LedgerProof(p.ledger_index));
    boost::json::object doc;
    doc["format"] = kFormat;
    doc["id"] = p.id;
    doc["node"] = p.node;
    doc["party"] = p.party;
    doc["published"] = FormatTimestamp(p.published_ms);
    doc["report"] = boost::json::parse(p.report);
    doc["leaf"] = ToString(leaf);
    doc["proof"] = proof;
    return boost::json::serialize(doc);
}

Result<VerifiedPublication> VerifyPublication(
    const federation::Directory& directory, std::string_view document
) {
    CONCORD_ASSIGN_OR_RETURN(boost::json::object doc, federation::ParseObject(document));
    for (const auto& member : doc) {
        if (!Known(
                member.key(),
                {"format", "id", "node", "party", "published", "report", "leaf", "proof"}
            )) {
            return Malformed("unknown member " + std::string(member.key()));
        }
    }
    VerifiedPublication v;
    CONCORD_ASSIGN_OR_RETURN(const std::string format, federation::GetString(doc, "format"));
    if (format != kFormat) {
        return MakeError(
            ErrorCode::kInvalidArgument, "not a " + std::string(kFormat) + " document"
        );
    }
    CONCORD_ASSIGN_OR_RETURN(v.id, federation::GetString(doc, "id"));
    CONCORD_ASSIGN_OR_RETURN(v.node, federation::GetString(doc, "node"));
    CONCORD_ASSIGN_OR_RETURN(v.party, federation::GetString(doc, "party"));
    CONCORD_ASSIGN_OR_RETURN(const std::string published, federation::GetString(doc, "published"));
    CONCORD_ASSIGN_OR_RETURN(v.published_ms, ParseTimestamp(published));
    CONCORD_ASSIGN_OR_RETURN(const std::string leaf, federation::GetString(doc, "leaf"));
    CONCORD_ASSIGN_OR_RETURN(const std::string proof_text, federation::GetString(doc, "proof"));
    const boost::json::value* report = doc.if_contains("report");
    if (report == nullptr || !report->is_object()) {
        return MakeError(ErrorCode::kInvalidArgument, "the document has no report object");
    }
    CONCORD_RETURN_IF_ERROR(CheckReportShape(report->as_object()));
    CONCORD_ASSIGN_OR_RETURN(v.report, json::CanonicalizeOrError(boost::json::serialize(*report)));

    CONCORD_ASSIGN_OR_RETURN(boost::json::object leaf_object, federation::ParseObject(leaf));
    const auto member = [&leaf_object](std::string_view name) {
        auto got = federation::GetString(leaf_object, name);
        return got ? *got : std::string();
    };
    if (member("event") != kLeafEvent || member("publication") != v.id ||
        member("published") != published) {
        return Unproven("its leaf is not the publication " + v.id + " of " + published);
    }
    if (member("report_sha256") != ReportSha256(v.report)) {
        return MakeError(
            ErrorCode::kCorruption,
            "the report is not the one published: its SHA-256 differs from the leaf's"
        );
    }
    CONCORD_ASSIGN_OR_RETURN(v.ledger, ProveNodeLeaf(directory, v.node, v.party, leaf, proof_text));
    return v;
}

Result<std::string> ProveNodeLeaf(
    const federation::Directory& directory,
    std::string_view node_id,
    std::string_view party,
    std::string_view leaf,
    std::string_view proof_text
) {
    const std::string id(node_id);
    const federation::NodeEntry* node = directory.FindNode(id);
    if (node == nullptr || node->revoked) {
        return Unproven(id + " is not in the directory, or revoked");
    }
    if (node->party != party) {
        return Unproven(id + " is a node of " + node->party + ", not of " + std::string(party));
    }
    CONCORD_ASSIGN_OR_RETURN(ledger::TlogProof proof, ledger::ParseTlogProof(proof_text));
    const ledger::NoteVerifier key =
        ledger::MakeVerifier(id, ledger::NoteKeyType::kEd25519, node->signing_key);
    auto proven = ledger::VerifyTlogProof(proof, AsBytes(leaf), std::span(&key, 1), id);
    if (!proven) {
        return Unproven(proven.error().message);
    }
    return *proven;
}

}  // namespace concord::app
