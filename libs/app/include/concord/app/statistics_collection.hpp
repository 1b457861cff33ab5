#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "concord/app/actor.hpp"
#include "concord/app/statistics_aggregate.hpp"
#include "concord/app/statistics_publication.hpp"
#include "concord/core/result.hpp"
#include "concord/federation/directory.hpp"
#include "concord/federation/message.hpp"
#include "concord/federation/node.hpp"
#include "concord/store/store.hpp"

namespace concord::app {

/// A party's publication as a secretariat's node collected it.
struct CollectedReport {
    std::string publication;  ///< the publication's id
    std::string node;
    std::string party;
    std::int64_t from_ms{0};  ///< the report's period
    std::int64_t to_ms{0};
    std::int64_t published_ms{0};
    std::int64_t received_ms{0};
    std::string message_id;
    std::string document;  ///< the publication document as received (it verified)
};

/// A total the secretariat's node published: the aggregate document, anchored in its ledger.
struct AggregatePublication {
    std::string id;  ///< UUIDv7
    std::int64_t from_ms{0};
    std::int64_t to_ms{0};
    std::int64_t published_ms{0};
    std::string published_by;
    std::int64_t inputs{0};
    std::string aggregate;          ///< the aggregate document in canonical form
    std::uint64_t ledger_index{0};  ///< the `statistics.aggregated` leaf that names its SHA-256
};

/// Collection of published statistics reports by a treaty secretariat's node, and the totals it
/// publishes (docs/statistics.md "Collection by a secretariat"):
///
/// - a State's node (`secretariat_node` set) sends one of its publications to the secretariat's
///   node on request (Submit: a `notice` whose body is `{"concord_statistics": {"op": "report",
///   "publication": DOCUMENT}}`), so a party opts in report by report;
/// - the secretariat's node (`secretariat`) verifies what arrives against its directory
///   (VerifyPublication; the publishing node must be the sender) and keeps it; what does not
///   verify is a "statistics.refused" audit leaf, never an intake error;
/// - it sums, for one period, the latest collected report of each node and its own latest
///   publication of the period (AggregateStatistics), keeps the aggregate and appends its SHA-256
///   to its ledger ("statistics.aggregated"), so the total is anchored like a report.
///
/// Thread-safety: thread-safe (state is in the store).
class StatisticsCollector {
public:
    struct Options {
        bool secretariat{false};
        std::string secretariat_node;
    };

    /// Tables `app_stats_collected`, `app_stats_aggregates` (component
    /// "app_statistics_collection").
    static std::vector<store::Migration> Migrations();

    StatisticsCollector(
        store::Store& store,
        StatisticsPublisher& publisher,
        federation::Node& node,
        std::string party,
        Options options
    );

    /// Sends this node's publication `publication_id` to the secretariat's node. Needs
    /// `statistics.publish`; kInvalidArgument when no secretariat's node is configured;
    /// kNotFound for an unknown publication; the errors of Node::Submit. The size is not
    /// checked here: a document above the secretariat's body limit ends as a non-delivery.
    Result<federation::Submitted> Submit(const Actor& actor, std::string_view publication_id);

    /// A message the node received, in its intake transaction: keeps a `concord_statistics`
    /// report that verifies; ignores every other message. Fails only when the store fails.
    Result<void> OnReceived(store::Transaction& tx, const federation::ReceivedMessage& message);

    /// The collected reports, newest first, at most `limit` (1-1000); a node that is not a
    /// secretariat's collects none. Needs `statistics.read`.
    Result<std::vector<CollectedReport>> Collected(const Actor& actor, std::size_t limit);

    /// Sums the period's reports (above) and publishes the aggregate. Needs `statistics.publish`;
    /// kInvalidArgument on a node that is not a secretariat's, or when no report covers exactly
    /// that period; the errors of AggregateStatistics.
    Result<AggregatePublication> Aggregate(
        const Actor& actor, std::int64_t from_ms, std::int64_t to_ms
    );

    /// The aggregates published, newest first, at most `limit` (1-1000).
    Result<std::vector<AggregatePublication>> Aggregates(std::size_t limit);
    /// One aggregate; kNotFound if there is none with `id`.
    Result<AggregatePublication> GetAggregate(std::string_view id);
    /// The document of `a` (format concord-statistics-aggregate-publication/1): the aggregate,
    /// its ledger leaf and a tlog-proof of the leaf against a fresh checkpoint.
    Result<std::string> Document(const AggregatePublication& a);

    [[nodiscard]] bool Secretariat() const { return options_.secretariat; }
    /// The secretariat's node this node submits its reports to; "" when none is configured.
    [[nodiscard]] const std::string& SecretariatNode() const { return options_.secretariat_node; }

private:
    Result<void> Refuse(
        store::Transaction& tx, const federation::ReceivedMessage& m, std::string_view why
    );

    store::Store& store_;
    StatisticsPublisher& publisher_;
    federation::Node& node_;
    std::string party_;
    Options options_;
};

/// Checks an aggregate publication document offline against `directory`: the aggregate verifies
/// (VerifyAggregate: every input, then the totals), the leaf names its canonical SHA-256 and is
/// proven in the publishing node's log (ProveNodeLeaf). kInvalidArgument for a malformed
/// document; kCorruption for an aggregate that is not the leaf's; kUnauthenticated otherwise.
Result<VerifiedAggregate> VerifyAggregatePublication(
    const federation::Directory& directory, std::string_view document
);

}  // namespace concord::app
