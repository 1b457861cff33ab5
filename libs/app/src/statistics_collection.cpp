// Collection of the parties' published statistics by a secretariat's node, and the totals it
// publishes anchored in its ledger (docs/statistics.md "Collection by a secretariat").
#include "concord/app/statistics_collection.hpp"

#include <map>
#include <memory>

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

#include "peer_refusal.hpp"

namespace concord::app {
namespace {

constexpr std::string_view kMember = "concord_statistics";
constexpr std::string_view kFormat = "concord-statistics-aggregate-publication/1";
constexpr std::string_view kLeafEvent = "statistics.aggregated";
constexpr std::size_t kMaxList = 1000;
constexpr std::string_view kCollectedColumns =
    "publication, node, party, from_ms, to_ms, published_ms, received_ms, message_id, document";
constexpr std::string_view kAggregateColumns =
    "id, from_ms, to_ms, published_ms, published_by, inputs, aggregate, ledger_index";

std::string Sha256Hex(std::string_view text) {
    return HexEncode(crypto::Sha256(AsBytes(text)));
}

Error Invalid(std::string why, std::string reason = {}) {
    return MakeError(ErrorCode::kInvalidArgument, std::move(why), std::move(reason));
}

CollectedReport CollectedFrom(const store::Row& r) {
    CollectedReport c;
    c.publication = r.Text(0);
    c.node = r.Text(1);
    c.party = r.Text(2);
    c.from_ms = r.Int(3);
    c.to_ms = r.Int(4);
    c.published_ms = r.Int(5);
    c.received_ms = r.Int(6);
    c.message_id = r.Text(7);
    c.document = r.Text(8);
    return c;
}

AggregatePublication AggregateFrom(const store::Row& r) {
    AggregatePublication a;
    a.id = r.Text(0);
    a.from_ms = r.Int(1);
    a.to_ms = r.Int(2);
    a.published_ms = r.Int(3);
    a.published_by = r.Text(4);
    a.inputs = r.Int(5);
    a.aggregate = r.Text(6);
    a.ledger_index = static_cast<std::uint64_t>(r.Int(7));
    return a;
}

// The period a verified report covers.
Result<std::pair<std::int64_t, std::int64_t>> PeriodOf(std::string_view report) {
    CONCORD_ASSIGN_OR_RETURN(boost::json::object o, federation::ParseObject(report));
    CONCORD_ASSIGN_OR_RETURN(const std::string from, federation::GetString(o, "from"));
    CONCORD_ASSIGN_OR_RETURN(const std::string to, federation::GetString(o, "to"));
    CONCORD_ASSIGN_OR_RETURN(const std::int64_t from_ms, ParseTimestamp(from));
    CONCORD_ASSIGN_OR_RETURN(const std::int64_t to_ms, ParseTimestamp(to));
    return std::pair{from_ms, to_ms};
}

Result<void> CheckLimit(std::size_t limit) {
    if (limit < 1 || limit > kMaxList) {
        return Invalid("limit must be between 1 and 1000");
    }
    return {};
}

}  // namespace

std::vector<store::Migration> StatisticsCollector::Migrations() {
    auto schema = [](std::string_view integer) {
        const std::string i(integer);
        // A publication id is the publisher's choice: it is unique per node only.
        return "CREATE TABLE app_stats_collected (publication TEXT NOT NULL, node TEXT NOT "
               "NULL, party TEXT NOT NULL, from_ms " +
               i + " NOT NULL, to_ms " + i + " NOT NULL, published_ms " + i +
               " NOT NULL, received_ms " + i +
               " NOT NULL, message_id TEXT NOT NULL, document TEXT NOT NULL, PRIMARY KEY (node, "
               "publication));"
               "CREATE INDEX app_stats_collected_period ON app_stats_collected (from_ms, to_ms, "
               "node, published_ms);"
               "CREATE INDEX app_stats_collected_time ON app_stats_collected (received_ms);"
               "CREATE TABLE app_stats_aggregates (id TEXT PRIMARY KEY, from_ms " +
               i + " NOT NULL, to_ms " + i + " NOT NULL, published_ms " + i +
               " NOT NULL, published_by TEXT NOT NULL, inputs " + i +
               " NOT NULL, aggregate TEXT NOT NULL, ledger_index " + i +
               " NOT NULL);"
               "CREATE INDEX app_stats_aggregates_time ON app_stats_aggregates (published_ms)";
    };
    return {store::Migration{"app_statistics_collection", 1, schema("INTEGER"), schema("BIGINT")}};
}

StatisticsCollector::StatisticsCollector(
    store::Store& store,
    StatisticsPublisher& publisher,
    federation::Node& node,
    std::string party,
    Options options
)
    : store_(store),
      publisher_(publisher),
      node_(node),
      party_(std::move(party)),
      options_(std::move(options)) {}

Result<federation::Submitted> StatisticsCollector::Submit(
    const Actor& actor, std::string_view publication_id
) {
    CONCORD_RETURN_IF_ERROR(Decide(actor, Action::kStatisticsPublish));
    if (options_.secretariat_node.empty()) {
        return Invalid(
            "this node sends its reports to no secretariat's node (statistics.secretariat_node)",
            "no_secretariat"
        );
    }
    CONCORD_ASSIGN_OR_RETURN(StatisticsPublication p, publisher_.Get(publication_id));
    CONCORD_ASSIGN_OR_RETURN(std::string document, publisher_.Document(p));
    CONCORD_ASSIGN_OR_RETURN(boost::json::object publication, federation::ParseObject(document));
    federation::OutgoingMessage message;
    message.to = options_.secretariat_node;
    message.type = "notice";
    message.body_json = boost::json::serialize(boost::json::object{
        {kMember, boost::json::object{{"op", "report"}, {"publication", std::move(publication)}}}});
    const std::string label = actor.Label();
    return node_.Submit(
        message,
        [&](store::Transaction& tx, const federation::Submitted& submitted) -> Result<void> {
            CONCORD_ASSIGN_OR_RETURN(
                auto index,
                node_.AppendEvent(
                    tx,
                    boost::json::object{
                        {"event", "statistics.submitted"},
                        {"publication", p.id},
                        {"to", options_.secretariat_node},
                        {"message", submitted.id}},
                    label
                )
            );
            (void)index;
            return {};
        },
        label
    );
}

Result<void> StatisticsCollector::Refuse(
    store::Transaction& tx, const federation::ReceivedMessage& m, std::string_view why
) {
    CONCORD_ASSIGN_OR_RETURN(
        auto index,
        node_.AppendEvent(
            tx, detail::PeerRefusal("statistics.refused", "statistics report refused", m, why)
        )
    );
    (void)index;
    return {};
}

Result<void> StatisticsCollector::OnReceived(
    store::Transaction& tx, const federation::ReceivedMessage& m
) {
    if (m.type != "notice") {
        return {};
    }
    boost::system::error_code ec;
    const boost::json::value body = boost::json::parse(m.body, ec);
    if (ec || !body.is_object() || !body.as_object().contains(kMember)) {
        return {};
    }
    const boost::json::value& member = body.as_object().at(kMember);
    const boost::json::object* o = member.if_object();
    const boost::json::value* op = o != nullptr ? o->if_contains("op") : nullptr;
    if (op == nullptr || !op->is_string() || op->as_string() != "report") {
        return Refuse(tx, m, "'concord_statistics' must be an object with op 'report'");
    }
    if (!options_.secretariat) {
        return Refuse(tx, m, "this node collects no statistics reports");
    }
    const boost::json::value* publication = o->if_contains("publication");
    if (publication == nullptr || !publication->is_object()) {
        return Refuse(tx, m, "'publication' must be a publication document");
    }
    const std::string document = boost::json::serialize(*publication);
    // The directory is held while it is read: a reload may replace it meanwhile.
    const std::shared_ptr<const federation::Directory> directory = node_.Directory();
    auto verified = VerifyPublication(*directory, document);
    if (!verified) {
        return Refuse(tx, m, verified.error().message);
    }
    if (verified->node != m.from) {
        return Refuse(tx, m, "a node sends its own reports; this one is " + verified->node + "'s");
    }
    auto period = PeriodOf(verified->report);
    if (!period) {
        return Refuse(tx, m, period.error().message);
    }
    CONCORD_ASSIGN_OR_RETURN(
        auto known,
        tx.Query(
            "SELECT publication FROM app_stats_collected WHERE node = $1 AND publication = $2",
            {verified->node, verified->id}
        )
    );
    if (!known.empty()) {
        return Refuse(
            tx, m, "publication " + verified->id + " of " + verified->node + " is collected already"
        );
    }
    CONCORD_RETURN_IF_ERROR(tx.Execute(
        "INSERT INTO app_stats_collected (" + std::string(kCollectedColumns) +
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        {verified->id,
         verified->node,
         verified->party,
         period->first,
         period->second,
         verified->published_ms,
         m.received_ms,
         m.id,
         document}
    ));
    CONCORD_ASSIGN_OR_RETURN(
        auto index,
        node_.AppendEvent(
            tx,
            boost::json::object{
                {"event", "statistics.collected"},
                {"publication", verified->id},
                {"node", verified->node},
                {"party", verified->party},
                {"report_sha256", Sha256Hex(verified->report)},
                {"from", FormatTimestamp(period->first)},
                {"to", FormatTimestamp(period->second)},
                {"message", m.id}}
        )
    );
    (void)index;
    return {};
}

Result<std::vector<CollectedReport>> StatisticsCollector::Collected(
    const Actor& actor, std::size_t limit
) {
    CONCORD_RETURN_IF_ERROR(Decide(actor, Action::kStatisticsRead));
    CONCORD_RETURN_IF_ERROR(CheckLimit(limit));
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx->Query(
            "SELECT " + std::string(kCollectedColumns) +
                " FROM app_stats_collected ORDER BY received_ms DESC, publication DESC LIMIT $1",
            {static_cast<std::int64_t>(limit)}
        )
    );
    std::vector<CollectedReport> out;
    for (const store::Row& r : rows) {
        out.push_back(CollectedFrom(r));
    }
    return out;
}

Result<AggregatePublication> StatisticsCollector::Aggregate(
    const Actor& actor, std::int64_t from_ms, std::int64_t to_ms
) {
    CONCORD_RETURN_IF_ERROR(Decide(actor, Action::kStatisticsPublish));
    if (!options_.secretariat) {
        return Invalid(
            "this node collects no statistics reports (statistics.secretariat)", "not_secretariat"
        );
    }
    // The latest report of each node for exactly the period: collected ones, and this node's own.
    std::map<std::string, std::string> latest;
    {
        CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
        CONCORD_ASSIGN_OR_RETURN(
            auto rows,
            tx->Query(
                "SELECT node, document FROM app_stats_collected WHERE from_ms = $1 AND to_ms = $2 "
                "ORDER BY published_ms DESC, publication DESC",
                {from_ms, to_ms}
            )
        );
        for (const store::Row& r : rows) {
            latest.emplace(r.Text(0), r.Text(1));
        }
    }
    CONCORD_ASSIGN_OR_RETURN(auto own, publisher_.List(kMaxList));
    for (const StatisticsPublication& p : own) {
        auto period = PeriodOf(p.report);
        if (period && period->first == from_ms && period->second == to_ms) {
            CONCORD_ASSIGN_OR_RETURN(std::string document, publisher_.Document(p));
            latest.emplace(p.node, std::move(document));
            break;  // newest first
        }
    }
    if (latest.empty()) {
        return Invalid(
            "no report covers " + FormatTimestamp(from_ms) + " to " + FormatTimestamp(to_ms),
            "no_report"
        );
    }
    std::vector<std::string> documents;
    documents.reserve(latest.size());
    for (auto& [node, document] : latest) {
        documents.push_back(std::move(document));
    }
    AggregatePublication a;
    a.published_ms = NowMillis();
    a.id = NewUuidV7At(a.published_ms);
    a.from_ms = from_ms;
    a.to_ms = to_ms;
    a.published_by = actor.Label();
    a.inputs = static_cast<std::int64_t>(documents.size());
    const std::shared_ptr<const federation::Directory> directory = node_.Directory();
    CONCORD_ASSIGN_OR_RETURN(
        VerifiedAggregate summed, AggregateStatistics(*directory, documents, a.published_ms)
    );
    CONCORD_ASSIGN_OR_RETURN(a.aggregate, json::CanonicalizeOrError(summed.document));
    boost::json::object leaf{
        {"event", kLeafEvent},
        {"aggregate", a.id},
        {"aggregate_sha256", Sha256Hex(a.aggregate)},
        {"from", FormatTimestamp(from_ms)},
        {"to", FormatTimestamp(to_ms)},
        {"inputs", a.inputs},
        {"published", FormatTimestamp(a.published_ms)}};
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(a.ledger_index, node_.AppendEvent(*tx, leaf, a.published_by));
    CONCORD_RETURN_IF_ERROR(tx->Execute(
        "INSERT INTO app_stats_aggregates (" + std::string(kAggregateColumns) +
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        {a.id,
         a.from_ms,
         a.to_ms,
         a.published_ms,
         a.published_by,
         a.inputs,
         a.aggregate,
         static_cast<std::int64_t>(a.ledger_index)}
    ));
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    return a;
}

Result<std::vector<AggregatePublication>> StatisticsCollector::Aggregates(std::size_t limit) {
    CONCORD_RETURN_IF_ERROR(CheckLimit(limit));
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx->Query(
            "SELECT " + std::string(kAggregateColumns) +
                " FROM app_stats_aggregates ORDER BY published_ms DESC, id DESC LIMIT $1",
            {static_cast<std::int64_t>(limit)}
        )
    );
    std::vector<AggregatePublication> out;
    for (const store::Row& r : rows) {
        out.push_back(AggregateFrom(r));
    }
    return out;
}

Result<AggregatePublication> StatisticsCollector::GetAggregate(std::string_view id) {
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx->Query(
            "SELECT " + std::string(kAggregateColumns) + " FROM app_stats_aggregates WHERE id = $1",
            {std::string(id)}
        )
    );
    if (rows.empty()) {
        return MakeError(ErrorCode::kNotFound, "no statistics aggregate " + std::string(id));
    }
    return AggregateFrom(rows[0]);
}

Result<std::string> StatisticsCollector::Document(const AggregatePublication& a) {
    CONCORD_ASSIGN_OR_RETURN(Bytes leaf, node_.LedgerLeaf(a.ledger_index));
    CONCORD_ASSIGN_OR_RETURN(std::string proof, node_.LedgerProof(a.ledger_index));
    boost::json::object doc;
    doc["format"] = kFormat;
    doc["id"] = a.id;
    doc["node"] = node_.Id();
    doc["party"] = party_;
    doc["published"] = FormatTimestamp(a.published_ms);
    doc["aggregate"] = boost::json::parse(a.aggregate);
    doc["leaf"] = ToString(leaf);
    doc["proof"] = proof;
    return boost::json::serialize(doc);
}

Result<VerifiedAggregate> VerifyAggregatePublication(
    const federation::Directory& directory, std::string_view document
) {
    CONCORD_ASSIGN_OR_RETURN(boost::json::object doc, federation::ParseObject(document));
    for (const auto& member : doc) {
        const std::string_view name = member.key();
        if (name != "format" && name != "id" && name != "node" && name != "party" &&
            name != "published" && name != "aggregate" && name != "leaf" && name != "proof") {
            return Invalid(
                "malformed statistics aggregate publication: unknown member " + std::string(name)
            );
        }
    }
    CONCORD_ASSIGN_OR_RETURN(const std::string format, federation::GetString(doc, "format"));
    const boost::json::value* aggregate = doc.if_contains("aggregate");
    if (format != kFormat || aggregate == nullptr || !aggregate->is_object()) {
        return Invalid("not a " + std::string(kFormat) + " document");
    }
    CONCORD_ASSIGN_OR_RETURN(const std::string id, federation::GetString(doc, "id"));
    CONCORD_ASSIGN_OR_RETURN(const std::string node, federation::GetString(doc, "node"));
    CONCORD_ASSIGN_OR_RETURN(const std::string party, federation::GetString(doc, "party"));
    CONCORD_ASSIGN_OR_RETURN(const std::string published, federation::GetString(doc, "published"));
    CONCORD_ASSIGN_OR_RETURN(const std::string leaf, federation::GetString(doc, "leaf"));
    CONCORD_ASSIGN_OR_RETURN(const std::string proof, federation::GetString(doc, "proof"));
    CONCORD_ASSIGN_OR_RETURN(
        const std::string canonical, json::CanonicalizeOrError(boost::json::serialize(*aggregate))
    );
    CONCORD_ASSIGN_OR_RETURN(VerifiedAggregate verified, VerifyAggregate(directory, canonical));
    CONCORD_ASSIGN_OR_RETURN(boost::json::object leaf_object, federation::ParseObject(leaf));
    const auto member = [&leaf_object](std::string_view name) {
        auto got = federation::GetString(leaf_object, name);
        return got ? *got : std::string();
    };
    if (member("event") != kLeafEvent || member("aggregate") != id ||
        member("published") != published) {
        return MakeError(
            ErrorCode::kUnauthenticated,
            "the aggregate is not proven: its leaf is not the aggregate " + id + " of " + published
        );
    }
    if (member("aggregate_sha256") != Sha256Hex(canonical)) {
        return MakeError(
            ErrorCode::kCorruption,
            "the aggregate is not the one published: its SHA-256 differs from the leaf's"
        );
    }
    CONCORD_ASSIGN_OR_RETURN(auto proven, ProveNodeLeaf(directory, node, party, leaf, proof));
    (void)proven;
    return verified;
}

}  // namespace concord::app
