#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "concord/app/statistics_publication.hpp"
#include "concord/core/result.hpp"
#include "concord/federation/directory.hpp"

namespace concord::app {

/// The totals of several parties' published reports (docs/statistics.md "Aggregation").
struct VerifiedAggregate {
    std::vector<VerifiedPublication> inputs;
    std::string document;  ///< the aggregate document (concord-statistics-aggregate/1)
};

/// Verifies each publication document in `documents` (VerifyPublication against `directory`),
/// requires one period for all and one document per node, and sums their figures row by row:
/// the aggregate document holds every input whole, so that each stays verifiable, and the
/// totals. kInvalidArgument: no input, periods differ, a node twice; the errors of
/// VerifyPublication naming the input otherwise.
Result<VerifiedAggregate> AggregateStatistics(
    const federation::Directory& directory,
    const std::vector<std::string>& documents,
    std::int64_t now_ms
);

/// Checks an aggregate document: every input verifies, and the totals are the ones recomputed
/// from the inputs (kCorruption otherwise).
Result<VerifiedAggregate> VerifyAggregate(
    const federation::Directory& directory, std::string_view document
);

}  // namespace concord::app
