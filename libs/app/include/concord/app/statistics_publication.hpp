#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "concord/app/actor.hpp"
#include "concord/app/statistics.hpp"
#include "concord/core/result.hpp"
#include "concord/federation/directory.hpp"
#include "concord/federation/node.hpp"
#include "concord/store/store.hpp"

namespace concord::app {

/// A statistics report as a node published it (docs/statistics.md "Publication").
struct StatisticsPublication {
    std::string id;  ///< UUIDv7
    std::string node;
    std::string party;
    std::int64_t published_ms{0};
    std::string published_by;       ///< actor label
    std::string report;             ///< the report's JSON in canonical form (RFC 8785)
    std::uint64_t ledger_index{0};  ///< the `statistics.published` leaf that names its SHA-256
};

/// Publishes statistics reports: each is kept, and its SHA-256 is an audit leaf of the node's
/// ledger, so a tlog-proof of that leaf (signed by the node's key in the checkpoint) proves the
/// report unaltered to anyone who holds the directory. Thread-safe.
class StatisticsPublisher {
public:
    /// `node` is this node (its ledger and id), `party` its party in the directory.
    StatisticsPublisher(
        store::Store& store,
        StatisticsService& statistics,
        federation::Node& node,
        std::string party
    )
        : store_(store), statistics_(statistics), node_(node), party_(std::move(party)) {}

    /// Schema: component "app_statistics_publications".
    static std::vector<store::Migration> Migrations();

    /// Computes the report of `query` and publishes it in one transaction (the row and the
    /// audit leaf); needs `statistics.publish` and the errors of StatisticsService::Report.
    Result<StatisticsPublication> Publish(const Actor& actor, const StatisticsQuery& query);

    /// The publications, newest first, at most `limit` (1–1000).
    Result<std::vector<StatisticsPublication>> List(std::size_t limit);

    /// One publication; kNotFound if there is none with `id`.
    Result<StatisticsPublication> Get(std::string_view id);

    /// The publication document of `p` (format concord-statistics-publication/1): the report,
    /// its ledger leaf and a tlog-proof of the leaf against a fresh checkpoint.
    Result<std::string> Document(const StatisticsPublication& p);

private:
    store::Store& store_;
    StatisticsService& statistics_;
    federation::Node& node_;
    std::string party_;
};

/// What VerifyPublication found.
struct VerifiedPublication {
    std::string id;
    std::string node;
    std::string party;
    std::int64_t published_ms{0};
    std::string report;  ///< the report's canonical JSON, as proven
    std::string ledger;  ///< the proof's one-line summary
};

/// Checks a publication document offline against `directory`: the report's canonical SHA-256 is
/// the one its leaf names, the leaf is proven in the publishing node's log by a checkpoint
/// signed with that node's key, and the party is the node's. kInvalidArgument for a malformed
/// document; kUnauthenticated (or kCorruption for a report that is not the leaf's) otherwise.
Result<VerifiedPublication> VerifyPublication(
    const federation::Directory& directory, std::string_view document
);

/// Proves `leaf` (a JSON text) in the log of node `node_id` by the tlog-proof `proof_text`,
/// whose checkpoint must be signed with the key the directory gives that node; the node must be
/// listed, not revoked, and of `party`. Returns the proof's one-line summary; kUnauthenticated
/// ("the publication is not proven: ...") otherwise.
Result<std::string> ProveNodeLeaf(
    const federation::Directory& directory,
    std::string_view node_id,
    std::string_view party,
    std::string_view leaf,
    std::string_view proof_text
);

}  // namespace concord::app
